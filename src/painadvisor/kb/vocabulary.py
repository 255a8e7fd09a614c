"""The case vocabulary: every fact a case may hold, its kind, its values and their words.

It is data: ``rules/vocabulary.yaml`` (the contract of ``shared/intake.md``: ids and
values may be added, never renamed or dropped), plus the ``facts`` sections of the
user's rule packs.  Everything that reads or shows a case is derived from it: the
command-line flags, case files, the JSON schema, question choices, report labels.

The built-in file is read once and kept as JSON in the cache folder, so start-up needs
no YAML.  ``FACTS`` and ``FACTS_BY_ID`` are filled in place: a pack's facts are added by
``extend`` when the pack is read, and every module sees them.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable, Mapping
from enum import StrEnum
from pathlib import Path

from painadvisor.errors import CaseError, RuleError


class Kind(StrEnum):
    ONE = "one of"
    MANY = "any of"
    YES_NO = "yes/no"
    NUMBER = "whole number"
    TEXT = "free text"


KIND_WORDS = {"one": Kind.ONE, "many": Kind.MANY, "yes-no": Kind.YES_NO, "number": Kind.NUMBER, "text": Kind.TEXT}


class Fact:
    """One fact of the vocabulary (a light value object: made at every start-up)."""

    __slots__ = ("id", "kind", "label", "values", "minimum", "maximum", "group", "help", "labels", "covers")

    def __init__(self, id: str, kind: Kind, label: str, values: tuple[str, ...] = (),  # noqa: A002
                 minimum: int | None = None, maximum: int | None = None, *, group: str = "", help: str = "",  # noqa: A002
                 labels: Mapping[str, str] | None = None, covers: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.id, self.kind, self.label, self.values = id, kind, label, values
        self.minimum, self.maximum, self.group, self.help = minimum, maximum, group, help
        self.labels: Mapping[str, str] = labels or {}  # value -> its plain words
        self.covers: Mapping[str, tuple[str, ...]] = covers or {}  # a coarse value -> the values under it

    @property
    def flag(self) -> str:
        return "--" + self.id.replace("_", "-")

    def value_label(self, value: str) -> str:
        return self.labels.get(value, value)

    def _key(self) -> tuple[object, ...]:
        return (self.id, self.kind, self.label, self.values, self.minimum, self.maximum, self.group, self.help,
                tuple(sorted(self.labels.items())), tuple(sorted(self.covers.items())))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Fact) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self.id)

    def __repr__(self) -> str:
        return f"Fact({self.id!r}, {self.kind.name})"


FACTS: list[Fact] = []  # in vocabulary order: the built-in facts, then those of packs
FACTS_BY_ID: dict[str, Fact] = {}
# Coarse places stand for every place under them (intake.md v2).  `ankle` is both a place
# (the ankle in general, or its front) and the group of the ankle's sides.
PLACES_UNDER: dict[str, tuple[str, ...]] = {}
COARSE_LOCATIONS: list[str] = []  # the places that only stand for those under them
NOTE_MAX_CHARS = 500
VOCABULARY_FILE = "vocabulary.yaml"
FACT_KEYS = ("id", "kind", "label", "group", "help", "values", "values_of", "minimum", "maximum")
# Names the command line already uses (the options of every command, with and without 'no_'):
# a fact may not take one, or its flag would shadow the option (cli/optiontable.py is checked
# against this list by tests/test_entry.py).
RESERVED = frozenset({
    "case", "case_file", "batch", "format", "output_format", "output", "force", "explain", "save", "no_save",
    "db", "rules", "training", "replay", "help", "version", "install_completion", "show_completion", "flags",
    "all", "everything", "yes", "alone", "cause_id", "record_id", "target", "packs", "ctx",
})
VALUE_KEYS = ("value", "label", "covers")


def places_of(location: str) -> tuple[str, ...]:
    """The precise places a location value stands for (itself, for a precise one)."""
    return PLACES_UNDER.get(location, (location,))


def read_facts(entries: object, known: Mapping[str, Fact],
               problem: Callable[[object, str], None]) -> list[Fact]:
    """The facts of a ``facts`` section; each problem is reported as ``problem(entry, message)``
    and the entry skipped.  ``known`` are the facts defined before (a fact may not be redefined)."""
    if not isinstance(entries, list):
        problem(None, "facts must be a list")
        return []
    found: dict[str, Fact] = {}
    for entry in entries:
        def said(message: str, entry: object = entry) -> None:
            problem(entry, message)

        fact = _read_fact(entry, {**known, **found}, said)
        if fact is not None and _flag_is_free(fact, {**known, **found}, said):
            found[fact.id] = fact
    return list(found.values())  # only the new ones


def _flags(fact: Fact) -> set[str]:
    names = {fact.id}
    if fact.kind is Kind.YES_NO:
        names.add("no_" + fact.id)
    return names


def _flag_is_free(fact: Fact, known: Mapping[str, Fact], problem: Callable[[str], None]) -> bool:
    """A new fact's flags (``--id``, and ``--no-id`` for yes/no) may be neither an option of the
    command line nor another fact's flag."""
    taken = set(RESERVED)
    for other in known.values():
        taken |= _flags(other)
    clash = sorted(_flags(fact) & taken, key=lambda name: (name != fact.id, name))  # its own name first
    if clash:
        flag = "--" + clash[0].replace("_", "-")
        problem(f"fact '{fact.id}': its flag {flag} is already an option or another fact's flag; choose another id")
        return False
    return True


