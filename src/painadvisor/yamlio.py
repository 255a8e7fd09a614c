"""Safe YAML and JSON reading that keeps line numbers and refuses hostile input.

Only the YAML node graph is ever built (no Python objects from tags); it is then
walked by hand, which is where duplicate keys, alias bombs, deep nesting and
unknown tags are caught.  Every problem is a ``PainAdvisorError`` naming the
file and line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from painadvisor.errors import PainAdvisorError

try:  # libyaml's composer is several times faster than the pure-Python one
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Loader

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 50

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
    """Read a text file, refusing what is not a readable, sane-sized UTF-8 file."""
    name = str(path)
    if not path.exists():
        raise ParseError("no such file", path=name)
    if path.is_dir():
        raise ParseError("is a folder, not a file", path=name)
    try:
        with path.open("rb") as stream:
            data = stream.read(max_bytes + 1)
    except OSError as err:
        raise ParseError(f"cannot read: {err.strerror or err}", path=name) from None
    return decode(data, name, max_bytes=max_bytes)


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
    except yaml.YAMLError as err:
        raise ParseError(f"invalid YAML: {err}", path=name) from None
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


def load_data(text: str, name: str) -> Any:
    """JSON when the text is a JSON object or array, YAML otherwise."""
    stripped = text.lstrip()
    if name.lower().endswith(".json") or stripped.startswith(("{", "[")):
        return load_json(text, name)
    return load_yaml(text, name)


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
        return _scalars.yaml_constructors[node.tag](_scalars, node)

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
