"""Safe YAML and JSON reading that keeps line numbers and refuses hostile input.

Only the YAML node graph is ever built (no Python objects from tags); it is then
walked by hand, which is where duplicate keys, alias bombs, deep nesting and
unknown tags are caught.  Every problem is a ``PainAdvisorError`` naming the
file and line.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

import yaml

from painadvisor.errors import PainAdvisorError

try:  # libyaml's composer is several times faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 50
MAX_INT_DIGITS = 4300  # Python's own limit for turning text into an int (and back)

_STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    "tag:yaml.org,2002:null", "tag:yaml.org,2002:bool", "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float", _STR, "tag:yaml.org,2002:timestamp",
}
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_scalars = yaml.constructor.SafeConstructor()


class LocatedDict(dict[str, Any]):
    """A mapping that remembers the line of each of its keys."""

    line: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.key_lines: dict[str, int | None] = {}

    def line_of(self, key: str) -> int | None:
        return self.key_lines.get(key, self.line)


class LocatedList(list[Any]):
    """A sequence that remembers the line of each item."""

    line: int | None = None

    def __init__(self) -> None:
        super().__init__()
        self.item_lines: list[int | None] = []


class ParseError(PainAdvisorError):
    pass


def read_text(path: Path, *, max_bytes: int = MAX_BYTES) -> str:
    """Read a text file, refusing what is not a readable, sane-sized UTF-8 regular file.

    The file is opened without blocking and checked before it is read, so a FIFO, a
    device or a folder is refused at once instead of hanging or failing mid-way."""
    name = str(path)
    try:
        data = read_regular_file(path, max_bytes + 1)
    except OSError as err:
        raise ParseError(os_problem(err), path=name) from None
    except ValueError:  # a NUL in the name
        raise ParseError("cannot read: not a valid file name", path=name) from None
    return decode(data, name, max_bytes=max_bytes)


def read_regular_file(path: Path, limit: int, *, flags: int = 0) -> bytes:
    """At most ``limit`` bytes of the regular file at ``path``; anything else is an ``OSError``
    (``EISDIR`` for a folder, ``EINVAL`` for a FIFO, socket or device), raised without blocking."""
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0) | flags)
    try:
        info = os.fstat(descriptor)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder, not a file")
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device)")
        chunks, size = [], 0
        while size < limit:
            chunk = os.read(descriptor, min(limit - size, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def os_problem(err: OSError) -> str:
    """An ``OSError`` as the rest of a one-line message (the path is said separately)."""
    if isinstance(err, FileNotFoundError):
        return "no such file"
    if isinstance(err, IsADirectoryError):
        return "is a folder, not a file"
    if err.errno == errno.ENAMETOOLONG:
        return "cannot read: the file name is too long"
    return f"cannot read: {err.strerror or err}"


def decode(data: bytes, name: str, *, max_bytes: int = MAX_BYTES) -> str:
    if len(data) > max_bytes:
        raise ParseError(f"file is larger than the {max_bytes // (1024 * 1024)} MB limit", path=name)
    if b"\0" in data:
        raise ParseError("looks like a binary file, not text", path=name)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise ParseError("is not UTF-8 text", path=name, line=line) from None


def load_yaml(text: str, name: str) -> Any:
    """Parse one YAML document into dicts, lists and scalars with line numbers."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as err:
        line = err.problem_mark.line + 1 if err.problem_mark else None
        problem = err.problem or err.context or "invalid YAML"
        raise ParseError(f"invalid YAML: {problem}", path=name, line=line) from None
    except yaml.reader.ReaderError as err:  # a character YAML does not allow
        line = text[: err.position].count("\n") + 1 if isinstance(err.position, int) else None
        character = f"#x{err.character:04x}" if isinstance(err.character, int) else repr(err.character)
        raise ParseError(f"invalid YAML: {err.reason} (character {character})", path=name, line=line) from None
    except yaml.YAMLError as err:
        first = str(err).splitlines()[0] if str(err) else "not YAML"
        raise ParseError(f"invalid YAML: {first}", path=name) from None
    except RecursionError:
        raise ParseError("invalid YAML: nested too deeply", path=name) from None
    finally:
        loader.dispose()
    if node is None:
        return None
    return _Builder(name).build(node, depth=0)