def _read_fact(entry: object, known: Mapping[str, Fact], problem: Callable[[str], None]) -> Fact | None:
    if not isinstance(entry, Mapping):
        problem("a fact must be a mapping with id, kind and label")
        return None
    unknown = [key for key in entry if key not in FACT_KEYS]
    fact_id, kind_word, label = entry.get("id"), entry.get("kind"), entry.get("label")
    if unknown:
        problem(f"fact: unknown key '{unknown[0]}'{suggest(str(unknown[0]), FACT_KEYS)}")
    if not isinstance(fact_id, str) or not fact_id or not all(ch.islower() or ch.isdigit() or ch == "_"
                                                              for ch in fact_id) or not fact_id[0].isalpha():
        problem("fact: id must be lower-case letters, digits and underscores, starting with a letter")
        return None
    if kind_word not in KIND_WORDS:
        problem(f"fact '{fact_id}': kind must be one of {', '.join(KIND_WORDS)}")
        return None
    if not isinstance(label, str) or not label.strip():
        problem(f"fact '{fact_id}': label must be plain words, such as 'how it started'")
        return None
    kind = KIND_WORDS[kind_word]
    texts = {key: entry.get(key, "") for key in ("group", "help")}
    if not all(isinstance(value, str) for value in texts.values()):
        problem(f"fact '{fact_id}': group and help must be text")
        return None
    values, labels, covers = _read_values(fact_id, entry, known, problem) if kind in (Kind.ONE, Kind.MANY) \
        else ((), {}, {})
    if covers and fact_id != "location":
        problem(f"fact '{fact_id}': only where it hurts (location) has values that cover others")
        return None
    if kind in (Kind.ONE, Kind.MANY) and not values:
        problem(f"fact '{fact_id}': a '{kind_word}' fact needs values")
        return None
    limits = {key: entry.get(key) for key in ("minimum", "maximum")}
    if kind is Kind.NUMBER and not all(isinstance(value, int) and not isinstance(value, bool)
                                       for value in limits.values()):
        problem(f"fact '{fact_id}': a number fact needs a whole-number minimum and maximum")
        return None
    if kind is Kind.TEXT:
        if not isinstance(limits["maximum"], int) or isinstance(limits["maximum"], bool) or limits["maximum"] < 1:
            problem(f"fact '{fact_id}': a text fact needs a maximum number of characters")
            return None
        limits["minimum"] = None
    if kind is Kind.NUMBER and limits["minimum"] > limits["maximum"]:  # type: ignore[operator]
        problem(f"fact '{fact_id}': minimum is above maximum")
        return None
    fact = Fact(fact_id, kind, label.strip(), values, limits["minimum"], limits["maximum"],
                group=texts["group"].strip(), help=texts["help"].strip(), labels=labels, covers=covers)
    if fact_id in known:  # the same fact again (a copy of the built-in file) is no change
        if known[fact_id] != fact:
            problem(f"fact '{fact_id}' is already defined; a pack may add facts, never redefine one")
        return None
    return fact


