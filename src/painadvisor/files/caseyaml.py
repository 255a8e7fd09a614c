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

from painadvisor.files.reading import LocatedDict, LocatedList

# YAML 1.1 plain scalars this reads: a lower-case word (letters, digits, '_', and single '.' or
# '-' between them; starting with a letter) or a decimal whole number without a leading zero.
# YAML 1.1 also reads some words as yes/no or null: those are taken as PyYAML takes them, or
# left to PyYAML.  (Plain string tests, not regular expressions: compiling those cost more than
# reading the file.)
_WORD_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_KEY_CHARACTERS = _WORD_CHARACTERS
# A quoted word is text whatever it says ("yes", "10"), as long as nothing in it needs YAML's
# escapes or could end the quote, a list or the line: letters, digits, spaces and . - _ ( ) / +
_QUOTED_CHARACTERS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 ._()/+-")
_BOOLEANS = {"yes": True, "true": True, "on": True, "no": False, "false": False, "off": False}
_UNSURE = {"null", "nan", "inf", "y", "n"}  # left to PyYAML


def _is_word(text: str) -> bool:
    if not text or not "a" <= text[0] <= "z":
        return False
    after_separator = False
    for character in text[1:]:
        if character in ".-":
            if after_separator:
                return False
            after_separator = True
        elif character in _WORD_CHARACTERS:
            after_separator = False
        else:
            return False
    return not after_separator


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit() and (text == "0" or (text[0] != "0" and len(text) <= 9))


def _key_and_value(line: str) -> tuple[str, str] | None:
    """A ``key:`` line's key and value (empty when nothing follows), or None."""
    key, colon, rest = line.partition(":")
    if not colon or not key or not ("a" <= key[0] <= "z" or key[0] == "_") or not set(key) <= _KEY_CHARACTERS:
        return None
    if rest and rest[0] != " ":
        return None  # 'key:value' is one plain scalar in YAML
    return key, rest.strip(" ")


def _item(line: str) -> str | None:
    """A block list item's value ('  - value', indented two or four spaces), or None."""
    indent = len(line) - len(line.lstrip(" "))
    if indent not in (2, 4) or not line.startswith("- ", indent):
        return None
    return line[indent + 2:].strip(" ")


class _NotSimple(Exception):
    pass


def _atom(text: str) -> str | int | bool:
    if _is_number(text):
        return int(text)
    if len(text) >= 2 and text[0] in "\"'" and text[-1] == text[0] and set(text[1:-1]) <= _QUOTED_CHARACTERS:
        return text[1:-1]
    if not _is_word(text) or text in _UNSURE:
        raise _NotSimple
    return _BOOLEANS.get(text, text)


def _value(text: str) -> str | int | bool | LocatedList:
    if text.startswith("[") and text.endswith("]"):
        inner = text[1:-1].strip(" ")
        items = LocatedList()
        if inner:
            for part in inner.split(","):
                items.append(_atom(part.strip(" ")))
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
    # Plain ASCII only, no control character but the line end: YAML ends lines at other
    # characters too (U+2028, U+0085 ...), refuses most controls and treats other spaces as text.
    if not text.isascii() or not all(" " <= character < "\x7f" or character == "\n" for character in text):
        raise _NotSimple
    mapping = LocatedDict()
    pending: str | None = None  # a key with no value on its line, waiting for its block list
    items: LocatedList | None = None
    indent = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip(" ")
        if not stripped or stripped.startswith("#"):
            continue
        line = _without_comment(raw).rstrip(" ")
        item = _item(line)
        if item is not None:
            own_indent = len(line) - len(line.lstrip(" "))
            if pending is None or (items is not None and own_indent != indent):
                raise _NotSimple
            if items is None:
                items, indent = LocatedList(), own_indent
                items.line = number
            items.append(_atom(item))
            items.item_lines.append(number)
            continue
        if pending is not None:
            _close(mapping, pending, items)
            pending, items = None, None
        found = _key_and_value(line)
        if found is None or found[0] in mapping:
            raise _NotSimple
        key, value = found
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
