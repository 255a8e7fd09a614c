"""Reading files safely: regular files only, size limits, UTF-8, and JSON without duplicate keys.

YAML is read by ``safeyaml``, imported only when a file is YAML: a JSON case needs no PyYAML.
"""

from __future__ import annotations

import errno
import json
import os
import stat
from pathlib import Path
from typing import Any

from painadvisor.errors import PainAdvisorError

MAX_BYTES = 5 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 50
MAX_INT_DIGITS = 4300  # Python's own limit for turning text into an int (and back)


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