def _read_values(fact_id: str, entry: Mapping[str, object], known: Mapping[str, Fact],
                 problem: Callable[[str], None]) -> tuple[tuple[str, ...], dict[str, str], dict[str, tuple[str, ...]]]:
    shared = entry.get("values_of")
    if shared is not None:
        if shared not in known:
            problem(f"fact '{fact_id}': values_of names no fact defined before it")
            return (), {}, {}
        other = known[str(shared)]
        return other.values, dict(other.labels), {}
    raw = entry.get("values")
    if not isinstance(raw, list):
        problem(f"fact '{fact_id}': values must be a list")
        return (), {}, {}
    values: list[str] = []
    labels: dict[str, str] = {}
    covers: dict[str, tuple[str, ...]] = {}
    for item in raw:
        item = {"value": item} if isinstance(item, str) else item
        value = item.get("value") if isinstance(item, Mapping) else None
        if not isinstance(value, str) or not value.strip() or any(ch.isspace() or ch == "," for ch in value):
            problem(f"fact '{fact_id}': each value needs a 'value' without spaces or commas")
            continue
        extra = [key for key in item if key not in VALUE_KEYS]
        if extra:
            problem(f"fact '{fact_id}' value '{value}': unknown key '{extra[0]}'")
        if value in values:
            problem(f"fact '{fact_id}': value '{value}' is listed twice")
            continue
        values.append(value)
        if isinstance(item.get("label"), str) and item["label"].strip():
            labels[value] = item["label"].strip()
        if item.get("covers") is not None:
            under = item["covers"]
            if not isinstance(under, list) or not all(isinstance(place, str) for place in under):
                problem(f"fact '{fact_id}' value '{value}': covers must be a list of values")
            else:
                covers[value] = tuple(under)
    for value, under in covers.items():
        missing = [place for place in under if place not in values]
        if missing:
            problem(f"fact '{fact_id}' value '{value}': covers '{missing[0]}', which is not one of its values")
    return tuple(values), labels, covers


def retract(facts: Iterable[Fact]) -> None:
    """Take back facts ``extend`` added (a pack that turned out not to load)."""
    for fact in facts:
        if FACTS_BY_ID.get(fact.id) is fact:
            del FACTS_BY_ID[fact.id]
            FACTS.remove(fact)


def extend(facts: Iterable[Fact]) -> None:
    """Make ``facts`` part of the vocabulary (a fact already there, the same, is left as it is)."""
    for fact in facts:
        if FACTS_BY_ID.get(fact.id) == fact:
            continue
        if fact.id in FACTS_BY_ID:
            raise RuleError([f"fact '{fact.id}' is already defined; a pack may add facts, never redefine one"])
        FACTS.append(fact)
        FACTS_BY_ID[fact.id] = fact
        for value, under in fact.covers.items():
            PLACES_UNDER.setdefault(value, under)
            if value not in under and value not in COARSE_LOCATIONS:
                COARSE_LOCATIONS.append(value)


# --- the built-in vocabulary, through its JSON copy in the cache ------------------------------


def _as_json(fact: Fact) -> list[object]:
    return [fact.id, fact.kind.name, fact.label, list(fact.values), fact.minimum, fact.maximum, fact.group,
            fact.help, fact.labels, {value: list(under) for value, under in fact.covers.items()}]


def _from_json(item: list[object]) -> Fact:
    fact_id, kind, label, values, minimum, maximum, group, help_text, labels, covers = item
    return Fact(fact_id, Kind[kind], label, tuple(values), minimum, maximum, group=group,  # type: ignore[arg-type, misc]
                help=help_text, labels=labels, covers={value: tuple(under)  # type: ignore[arg-type]
                                                        for value, under in covers.items()})  # type: ignore[attr-defined]


def fact_to_json(fact: Fact) -> str:
    return json.dumps(_as_json(fact), ensure_ascii=False, separators=(",", ":"))


def fact_from_json(text: str) -> Fact:
    return _from_json(json.loads(text))


def builtin_facts() -> list[Fact]:
    """The facts of ``rules/vocabulary.yaml``: from the cache when it is current, else read again."""
    from painadvisor.files import cachefile
    from painadvisor.files.paths import builtin_rules_dir

    path = builtin_rules_dir() / VOCABULARY_FILE
    folder = cachefile.cache_dir()
    try:
        info, code = path.stat(), os.stat(__file__)
        from painadvisor.version import __version__

        key = (f"painadvisor-vocabulary/1 {__version__} {path} {info.st_size} {info.st_mtime_ns} {info.st_ino} "
               f"{code.st_mtime_ns}\n")
    except OSError:
        key, folder = "", None
    head = key.encode("utf-8", "surrogateescape")  # a folder name need not be UTF-8
    if folder is not None:
        blob = cachefile.read_trusted(folder / "vocabulary.json", 4 * 1024 * 1024)
        if blob is not None and blob.startswith(head):
            try:
                return [_from_json(item) for item in json.loads(blob[len(head):])]
            except (ValueError, TypeError, KeyError):
                pass  # damaged: read the file again
    facts = read_vocabulary_file(path)
    if folder is not None:
        data = json.dumps([_as_json(fact) for fact in facts], separators=(",", ":"))  # ASCII: any text survives
        cachefile.write(folder / "vocabulary.json", head + data.encode(), prefix=".vocabulary-")
    return facts


