"""A cache of the validated knowledge base, so a run need not parse and check YAML again.

The cache lives in the user's cache folder (``PAINADVISOR_CACHE_DIR`` overrides it;
``PAINADVISOR_NO_CACHE=1`` turns it off) and is keyed by every rule file's path,
size, modification time and inode, by the modification times of painadvisor's own
code that builds the knowledge base, and by painadvisor's and Python's versions: any
change to a rule file or to that code means a new key.

It is data, never code: JSON written by a generic converter over the named tuples
and field classes of ``conditions`` and ``models`` (so a field added to them later is
cached too), read back by building only those classes.  A cache file carries a
checksum of its contents; one that is stale, truncated, corrupt, unreadable, not a
regular file, not owned by the user or writable by anyone else is ignored and
rebuilt, silently.  Writing it is best effort and never fails a run.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from painadvisor.files import cachefile

try:  # the interpreter's own SHA-256: importing hashlib loads OpenSSL, which costs more than a run
    from _sha256 import sha256  # type: ignore[import-not-found, unused-ignore]  # Python 3.11
except ImportError:  # pragma: no cover - the module's name or build differs
    try:
        from _sha2 import sha256  # type: ignore[import-not-found, no-redef, unused-ignore]  # 3.12 and later
    except ImportError:
        from hashlib import sha256  # type: ignore[assignment, unused-ignore]
from painadvisor.kb.models import KnowledgeBase
from painadvisor.version import __version__

FORMAT = b"painadvisor-kb-cache/3 json\n"
_DIGEST = 32
SUFFIX = ".json"
MAX_BYTES = 512 * 1024 * 1024
SLOTS = 4  # rule configurations kept cached at once (the built-in rules, with and without your packs ...)
# painadvisor's own code that builds, checks or shapes the knowledge base: a change to any of it
# (an edit, an upgrade in place) must never be served a cache made by the old code.
BUILDERS = ("kb/loader.py", "kb/reader.py", "kb/likelihood.py", "kb/rulefields.py", "kb/models.py", "kb/vocabulary.py",
            "kb/cache.py", "kb/screening.py", "kb/conditions.py", "files/safeyaml.py",
            "files/reading.py", "errors.py")
_HERE = Path(__file__).resolve().parents[1]  # the package


@contextmanager
def without_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while many objects that form no cycles are made:
    loading 100,000 rules is about five times faster."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def cache_path(files: list[Path]) -> Path | None:
    """Where the knowledge base built from ``files`` is cached (None: no cache)."""
    folder = cachefile.cache_dir()
    if folder is None:
        return None
    key = sha256(FORMAT + __version__.encode() + sys.version.encode())
    try:
        for name in BUILDERS:
            info = (_HERE / name).stat()
            key.update(f"{name}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
        for path in files:
            info = path.stat()
            key.update(f"{path.resolve()}\0{info.st_size}\0{info.st_mtime_ns}\0{info.st_ino}\0{info.st_ctime_ns}\n"
                       .encode("utf-8", "surrogateescape"))
    except (OSError, ValueError, RuntimeError):
        return None  # a file that cannot be read is reported by a real load
    return folder / f"kb-{key.hexdigest()[:32]}{SUFFIX}"


def load(path: Path | None) -> KnowledgeBase | None:
    """The cached knowledge base at ``path``, or None when there is none that can be trusted."""
    if path is None:
        return None
    blob = cachefile.read_trusted(path, MAX_BYTES)
    if blob is None:
        return None
    head, digest, payload = blob[:len(FORMAT)], blob[len(FORMAT):len(FORMAT) + _DIGEST], blob[len(FORMAT) + _DIGEST:]
    if head != FORMAT or sha256(payload).digest() != digest:
        return None
    try:
        with without_gc():
            kb = decode(payload)
    except Exception:  # noqa: BLE001 - any damage means: rebuild
        return None
    if not isinstance(kb, KnowledgeBase):
        return None
    with suppress(OSError):
        os.utime(path)  # recently used: kept while other rule configurations are cached
    return kb


def store(path: Path | None, kb: KnowledgeBase) -> None:
    if path is None:
        return
    try:
        with without_gc():  # many objects, no cycles: with the collector on, large packs take superlinear time
            payload = encode(kb)
    except (TypeError, ValueError, RecursionError):
        return  # something the converter does not know: run without a cache
    if cachefile.write(path, FORMAT + sha256(payload).digest() + payload, prefix=".kb-"):
        _remove_others(path)


def _remove_others(path: Path) -> None:
    """Caches beyond the ``SLOTS`` most recently used (a few rule configurations used in turn each
    keep theirs), old pickles of earlier versions, and temporary files of writers that died."""
    from painadvisor.files.output import remove_stale_temporaries

    kept: list[tuple[float, Path]] = []
    for old in path.parent.glob("kb-*"):
        if old == path or not old.name.endswith((SUFFIX, ".pickle")):
            continue
        try:
            if old.name.endswith(SUFFIX):
                kept.append((old.stat().st_mtime, old))
                continue
            old.unlink()
        except OSError:
            continue
    for _, old in sorted(kept, reverse=True)[SLOTS - 1:]:
        with suppress(OSError):
            old.unlink()
    remove_stale_temporaries(path.parent, pattern=r"^\.kb-(\d+)-[^/]*\.tmp$")


# --- the generic converter ------------------------------------------------------------
#
# A tuple is a JSON array; everything else that is not a JSON scalar is an object with one
# key naming its type: {"Leaf": [fields...]} for a class of ``conditions`` or ``models``,
# {"~frozenset": [...]}, {"~set": [...]} and {"~dict": [key, value, ...]} (keys need not be
# text).  A list (mutable, never in a frozen knowledge base) is refused: no cache is written
# rather than one that would read back different (derived data, ``KnowledgeBase.cache``, is
# written without what cannot be written).  Large packs repeat the same conditions
# many times, so a named tuple or frozenset equal (same types too) to one written before is
# written {"~ref": [n]}: the n-th named tuple or frozenset written out in full, counting each
# when it is complete.  A cause's evidence, most of a knowledge base, is written as rows,
# {"~evidence": [[condition, weight, note, line], ...]}, a condition written before as its
# number n.  Decoding builds only these types.


def _classes() -> dict[str, type]:
    """The named tuples and field classes (``FIELDS``, such as ``KnowledgeBase``) of the modules whose
    objects make up a knowledge base."""
    from painadvisor.kb import conditions, models

    found: dict[str, type] = {}
    for module in (conditions, models):
        for name, value in vars(module).items():
            if (isinstance(value, type) and value.__module__ == module.__name__
                    and (_field_names(value) is not None or (issubclass(value, tuple) and hasattr(value, "_fields")))):
                found[name] = value
    return found


def _field_names(cls: type) -> tuple[str, ...] | None:
    """The fields a class is built from, in order (None: a named tuple, built from its items)."""
    names = cls.__dict__.get("FIELDS")
    return tuple(names) if isinstance(names, tuple) else None


def encode(kb: KnowledgeBase) -> bytes:
    return _Encoder().dumps(kb)


class _Encoder:
    def __init__(self) -> None:
        classes = _classes()
        self.fields = {cls: _field_names(cls) for cls in classes.values()}
        self.names = {cls: name for name, cls in classes.items()}
        # Fields that take no part in equality hold derived data (KnowledgeBase.cache): what of it
        # cannot be written is left out, to be worked out again when needed.
        self.derived = {cls: set(cls.__dict__.get("DERIVED", ())) for cls in classes.values()}
        self.evidence = classes.get("Evidence")
        self.written: dict[object, int] = {}  # the key of a shared value -> its number
        self.count = 0  # named tuples and frozensets written in full so far

    def dumps(self, value: Any) -> bytes:
        encoded, _ = self.convert(value)
        return json.dumps(encoded, ensure_ascii=False, separators=(",", ":"), allow_nan=True).encode(
            "utf-8", "surrogatepass")

    def convert(self, value: Any) -> tuple[Any, object]:
        """The value as JSON, and a key that is equal only for values equal in every part and type
        (None: a value that is not shared, such as one holding a dict)."""
        kind = type(value)
        if kind is str:
            return value, value  # no key of another kind is a str
        if value is None:
            return value, ()
        if kind is int or kind is float or kind is bool:
            return value, (kind, value)
        if kind is tuple:
            if value and type(value[0]) is self.evidence and all(type(item) is self.evidence for item in value):
                return self.evidence_rows(value), None
            items, keys = self.convert_all(value)
            return items, None if keys is None else ((), keys)
        if kind in self.names:
            own = self.fields[kind]
            if own is not None:  # a field class (the knowledge base): never shared
                values = [self.writable(getattr(value, name)) if name in self.derived[kind] else getattr(value, name)
                          for name in own]
                return {self.names[kind]: self.convert_all(values)[0]}, None
            return self.shared(self.names[kind], value)
        if kind is frozenset:
            return self.shared("~frozenset", value)
        if kind is set:
            return {"~set": self.convert_all(value)[0]}, None
        if kind is dict:
            return {"~dict": self.convert_all([part for pair in value.items() for part in pair])[0]}, None
        raise TypeError(f"cannot cache a {kind.__name__}")  # a list among them: it would come back a tuple

    def evidence_rows(self, evidence: tuple[Any, ...]) -> dict[str, list[list[Any]]]:
        """A cause's evidence, the bulk of a knowledge base, as plain rows: [condition, weight,
        note, line], the condition a number when it refers to one written before.  Reading
        it back then builds each item in one step, not three."""
        rows = []
        for item in evidence:
            condition, _ = self.convert(item.condition)
            if type(condition) is dict and "~ref" in condition:
                condition = condition["~ref"][0]
            rows.append([condition, item.weight, item.note, item.line])
        return {"~evidence": rows}

    def writable(self, value: Any) -> Any:
        """Derived data without the entries this converter cannot write."""
        if type(value) is not dict:
            return value
        return {key: item for key, item in value.items() if self.knows(key) and self.knows(item)}

    def knows(self, value: Any) -> bool:
        kind = type(value)
        if value is None or kind in (str, int, float, bool):
            return True
        if kind in (tuple, frozenset, set) or (kind in self.names and self.fields[kind] is None):
            return all(self.knows(item) for item in value)
        if kind is dict:
            return all(self.knows(key) and self.knows(item) for key, item in value.items())
        if kind in self.names:
            return all(self.knows(getattr(value, name)) for name in self.fields[kind] or ())
        return False

    def convert_all(self, values: Any) -> tuple[list[Any], tuple[object, ...] | None]:
        items: list[Any] = []
        keys: list[object] = []
        for value in values:
            if type(value) is str:  # the most common case, inline: large packs have millions
                items.append(value)
                keys.append(value)
            else:
                item, key = self.convert(value)
                items.append(item)
                keys.append(key)
        return items, None if None in keys else tuple(keys)

    def shared(self, tag: str, value: Any) -> tuple[Any, object]:
        """A named tuple or frozenset: in full, or as a reference to an equal one written before."""
        items, keys = self.convert_all(value)
        key = None if keys is None else (tag, keys)
        number = self.written.get(key) if key is not None else None
        if number is not None:
            return {"~ref": [number]}, ("#", number)
        number = self.count
        self.count += 1
        if key is not None:
            self.written[key] = number
        return {tag: items}, None if key is None else ("#", number)


def decode(payload: bytes) -> Any:
    written: list[Any] = []  # the named tuples and frozensets in the order they were written in full
    keep = written.append

    def shared(build: Callable[[list[Any]], Any]) -> Callable[[list[Any]], Any]:
        def build_and_keep(items: list[Any]) -> Any:
            value = build(items)
            keep(value)
            return value
        return build_and_keep

    builders: dict[str, Callable[[list[Any]], Any]] = {
        "~frozenset": shared(_frozenset),
        "~set": lambda items: set(_tuples(items)),
        "~dict": _dict,
        "~ref": lambda items: written[items[0]],
    }
    from painadvisor.kb.models import Evidence

    def evidence(rows: list[list[Any]]) -> tuple[Any, ...]:
        return tuple(Evidence(written[condition] if type(condition) is int else condition, weight, note, line)
                     for condition, weight, note, line in rows)

    builders["~evidence"] = evidence
    for name, cls in _classes().items():
        builders[name] = _builder(cls) if _field_names(cls) is not None else shared(_builder(cls))

    def hook(mapping: dict[str, Any]) -> Any:
        if len(mapping) == 1:
            for tag, items in mapping.items():
                if type(items) is list:
                    return builders[tag](items)
        raise ValueError("not a cached value")

    return json.loads(payload.decode("utf-8", "surrogatepass"), object_hook=hook)


def _builder(cls: type) -> Callable[[list[Any]], Any]:
    """Builds ``cls`` from its fields' values as decoded, turning arrays back into tuples in the
    fields whose type may hold a tuple (all of them, when the types cannot be read)."""
    names = _field_names(cls)
    arrays = _array_fields(cls, names if names is not None else cls._fields)  # type: ignore[attr-defined]
    if names is None and not any(arrays):
        make: Callable[[list[Any]], Any] = cls._make  # type: ignore[attr-defined]
        return make  # which checks the number of fields
    values = _values(len(arrays), [position for position, array in enumerate(arrays) if array])
    if names is None:
        make = cls._make  # type: ignore[attr-defined]
        return lambda items: make(values(items))
    return lambda items: cls(*values(items))


def _values(size: int, arrays: list[int]) -> Callable[[list[Any]], list[Any]]:
    """Checks the number of fields and turns the arrays at positions ``arrays`` into tuples."""
    def values(items: list[Any]) -> list[Any]:
        if len(items) != size:
            raise ValueError("the fields have changed")
        for position in arrays:
            if type(items[position]) is list:
                items[position] = _tuple(items[position])
        return items
    return values


def _array_fields(cls: type, names: tuple[str, ...]) -> list[bool]:
    """For each field, whether its value may be a tuple (stored as a JSON array)."""
    try:
        hints = typing.get_type_hints(cls)
        return [_may_be_tuple(hints[name]) for name in names]
    except Exception:  # noqa: BLE001 - types that cannot be resolved: convert every field
        return [True] * len(names)


def _may_be_tuple(hint: Any) -> bool:
    """A tuple at the top of ``hint`` (through unions): other containers are tagged, so they are
    rebuilt by their own decoder, and named tuples by theirs."""
    origin = typing.get_origin(hint)
    if hint is tuple or origin is tuple or hint is Any or hint is object:
        return True
    if origin is typing.Union or origin is types.UnionType:
        return any(_may_be_tuple(arg) for arg in typing.get_args(hint))
    if isinstance(hint, type):
        return False
    return origin is None  # a type this cannot read: assume it may


def _tuples(items: list[Any]) -> list[Any]:
    """Items with every JSON array among them back as a tuple."""
    return [_tuple(item) if type(item) is list else item for item in items]


def _tuple(items: list[Any]) -> tuple[Any, ...]:
    return tuple([_tuple(item) if type(item) is list else item for item in items])


def _frozenset(items: list[Any]) -> frozenset[Any]:
    try:
        return frozenset(items)
    except TypeError:  # an array among the items: a tuple
        return frozenset(_tuples(items))


def _dict(items: list[Any]) -> dict[Any, Any]:
    if len(items) % 2:
        raise ValueError("a key without a value")
    parts = iter(_tuples(items))
    return dict(zip(parts, parts, strict=True))
