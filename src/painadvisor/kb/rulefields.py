"""Reading the fields of a rule entry: checked converters and the condition parser.

Each converter takes the raw value and its line and returns the checked value or
raises ``FieldError`` (message and line), which the reader turns into one
``file:line: message`` problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from painadvisor.errors import strip_controls
from painadvisor.kb import vocabulary
from painadvisor.kb.models import AllOf, AnyOf, Choice, Condition, Leaf, Not
from painadvisor.kb.vocabulary import Kind

MAX_WEIGHT = 10.0
_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")

LEAF_KEYS = ("fact", "value", "any_of", "at_least", "at_most")
EVIDENCE_KEYS = frozenset(("weight", "note"))
NO_KEYS: frozenset[str] = frozenset()


def parse_condition(raw: Any, line: int | None, ignore: frozenset[str] = NO_KEYS, *,
                    negated: bool = False) -> Condition:
    """A condition from its mapping (keys in ``ignore`` belong to the mapping's owner).
    ``negated``: the condition sits under a 'not' (see ``location_values``)."""
    if not isinstance(raw, dict):
        raise FieldError("a condition must be a mapping", line)
    line = line_of(raw) or line
    forms = [key for key in ("fact", "all", "any", "not") if key in raw]
    if len(forms) != 1:
        raise FieldError("a condition needs exactly one of 'fact', 'all', 'any' or 'not'", line)
    form = forms[0]
    if form == "fact":
        return _leaf(raw, line, ignore, negated=negated)
    extra = [key for key in raw if key != form and key not in ignore]
    if extra:
        raise FieldError(f"unknown key '{extra[0]}' beside '{form}'", line_of(raw, extra[0]))
    inner = raw[form]
    if form == "not":
        return Not(parse_condition(inner, line_of(raw, "not"), negated=not negated))
    if not isinstance(inner, list) or not inner:
        raise FieldError(f"'{form}' must be a non-empty list of conditions", line_of(raw, form))
    parts = tuple(parse_condition(item, item_line, negated=negated)
                  for item, item_line in zip(inner, item_lines(inner), strict=True))
    return AllOf(parts) if form == "all" else AnyOf(parts)


def _leaf(raw: dict[str, Any], line: int | None, ignore: frozenset[str] = NO_KEYS, *, negated: bool = False) -> Leaf:
    for key in raw:
        if key not in LEAF_KEYS and key not in ignore:
            raise FieldError(f"unknown key '{key}'{hint(key, LEAF_KEYS)}", line_of(raw, key))
    fact_id = raw["fact"]
    if not isinstance(fact_id, str) or fact_id not in vocabulary.FACTS_BY_ID:
        raise FieldError(f"unknown fact '{fact_id}'{hint(str(fact_id), list(vocabulary.FACTS_BY_ID))}",
                          line_of(raw, "fact"))
    fact = vocabulary.FACTS_BY_ID[fact_id]
    tests = [key for key in ("value", "any_of", "at_least", "at_most") if key in raw]
    if fact.kind is Kind.TEXT:
        raise FieldError(f"'{fact.id}' is free text and cannot be tested", line_of(raw, "fact"))
    if fact.kind is Kind.NUMBER:
        if not tests or not set(tests) <= {"at_least", "at_most"}:
            raise FieldError(f"'{fact.id}' is a number: test it with 'at_least' and/or 'at_most'", line)
        bounds = {key: _bound(fact, raw[key], line_of(raw, key)) for key in tests}
        return Leaf(fact.id, at_least=bounds.get("at_least"), at_most=bounds.get("at_most"))
    if tests not in (["value"], ["any_of"]):
        raise FieldError(f"'{fact.id}' needs exactly one of 'value' or 'any_of'", line)
    if fact.kind is Kind.YES_NO:
        if tests != ["value"] or not isinstance(raw["value"], bool):
            raise FieldError(f"'{fact.id}' is yes/no: use 'value: true' or 'value: false'", line_of(raw, tests[0]))
        return Leaf(fact.id, values=frozenset([raw["value"]]))
    items = raw["any_of"] if tests == ["any_of"] else [raw["value"]]
    if not isinstance(items, list) or not items:
        raise FieldError("'any_of' must be a non-empty list", line_of(raw, tests[0]))
    for item in items:
        if item not in fact.values:
            raise FieldError(f"{fact.id}: '{item}' is not an allowed value{hint(str(item), fact.values)}",
                              line_of(raw, tests[0]))
    if fact.id == "location":
        return Leaf(fact.id, values=location_values(items, parents=not negated))
    return Leaf(fact.id, values=frozenset(items))


def location_values(items: Iterable[str], *, parents: bool = True) -> frozenset[str | bool]:
    """The places a location test covers: a coarse value stands for every place under it, and a
    runner who can only say the coarse place is matched by a test on at least half of the
    places under it (it might well be one of them).  Under a 'not' that reading would wrongly rule the coarse place out,
    so there (``parents=False``) a coarse place matches only when the rule names it."""
    items = list(items)
    places = {place for item in items for place in vocabulary.places_of(item)} | set(items)
    if parents:  # "might be there": the test covers at least half of the places under the coarse one
        places |= {coarse for coarse, under in vocabulary.PLACES_UNDER.items()
                   if 2 * len(places.intersection(under)) >= len(under)}
    return frozenset(places)


def place_list(raw: Any, line: int | None) -> tuple[str, ...]:
    """A cause's ``places``: location values, coarse ones standing for every place under them."""
    if not isinstance(raw, list) or not raw:
        raise FieldError("must be a non-empty list of locations", line)
    allowed = vocabulary.FACTS_BY_ID["location"].values
    for item in raw:
        if item not in allowed:
            raise FieldError(f"'{item}' is not a location{hint(str(item), allowed)}", line)
    return tuple(dict.fromkeys(place for item in raw for place in vocabulary.places_of(item)))


def _bound(fact: vocabulary.Fact, raw: Any, line: int | None) -> int:
    low, high = fact.minimum or 0, fact.maximum or 10**9
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        raise FieldError(f"'{fact.id}' bound must be a whole number from {low} to {high}", line)
    return raw


# --- plain field converters -----------------------------------------------------------


def required_facts(condition: Condition) -> set[str]:
    """Facts that must have a value for the condition to hold."""
    if isinstance(condition, Leaf):
        return {condition.fact}
    if isinstance(condition, AllOf):
        return set().union(*(required_facts(part) for part in condition.conditions))
    if isinstance(condition, AnyOf):
        return set.intersection(*(required_facts(part) for part in condition.conditions))
    return set()


def line_of(node: Any, key: str | None = None) -> int | None:
    """The line of a mapping (or of one of its keys); None for data without positions (JSON)."""
    from painadvisor.files.reading import LocatedDict

    if isinstance(node, LocatedDict):
        return node.line_of(key) if key is not None else node.line
    return getattr(node, "line", None)


def item_lines(items: list[Any]) -> list[int | None]:
    lines = getattr(items, "item_lines", None)
    return lines if lines is not None else [None] * len(items)


class FieldError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def text(raw: Any, line: int | None) -> str:
    """Plain one-line text: no escape sequence or control character from a rule file ever reaches
    a terminal or a report; runs of white space become one space."""
    cleaned = clean_text(raw) if isinstance(raw, str) else ""
    if not cleaned:
        raise FieldError("must be non-empty text", line)
    return cleaned


def clean_text(raw: str) -> str:
    """``raw`` as one line of literal text: escape sequences and control characters removed, white
    space collapsed.  (Rich markup such as ``[bold]`` stays literal: renderers print via ``Text``.)"""
    return " ".join(strip_controls(raw, keep_whitespace=True).split())


def ident(raw: Any, line: int | None) -> str:
    if not isinstance(raw, str) or not _ID.fullmatch(raw):
        raise FieldError(f"'{raw}' is not a valid id (lower-case letters, digits and dashes)", line)
    return raw


def id_list(raw: Any, line: int | None, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(raw, list) or (not raw and not allow_empty):
        raise FieldError("must be a non-empty list of ids", line)
    return tuple(ident(item, line) for item in raw)


def anything(raw: Any, line: int | None) -> Any:
    return raw


def flag(raw: Any, line: int | None) -> bool:
    if not isinstance(raw, bool):
        raise FieldError("must be true or false", line)
    return raw


def fact_id(raw: Any, line: int | None) -> str:
    if not isinstance(raw, str) or raw not in vocabulary.FACTS_BY_ID:
        raise FieldError(f"unknown fact '{raw}'{hint(str(raw), list(vocabulary.FACTS_BY_ID))}", line)
    return raw


def choices(fact_id: str, raw: Any, line: int | None) -> tuple[Choice, ...]:
    """A question's choices: given ones checked against the fact, else the fact's own values."""
    fact = vocabulary.FACTS_BY_ID[fact_id]
    if raw is None:
        if fact.kind is Kind.YES_NO:
            return (Choice(True, "yes"), Choice(False, "no"))
        return tuple(Choice(value, fact.value_label(value)) for value in fact.values)  # the vocabulary's words
    if fact.kind not in (Kind.ONE, Kind.MANY, Kind.YES_NO):
        raise FieldError(f"'{fact_id}' is a {fact.kind.value} fact and takes no choices", line)
    if not isinstance(raw, list) or not raw:
        raise FieldError("must be a non-empty list", line)
    allowed: tuple[object, ...] = (True, False) if fact.kind is Kind.YES_NO else fact.values
    choices = []
    for item, item_line in zip(raw, item_lines(raw), strict=True):
        if not isinstance(item, dict) or set(item) - {"value", "label", "group"} or "value" not in item:
            raise FieldError("each choice is a mapping of 'value', 'label' and optional 'group'", item_line)
        if item["value"] not in allowed:
            raise FieldError(f"{fact_id}: '{item['value']}' is not an allowed value"
                              f"{hint(str(item['value']), fact.values)}", item_line)
        label = text(item["label"], item_line) if "label" in item else fact.value_label(str(item["value"]))
        group = text(item["group"], item_line) if "group" in item else ""
        choices.append(Choice(item["value"], label, group))
    return tuple(choices)


def year(raw: Any, line: int | None) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1800 <= raw <= 2100:
        raise FieldError("must be a year such as 2002", line)
    return raw


def base_rate(raw: Any, line: int | None) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw <= 1:
        raise FieldError("must be a share between 0 and 1, such as 0.05", line)
    return float(raw)


def priority(raw: Any, line: int | None) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= 100:
        raise FieldError("priority must be a whole number from 0 (first) to 100", line)
    return raw


def weight(raw: Any, line: int | None) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < abs(raw) <= MAX_WEIGHT:
        raise FieldError(f"weight must be a non-zero number from -{MAX_WEIGHT:g} to {MAX_WEIGHT:g}", line)
    return float(raw)


def choice(allowed: tuple[str, ...]) -> Callable[[Any, int | None], str]:
    def convert(raw: Any, line: int | None) -> str:
        if raw not in allowed:
            raise FieldError(f"'{raw}' is not one of {', '.join(allowed)}", line)
        return str(raw)
    return convert


def hint(word: str, choices: Iterable[str]) -> str:
    return vocabulary.suggest(word, list(choices))