def read_vocabulary_file(path: Path) -> list[Fact]:
    from painadvisor.files.reading import read_text
    from painadvisor.files.safeyaml import load_yaml

    problems: list[str] = []
    document = load_yaml(read_text(path), str(path))
    entries = document.get("facts") if isinstance(document, Mapping) else None
    facts = read_facts(entries, {}, lambda entry, message: problems.append(f"{path}: {message}"))
    if problems:
        raise RuleError(problems)
    return facts


extend(builtin_facts())

FactValue = str | bool | int | tuple[str, ...]
Case = Mapping[str, FactValue]

_TRUE_WORDS = {"true", "yes", "y"}
_FALSE_WORDS = {"false", "no", "n"}


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """A "did you mean" hint, or an empty string: a close spelling, else an id that the word
    starts or names a part of ("itb" for "itb-syndrome")."""
    word = str(word)
    import difflib  # only for a word that is not known

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not close and len(word) >= 2:
        lowered = word.lower()
        close = [choice for choice in choices if choice.startswith(lowered)
                 or lowered in choice.replace(".", "-").split("-")][:1]
    return f" (did you mean '{close[0]}'?)" if close else ""


def get_fact(fact_id: object) -> Fact:
    if isinstance(fact_id, str) and fact_id in FACTS_BY_ID:
        return FACTS_BY_ID[fact_id]
    hint = suggest(str(fact_id), list(FACTS_BY_ID))
    raise CaseError(f"unknown fact '{_short(fact_id)}'{hint}; known facts: {', '.join(FACTS_BY_ID)}")


def parse_value(fact: Fact, raw: object, name: str | None = None) -> FactValue:
    """Check one raw value (from a flag, YAML or JSON) and return its canonical form.

    ``name`` is how errors refer to the fact (the fact id, or the flag it came from).
    """
    name = name or fact.id
    if fact.kind is Kind.ONE:
        return _choice(fact, raw, name)
    if fact.kind is Kind.MANY:
        items = raw if isinstance(raw, list | tuple) else [raw]
        chosen = {_choice(fact, item, name) for item in items}
        return tuple(value for value in fact.values if value in chosen)
    if fact.kind is Kind.YES_NO:
        return _yes_no(fact, raw, name)
    if fact.kind is Kind.NUMBER:
        return _number(fact, raw, name)
    return _text(fact, raw, name)


def parse_case(raw: Mapping[str, object] | Mapping[object, object]) -> dict[str, FactValue]:
    """Turn a mapping of fact ids to raw values into a case, in vocabulary order."""
    parsed = {get_fact(key).id: parse_value(get_fact(key), value)
              for key, value in raw.items() if value is not None}
    both = set(parsed.get("signs", ())) & set(parsed.get("signs_absent", ()))  # type: ignore[arg-type]
    if both:
        raise CaseError(f"signs_absent: '{sorted(both)[0]}' is also in signs; a sign is either there or not")
    return {fact.id: parsed[fact.id] for fact in FACTS if fact.id in parsed and parsed[fact.id] != ()}


def _choice(fact: Fact, raw: object, name: str) -> str:
    if isinstance(raw, str) and raw in fact.values:
        return raw
    hint = suggest(str(raw), fact.values) if isinstance(raw, str) else ""
    raise CaseError(
        f"{name}: '{_short(raw)}' is not an allowed value{hint}; allowed: {', '.join(fact.values)}"
    )


def _yes_no(fact: Fact, raw: object, name: str) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in _TRUE_WORDS | _FALSE_WORDS:
        return raw.strip().lower() in _TRUE_WORDS
    raise CaseError(f"{name}: '{_short(raw)}' is not yes/no; allowed: true, false")


def _number(fact: Fact, raw: object, name: str) -> int:
    value: int | None = None
    if isinstance(raw, int) and not isinstance(raw, bool):
        value = raw
    elif isinstance(raw, str) and raw.strip().isascii() and raw.strip().isdigit() and len(raw.strip()) < 10:
        value = int(raw.strip())
    if value is None or not (fact.minimum or 0) <= value <= (fact.maximum or value):
        raise CaseError(
            f"{name}: '{_short(raw)}' is not a whole number from {fact.minimum} to {fact.maximum}"
        )
    return value


def _text(fact: Fact, raw: object, name: str) -> str:
    if not isinstance(raw, str):
        raise CaseError(f"{name}: expected text, got '{_short(raw)}'")
    if len(raw) > (fact.maximum or 0):
        raise CaseError(f"{name}: text is {len(raw)} characters long; the limit is {fact.maximum}")
    return raw


def _short(raw: object, limit: int = 40) -> str:
    """A value shown back in an error message: one line, never long."""
    text = repr(raw) if not isinstance(raw, str) else raw
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
