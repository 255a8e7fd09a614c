"""The plain YAML that case files are written in, read without PyYAML.

Importing PyYAML takes longer than the whole advice, and a case file is nearly always a
flat list of ``fact: value`` lines.  This reads exactly that subset: top-level keys, each
with one plain word, a quoted word or a whole number, a flow list ``[a, b]`` or a block
list of such items, and comments.  Anything else (quotes, free text, nesting, anchors, tags, tabs, document
markers, a value YAML would read as something other than text, a number or yes/no) returns
None, and the caller reads the file with PyYAML.  So the result is always what PyYAML gives
(``tests/test_caseyaml.py`` checks that against PyYAML on generated files).
"""

from __future__ import annotations

import re

from painadvisor.files.reading import LocatedDict, LocatedList

# A key, then ':' and either the end of the line or a space and the value.
_KEY = re.compile(r"([a-z_][a-z0-9_]*):(?: +(.*?))?\s*$")
_ITEM = re.compile(r"(  |    )- +(.*?)\s*$")
# YAML 1.1 plain scalars this reads: a lower-case word (letters, digits, '.', '-', '_'; starting
# with a letter) or a decimal whole number without a leading zero.  YAML 1.1 also reads some
# words as yes/no or null: those are taken as PyYAML takes them, or left to PyYAML.
_WORD = re.compile(r"[a-z][a-z0-9_]*(?:[.-][a-z0-9_]+)*")
_NUMBER = re.compile(r"0|[1-9][0-9]{0,8}")
# A quoted word is text whatever it says ("yes", "10"), as long as nothing in it needs YAML's
# escapes or could end the quote, a list or the line: letters, digits, spaces and . - _ ( ) / +
_QUOTED = re.compile(r"""(["'])([A-Za-z0-9 ._()/+-]*)\1""")
_BOOLEANS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_UNSURE = {"null", "nan", "inf", "y", "n"}  # left to PyYAML


class _NotSimple(Exception):
    pass


def _atom(text: str) -> str | int | bool:
    if _NUMBER.fullmatch(text):
        return int(text)
    quoted = _QUOTED.fullmatch(text)
    if quoted is not None:
        return quoted.group(2)
    if not _WORD.fullmatch(text) or text in _UNSURE:
        raise _NotSimple
    return _BOOLEANS.get(text, text)


def _value(text: str) -> str | int | bool | LocatedList:
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip()
        items = LocatedList()
        if inner:
            for part in inner.split(","):
                items.append(_atom(part.strip()))
        return items
    return _atom(text)


def _without_comment(line: str) -> str:
    """The line without a trailing comment (' #' starts one; '#' inside a word would not)."""
    at = line.find(" #")
    return line if at < 0 else line[:at]


def read_simple_case(text: str) -> LocatedDict | None:
    """The mapping a simple case file holds, as PyYAML would read it, or None when the file is
    not in the simple subset (then PyYAML must read it)."""
    try:
        return _read(text)
    except _NotSimple:
        return None


def _read(text: str) -> LocatedDict:
    if "\t" in text or "\r" in text:
        raise _NotSimple
    mapping = LocatedDict()
    pending: str | None = None  # a key with no value on its line, waiting for its block list
    items: LocatedList | None = None
    indent = ""
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        line = _without_comment(raw)
        item = _ITEM.fullmatch(line)
        if item is not None:
            if pending is None or (items is not None and item.group(1) != indent):
                raise _NotSimple
            if items is None:
                items, indent = LocatedList(), item.group(1)
                items.line = number
            items.append(_atom(item.group(2)))
            items.item_lines.append(number)
            continue
        if pending is not None:
            _close(mapping, pending, items)
            pending, items = None, None
        found = _KEY.fullmatch(line)
        if found is None or found.group(1) in mapping or found.group(1) == pending:
            raise _NotSimple
        key, value = found.group(1), found.group(2)
        mapping.key_lines[key] = number
        if mapping.line is None:
            mapping.line = number
        if not value:
            pending = key
            continue
        parsed = _value(value)
        if isinstance(parsed, LocatedList):
            parsed.line = number
            parsed.item_lines.extend([number] * len(parsed))
        mapping[key] = parsed
    if pending is not None:
        _close(mapping, pending, items)
    if not mapping:
        raise _NotSimple  # an empty or comment-only file: PyYAML says what it is
    return mapping


def _close(mapping: LocatedDict, key: str, items: LocatedList | None) -> None:
    if items is None:
        raise _NotSimple  # a key with nothing under it is null in YAML: left to PyYAML
    mapping[key] = items
