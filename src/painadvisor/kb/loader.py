"""Load the knowledge base: which rule files (the built-in pack, then the user's), served from
the cache when it can be, else read and validated (``kb/reader.py``).

Every problem is reported as ``file:line: message``, all at once, so that a
broken rule can never exist as an object.  Nothing in a rule file is executed:
conditions are plain data that the engine interprets.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterable
from pathlib import Path

from painadvisor.errors import UsageError
from painadvisor.files.paths import builtin_rules_dir
from painadvisor.kb import vocabulary
from painadvisor.kb.models import KnowledgeBase

RULE_SUFFIXES = (".yaml", ".yml", ".json")


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """The rule files in ``paths``: files as given, folders' *.yaml, *.yml and *.json in name order."""
    files: list[Path] = []
    for path in paths:
        if _is_folder(path):
            files.extend(sorted(item for item in _listing(path) if item.suffix in RULE_SUFFIXES))
        else:
            files.append(path)  # a file that cannot be read is reported when it is read
    return files


def pack_paths(extra: Iterable[Path | str] = ()) -> list[Path]:
    """The built-in rules, then the packs in ``$PAINADVISOR_RULES`` (a path list), then ``extra``
    (each checked: an empty name, a missing or unreadable path is a one-line ``UsageError``)."""
    listed = [Path(item) for item in os.environ.get("PAINADVISOR_RULES", "").split(os.pathsep) if item.strip()]
    for item in extra:
        if not str(item).strip():
            raise UsageError("--rules needs a rule pack (a file or folder); '' is not one")
    paths = [builtin_rules_dir(), *listed, *(Path(item) for item in extra)]
    for path in paths[1:]:
        _check_pack(path)
    return paths


def _check_pack(path: Path) -> None:
    """A pack is a readable folder or a regular file; anything else is reported before any work."""
    where = "(from --rules or PAINADVISOR_RULES)"
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        raise UsageError(f"no rule pack at {path} {where}") from None
    except (OSError, ValueError) as err:
        reason = "the name is too long" if getattr(err, "errno", None) == errno.ENAMETOOLONG else (
            getattr(err, "strerror", None) or str(err))
        raise UsageError(f"cannot read the rule pack at {path} {where}: {reason}") from None
    if stat.S_ISDIR(mode):
        _listing(path)
    elif not stat.S_ISREG(mode):
        raise UsageError(f"the rule pack at {path} is not a file or folder (a FIFO, socket or device) {where}")


def _is_folder(path: Path) -> bool:
    try:
        return path.is_dir()
    except (OSError, ValueError):
        return False


def _listing(folder: Path) -> list[Path]:
    try:
        return list(folder.iterdir())
    except OSError as err:
        raise UsageError(f"cannot read the rule pack folder {folder}: {err.strerror or err}") from None


def override_warnings(kb: KnowledgeBase) -> list[str]:
    """One line per built-in red flag a pack replaced (``rules check`` prints them)."""
    return [f"warning: {path}: replaces the built-in red flag '{flag_id}' (overrides_builtin_safety: true); "
            "its advice is no longer the built-in one" for flag_id, path in kb.overrides]


def load_knowledge_base(paths: Iterable[Path] | None = None, *, cache: bool = True,
                        packs: Iterable[Path | str] = ()) -> KnowledgeBase:
    """The validated knowledge base from ``paths`` (default: the built-in rules and the user's
    packs, see ``pack_paths``), cached."""
    files = rule_files(pack_paths(packs) if paths is None else paths)
    if not cache:
        return build(files)
    from painadvisor.kb import cache as kbcache

    where = kbcache.cache_path(files)
    kb = kbcache.load(where)
    if kb is not None:
        vocabulary.extend(vocabulary.fact_from_json(text) for text in kb.pack_facts)
    else:
        with kbcache.without_gc():
            kb = build(files)
        kbcache.store(where, kb)  # without the index: building it again is quicker than reading it
    return kb


def build(files: list[Path]) -> KnowledgeBase:
    """Read and validate rule files; every problem found is reported at once (``kb/reader.py``,
    imported only when the cache cannot serve)."""
    from painadvisor.kb.reader import build as read_and_check

    return read_and_check(files)