def load_json(text: str, name: str) -> Any:
    def no_duplicates(pairs: list[tuple[str, Any]]) -> LocatedDict:
        mapping = LocatedDict()
        for key, value in pairs:
            if key in mapping:
                raise ParseError(f"duplicate key '{key}'", path=name)
            mapping[key] = value
        return mapping

    try:
        return json.loads(text, object_pairs_hook=no_duplicates)
    except json.JSONDecodeError as err:
        raise ParseError(f"invalid JSON: {err.msg}", path=name, line=err.lineno) from None
    except RecursionError:
        raise ParseError("invalid JSON: nested too deeply", path=name) from None
    except ValueError:  # a number too long to read (over MAX_INT_DIGITS digits)
        raise ParseError(f"invalid JSON: a number has more than {MAX_INT_DIGITS} digits", path=name) from None


def load_data(text: str, name: str) -> Any:
    """JSON when the text is a JSON object or array, YAML otherwise."""
    stripped = text.lstrip()
    if name.lower().endswith(".json") or stripped.startswith(("{", "[")):
        return load_json(text, name)
    return load_yaml(text, name)


def _short(value: str, limit: int = 40) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


class _Builder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def fail(self, message: str, node: yaml.Node) -> ParseError:
        return ParseError(message, path=self.name, line=node.start_mark.line + 1)

    def build(self, node: yaml.Node, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise self.fail(f"too many values (more than {MAX_NODES}, aliases included)", node)
        if depth > MAX_DEPTH:
            raise self.fail(f"nested more than {MAX_DEPTH} levels deep", node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node)
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return self.sequence(node, depth)
        if isinstance(node, yaml.MappingNode) and node.tag == _MAP:
            return self.mapping(node, depth)
        raise self.fail(f"unsupported YAML tag '{node.tag}'", node)

    def scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag not in _SCALAR_TAGS:
            raise self.fail(f"unsupported YAML tag '{node.tag}'", node)
        if node.tag == "tag:yaml.org,2002:timestamp":
            return node.value  # keep dates and times as the text written
        try:  # an explicit tag on a value it does not fit (`!!int abc`, `!!bool maybe`) fails here
            value = _scalars.yaml_constructors[node.tag](_scalars, node)
        except (ValueError, TypeError, KeyError, IndexError, OverflowError):
            if len(node.value) > MAX_INT_DIGITS:
                raise self.fail(f"a number has more than {MAX_INT_DIGITS} digits", node) from None
            kind = node.tag.rsplit(":", 1)[-1]
            raise self.fail(f"'{_short(node.value)}' is not a valid {kind}", node) from None
        if isinstance(value, int) and value.bit_length() > MAX_INT_DIGITS * 3:  # 0x... or 0b... of any length
            raise self.fail("a number is too large", node)
        return value

    def sequence(self, node: yaml.SequenceNode, depth: int) -> LocatedList:
        items = LocatedList()
        items.line = node.start_mark.line + 1
        for child in node.value:
            items.append(self.build(child, depth + 1))
            items.item_lines.append(child.start_mark.line + 1)
        return items

    def mapping(self, node: yaml.MappingNode, depth: int) -> LocatedDict:
        mapping = LocatedDict()
        mapping.line = node.start_mark.line + 1
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
                raise self.fail("keys must be plain text", key_node)
            key = key_node.value
            if key in mapping:
                raise self.fail(f"duplicate key '{key}'", key_node)
            mapping[key] = self.build(value_node, depth + 1)
            mapping.key_lines[key] = key_node.start_mark.line + 1
        return mapping
