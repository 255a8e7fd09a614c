"""Load the YAML knowledge base and validate it into frozen objects.

Every problem is reported as ``file:line: message``, all at once, so that a
broken rule can never exist as an object.  Nothing in a rule file is executed:
conditions are plain data that the engine interprets.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from painadvisor import vocabulary
from painadvisor.conditions import satisfiable
from painadvisor.errors import PainAdvisorError, RuleError, UsageError
from painadvisor.models import (
    AREAS,
    TIP_KINDS,
    TRIAGE_LEVELS,
    AllOf,
    AnyOf,
    Cause,
    Choice,
    Condition,
    Evidence,
    Example,
    KnowledgeBase,
    Leaf,
    Not,
    Question,
    RedFlag,
    Source,
    Tip,
)
from painadvisor.vocabulary import Kind
from painadvisor.yamlio import LocatedDict, load_json, load_yaml, read_text

SECTIONS = ("sources", "causes", "red_flags", "tips", "questions", "examples")
MAX_WEIGHT = 10.0
_ID = re.compile(r"^[a-z0-9]+(?:[-.][a-z0-9]+)*$")


def builtin_rules_dir() -> Path:
    """The rules shipped in the wheel, or the repository's ``rules/`` in a checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / "rules"
    return packaged if packaged.is_dir() else here.parents[1] / "rules"


RULE_SUFFIXES = (".yaml", ".yml", ".json")


def rule_files(paths: Iterable[Path]) -> list[Path]:
    """The rule files in ``paths``: files as given, folders' *.yaml, *.yml and *.json in name order."""
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            files.extend(sorted(item for item in path.iterdir() if item.suffix in RULE_SUFFIXES))
        else:
            files.append(path)
    return files


def pack_paths(extra: Iterable[Path] = ()) -> list[Path]:
    """The built-in rules, then the packs in ``$PAINADVISOR_RULES`` (a path list), then ``extra``."""
    listed = [Path(item) for item in os.environ.get("PAINADVISOR_RULES", "").split(os.pathsep) if item.strip()]
    paths = [builtin_rules_dir(), *listed, *extra]
    for path in paths[1:]:
        if not path.exists():
            raise UsageError(f"no rule pack at {path} (from --rules or PAINADVISOR_RULES)")
    return paths


def load_knowledge_base(paths: Iterable[Path] | None = None, *, cache: bool = True,
                        packs: Iterable[Path] = ()) -> KnowledgeBase:
    """The validated knowledge base from ``paths`` (default: the built-in rules and the user's
    packs, see ``pack_paths``), cached."""
    files = rule_files(pack_paths(packs) if paths is None else paths)
    if not cache:
        return build(files)
    from painadvisor import kbcache

    where = kbcache.cache_path(files)
    kb = kbcache.load(where)
    if kb is None:
        from painadvisor.scoring import index_of

        with kbcache.without_gc():
            kb = build(files)
            index_of(kb)  # cached with it
        kbcache.store(where, kb)
    return kb


def build(files: list[Path]) -> KnowledgeBase:
    """Read and validate rule files; every problem found is reported at once."""
    reader = _Reader()
    for path in files:
        try:
            text = read_text(path)
            is_json = path.suffix == ".json"
            document = load_json(text, str(path)) if is_json else load_yaml(text, str(path))
        except PainAdvisorError as err:
            reader.problems.append(str(err))
            continue
        found = len(reader.problems)
        reader.read_file(document, str(path))
        if is_json and len(reader.problems) > found:
            reader.problems[found:] = _located_problems(text, str(path), reader.problems[found:])
    reader.check_references()
    reader.check_reachable()
    if reader.problems:
        raise RuleError(reader.problems)
    return KnowledgeBase(
        causes=tuple(reader.causes.values()),
        red_flags=tuple(reader.red_flags.values()),
        tips=tuple(reader.tips.values()),
        sources=dict(reader.sources),
        questions=tuple(reader.questions.values()),
        examples=tuple(reader.examples.values()),
    )


def _located_problems(text: str, name: str, problems: list[str]) -> list[str]:
    """A JSON file's problems again with line numbers: JSON is YAML, whose nodes know their lines
    (JSON is read without them, which is several times faster)."""
    try:
        located = _Reader()
        located.read_file(load_yaml(text, name), name)
    except PainAdvisorError:
        return problems
    elsewhere = [problem for problem in problems if "(first in " in problem]  # duplicates across files
    return [*located.problems, *(problem for problem in elsewhere if problem not in located.problems)] or problems


class _Reader:
    """Walks rule documents, collecting objects and every problem found."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.sources: dict[str, Source] = {}
        self.causes: dict[str, Cause] = {}
        self.red_flags: dict[str, RedFlag] = {}
        self.tips: dict[str, Tip] = {}
        self.questions: dict[str, Question] = {}
        self.examples: dict[str, Example] = {}
        self.path = ""
        self.cited: list[tuple[str, int | None, str]] = []  # (origin, line, source id)
        self.tip_causes: list[tuple[str, int | None, str]] = []
        self.flag_refs: list[tuple[str, int | None, str]] = []

    def problem(self, line: int | None, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}")

    # --- documents and sections --------------------------------------------------

    def read_file(self, document: Any, path: str) -> None:
        self.path = path
        if document is None:
            self.problem(None, "file is empty")
            return
        if not isinstance(document, dict):
            self.problem(getattr(document, "line", None), "a rule file must be a mapping of sections")
            return
        for key in document:
            if key not in SECTIONS:
                self.problem(_line(document, key), f"unknown section '{key}'{_hint(key, SECTIONS)}; "
                             f"allowed: {', '.join(SECTIONS)}")
        readers: dict[str, tuple[Callable[[dict[str, Any]], Any], dict[str, Any]]] = {
            "sources": (self.read_source, self.sources),
            "causes": (self.read_cause, self.causes),
            "red_flags": (self.read_red_flag, self.red_flags),
            "tips": (self.read_tip, self.tips),
            "questions": (self.read_question, self.questions),
            "examples": (self.read_example, self.examples),
        }
        for section, (read, into) in readers.items():
            if section in document:
                self.read_section(document, section, read, into)

    def read_section(self, document: dict[str, Any], section: str,
                     read: Callable[[dict[str, Any]], Any], into: dict[str, Any]) -> None:
        entries = document[section]
        if not isinstance(entries, list):
            self.problem(_line(document, section), f"'{section}' must be a list")
            return
        for entry, line in zip(entries, _item_lines(entries), strict=True):
            if not isinstance(entry, dict):
                self.problem(line, f"each entry of '{section}' must be a mapping")
                continue
            item = read(entry)
            if item is None:
                continue
            overrides = entry.get("override") is True
            if item.id in into and not overrides:
                self.problem(_line(entry, "id"), f"duplicate id '{item.id}' (first in {into[item.id].origin}); "
                             "add 'override: true' to replace it")
                continue
            if overrides and item.id not in into:
                self.problem(_line(entry, "override"), f"'{item.id}' says override: true, but no earlier "
                             f"'{item.id}' is loaded to override")
                continue
            into[item.id] = item

    # --- entries -----------------------------------------------------------------

    def read_source(self, entry: dict[str, Any]) -> Source | None:
        got = self.fields(entry, "source", {"id": _id, "authors": _text, "year": _year,
                                            "title": _text, "published": _text}, {})
        return Source(**got, origin=self.origin(entry)) if got else None

    def read_cause(self, entry: dict[str, Any]) -> Cause | None:
        got = self.fields(entry, "cause", {
            "id": _id, "name": _text, "area": _choice(AREAS), "level": _choice(TRIAGE_LEVELS),
            "base_rate": _base_rate, "explanation": _text, "evidence": self.evidence_list,
            "sources": self.source_ids,
        }, {"red_flags": self.flag_ids})
        return Cause(**got, origin=self.origin(entry)) if got else None

    def read_red_flag(self, entry: dict[str, Any]) -> RedFlag | None:
        got = self.fields(entry, "red flag", {
            "id": _id, "name": _text, "triage": _choice(TRIAGE_LEVELS[1:]), "message": _text,
            "trigger": self.condition, "sources": self.source_ids,
        }, {"unless_raised": self.flag_ids})
        return RedFlag(**got, origin=self.origin(entry)) if got else None

    def read_tip(self, entry: dict[str, Any]) -> Tip | None:
        got = self.fields(entry, "tip", {
            "id": _id, "kind": _choice(TIP_KINDS), "text": _text, "sources": self.source_ids,
        }, {"for_causes": self.cause_ids, "when": self.condition,
            "max_triage": _choice(TRIAGE_LEVELS[:2])})
        return Tip(**got, origin=self.origin(entry)) if got else None

    def read_question(self, entry: dict[str, Any]) -> Question | None:
        got = self.fields(entry, "question", {"id": _id, "fact": _fact_id, "text": _text}, {
            "help": _text, "choices": _anything, "none_label": _text, "when": self.condition,
            "start": _flag, "screens": self.flag_ids, "screen_when": self.condition,
        })
        if got is None:
            return None
        try:
            got["choices"] = _choices(got["fact"], entry.get("choices"), _line(entry, "choices"))
        except _FieldError as err:
            self.problem(err.line, f"question choices: {err}")
            return None
        return Question(**got, origin=self.origin(entry))

    def read_example(self, entry: dict[str, Any]) -> Example | None:
        got = self.fields(entry, "example", {"id": _id, "case": _anything, "expect": _anything}, {})
        if got is None:
            return None
        try:
            case = vocabulary.parse_case(got["case"]) if isinstance(got["case"], dict) else None
        except PainAdvisorError as err:
            self.problem(_line(entry, "case"), f"example case: {err}")
            return None
        expect = got["expect"]
        allowed = {"cause", "also_ok", "triage", "red_flags"}
        if case is None or not isinstance(expect, dict) or not {"cause", "triage"} <= set(expect) <= allowed:
            self.problem(_line(entry), "example: 'case' must be a mapping of facts, and 'expect' a mapping of "
                         "'cause', 'triage' and optional 'also_ok' and 'red_flags'")
            return None
        try:
            triage = _choice(TRIAGE_LEVELS)(expect["triage"], _line(expect, "triage"))
            causes = (_id(expect["cause"], _line(expect, "cause")),
                      *_id_list(expect.get("also_ok", []), _line(expect, "also_ok"), allow_empty=True))
            flags = _id_list(expect.get("red_flags", []), _line(expect, "red_flags"), allow_empty=True)
        except _FieldError as err:
            self.problem(err.line, f"example expect: {err}")
            return None
        self.tip_causes.extend((self.path, _line(expect, "cause"), cause) for cause in causes)
        self.flag_refs.extend((self.path, _line(expect, "red_flags"), flag) for flag in flags)
        return Example(got["id"], case, causes, triage, flags, origin=self.origin(entry))

    def origin(self, entry: dict[str, Any]) -> str:
        line = _line(entry, "id") or _line(entry)
        return f"{self.path}:{line}" if line else self.path

    def fields(self, entry: dict[str, Any], what: str, required: dict[str, Callable[..., Any]],
               optional: dict[str, Callable[..., Any]]) -> dict[str, Any] | None:
        """Check an entry's keys and convert each field; None when anything is wrong.
        Every entry may say ``override: true`` (checked here, used by ``read_section``)."""
        before = len(self.problems)
        allowed = {**required, **optional, "override": _flag}
        for key in entry:
            if key not in allowed:
                self.problem(_line(entry, key), f"{what}: unknown key '{key}'{_hint(key, list(allowed))}")
        for key in required:
            if key not in entry:
                self.problem(_line(entry), f"{what}: missing '{key}'")
        got: dict[str, Any] = {}
        for key, convert in allowed.items():
            if key in entry:
                try:
                    got[key] = convert(entry[key], _line(entry, key))
                except _FieldError as err:
                    self.problem(err.line or _line(entry, key), f"{what} {key}: {err}")
        got.pop("override", None)
        return got if len(self.problems) == before else None

    # --- field converters that need the reader -------------------------------------

    def source_ids(self, raw: Any, line: int | None) -> tuple[str, ...]:
        ids = _id_list(raw, line, allow_empty=False)
        self.cited.extend((self.path, line, source) for source in ids)
        return ids

    def cause_ids(self, raw: Any, line: int | None) -> tuple[str, ...]:
        ids = _id_list(raw, line, allow_empty=False)
        self.tip_causes.extend((self.path, line, cause) for cause in ids)
        return ids

    def flag_ids(self, raw: Any, line: int | None) -> tuple[str, ...]:
        ids = _id_list(raw, line, allow_empty=False)
        self.flag_refs.extend((self.path, line, flag) for flag in ids)
        return ids

    def evidence_list(self, raw: Any, line: int | None) -> tuple[Evidence, ...]:
        if not isinstance(raw, list) or not raw:
            raise _FieldError("must be a non-empty list", line)
        items = []
        for entry, item_line in zip(raw, _item_lines(raw), strict=True):
            if not isinstance(entry, dict):
                raise _FieldError("each item must be a mapping", item_line)
            if "weight" not in entry:
                raise _FieldError("each item needs a 'weight'", _line(entry) or item_line)
            weight = _weight(entry["weight"], _line(entry, "weight"))
            note = _text(entry["note"], _line(entry, "note")) if "note" in entry else ""
            items.append(Evidence(parse_condition(entry, _line(entry) or item_line, ignore=_EVIDENCE_KEYS),
                                  weight, note, _line(entry) or item_line))
        return tuple(items)

    def condition(self, raw: Any, line: int | None) -> Condition:
        return parse_condition(raw, line)

    def check_reachable(self) -> None:
        """Rules that no case could ever use: a cause nothing can raise, a flag or a question whose
        condition can never hold, evidence that can never hold."""
        found: list[str] = []
        for cause in self.causes.values():
            path = cause.origin.rsplit(":", 1)[0] if ":" in cause.origin else cause.origin
            for item in cause.evidence:
                if not satisfiable(item.condition):
                    found.append(f"{path}:{item.line}: evidence of cause '{cause.id}' can never hold")
            if not any(item.weight > 0 and satisfiable(item.condition) for item in cause.evidence):
                found.append(f"{cause.origin}: cause '{cause.id}' can never be raised: none of its evidence "
                             "that could hold adds to it")
        for flag in self.red_flags.values():
            if not satisfiable(flag.trigger):
                found.append(f"{flag.origin}: red flag '{flag.id}' can never be raised: its trigger can never hold")
        for question in self.questions.values():
            if question.when is not None and not satisfiable(question.when):
                found.append(f"{question.origin}: question '{question.id}' can never be asked: "
                             "its 'when' can never hold")
            elif (question.when is not None and vocabulary.FACTS_BY_ID[question.fact].kind is not Kind.MANY
                  and question.fact in _required_facts(question.when)):
                found.append(f"{question.origin}: question '{question.id}' can never be asked: it applies only "
                             f"when '{question.fact}' is already answered")
        self.problems.extend(found)

    def check_references(self) -> None:
        for refs, known, what in ((self.cited, self.sources, "source"),
                                  (self.tip_causes, self.causes, "cause"),
                                  (self.flag_refs, self.red_flags, "red flag")):
            for path, line, ref in refs:
                if ref not in known:
                    self.path = path
                    self.problem(line, f"unknown {what} '{ref}'{_hint(ref, list(known))}")


# --- conditions ---------------------------------------------------------------------

_LEAF_KEYS = ("fact", "value", "any_of", "at_least", "at_most")
_EVIDENCE_KEYS = frozenset(("weight", "note"))
_NO_KEYS: frozenset[str] = frozenset()


def parse_condition(raw: Any, line: int | None, ignore: frozenset[str] = _NO_KEYS) -> Condition:
    """A condition from its mapping (keys in ``ignore`` belong to the mapping's owner)."""
    if not isinstance(raw, dict):
        raise _FieldError("a condition must be a mapping", line)
    line = _line(raw) or line
    forms = [key for key in ("fact", "all", "any", "not") if key in raw]
    if len(forms) != 1:
        raise _FieldError("a condition needs exactly one of 'fact', 'all', 'any' or 'not'", line)
    form = forms[0]
    if form == "fact":
        return _leaf(raw, line, ignore)
    extra = [key for key in raw if key != form and key not in ignore]
    if extra:
        raise _FieldError(f"unknown key '{extra[0]}' beside '{form}'", _line(raw, extra[0]))
    inner = raw[form]
    if form == "not":
        return Not(parse_condition(inner, _line(raw, "not")))
    if not isinstance(inner, list) or not inner:
        raise _FieldError(f"'{form}' must be a non-empty list of conditions", _line(raw, form))
    parts = tuple(parse_condition(item, item_line) for item, item_line in zip(inner, _item_lines(inner), strict=True))
    return AllOf(parts) if form == "all" else AnyOf(parts)


def _leaf(raw: dict[str, Any], line: int | None, ignore: frozenset[str] = _NO_KEYS) -> Leaf:
    for key in raw:
        if key not in _LEAF_KEYS and key not in ignore:
            raise _FieldError(f"unknown key '{key}'{_hint(key, _LEAF_KEYS)}", _line(raw, key))
    fact_id = raw["fact"]
    if not isinstance(fact_id, str) or fact_id not in vocabulary.FACTS_BY_ID:
        raise _FieldError(f"unknown fact '{fact_id}'{_hint(str(fact_id), list(vocabulary.FACTS_BY_ID))}",
                          _line(raw, "fact"))
    fact = vocabulary.FACTS_BY_ID[fact_id]
    tests = [key for key in ("value", "any_of", "at_least", "at_most") if key in raw]
    if fact.kind is Kind.TEXT:
        raise _FieldError(f"'{fact.id}' is free text and cannot be tested", _line(raw, "fact"))
    if fact.kind is Kind.NUMBER:
        if not tests or not set(tests) <= {"at_least", "at_most"}:
            raise _FieldError(f"'{fact.id}' is a number: test it with 'at_least' and/or 'at_most'", line)
        bounds = {key: _bound(fact, raw[key], _line(raw, key)) for key in tests}
        return Leaf(fact.id, at_least=bounds.get("at_least"), at_most=bounds.get("at_most"))
    if tests not in (["value"], ["any_of"]):
        raise _FieldError(f"'{fact.id}' needs exactly one of 'value' or 'any_of'", line)
    if fact.kind is Kind.YES_NO:
        if tests != ["value"] or not isinstance(raw["value"], bool):
            raise _FieldError(f"'{fact.id}' is yes/no: use 'value: true' or 'value: false'", _line(raw, tests[0]))
        return Leaf(fact.id, values=frozenset([raw["value"]]))
    items = raw["any_of"] if tests == ["any_of"] else [raw["value"]]
    if not isinstance(items, list) or not items:
        raise _FieldError("'any_of' must be a non-empty list", _line(raw, tests[0]))
    for item in items:
        if item not in fact.values:
            raise _FieldError(f"{fact.id}: '{item}' is not an allowed value{_hint(str(item), fact.values)}",
                              _line(raw, tests[0]))
    return Leaf(fact.id, values=frozenset(items))


def _bound(fact: vocabulary.Fact, raw: Any, line: int | None) -> int:
    low, high = fact.minimum or 0, fact.maximum or 10**9
    if not isinstance(raw, int) or isinstance(raw, bool) or not low <= raw <= high:
        raise _FieldError(f"'{fact.id}' bound must be a whole number from {low} to {high}", line)
    return raw


# --- plain field converters -----------------------------------------------------------


def _required_facts(condition: Condition) -> set[str]:
    """Facts that must have a value for the condition to hold."""
    if isinstance(condition, Leaf):
        return {condition.fact}
    if isinstance(condition, AllOf):
        return set().union(*(_required_facts(part) for part in condition.conditions))
    if isinstance(condition, AnyOf):
        return set.intersection(*(_required_facts(part) for part in condition.conditions))
    return set()


def _line(node: Any, key: str | None = None) -> int | None:
    """The line of a mapping (or of one of its keys); None for data without positions (JSON)."""
    if isinstance(node, LocatedDict):
        return node.line_of(key) if key is not None else node.line
    return getattr(node, "line", None)


def _item_lines(items: list[Any]) -> list[int | None]:
    lines = getattr(items, "item_lines", None)
    return lines if lines is not None else [None] * len(items)


class _FieldError(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _text(raw: Any, line: int | None) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise _FieldError("must be non-empty text", line)
    return " ".join(raw.split())


def _id(raw: Any, line: int | None) -> str:
    if not isinstance(raw, str) or not _ID.match(raw):
        raise _FieldError(f"'{raw}' is not a valid id (lower-case letters, digits and dashes)", line)
    return raw


def _id_list(raw: Any, line: int | None, *, allow_empty: bool) -> tuple[str, ...]:
    if not isinstance(raw, list) or (not raw and not allow_empty):
        raise _FieldError("must be a non-empty list of ids", line)
    return tuple(_id(item, line) for item in raw)


def _anything(raw: Any, line: int | None) -> Any:
    return raw


def _flag(raw: Any, line: int | None) -> bool:
    if not isinstance(raw, bool):
        raise _FieldError("must be true or false", line)
    return raw


def _fact_id(raw: Any, line: int | None) -> str:
    if not isinstance(raw, str) or raw not in vocabulary.FACTS_BY_ID:
        raise _FieldError(f"unknown fact '{raw}'{_hint(str(raw), list(vocabulary.FACTS_BY_ID))}", line)
    return raw


def _choices(fact_id: str, raw: Any, line: int | None) -> tuple[Choice, ...]:
    """A question's choices: given ones checked against the fact, else the fact's own values."""
    fact = vocabulary.FACTS_BY_ID[fact_id]
    if raw is None:
        if fact.kind is Kind.YES_NO:
            return (Choice(True, "yes"), Choice(False, "no"))
        return tuple(Choice(value, value) for value in fact.values)
    if fact.kind not in (Kind.ONE, Kind.MANY, Kind.YES_NO):
        raise _FieldError(f"'{fact_id}' is a {fact.kind.value} fact and takes no choices", line)
    if not isinstance(raw, list) or not raw:
        raise _FieldError("must be a non-empty list", line)
    allowed: tuple[object, ...] = (True, False) if fact.kind is Kind.YES_NO else fact.values
    choices = []
    for item, item_line in zip(raw, _item_lines(raw), strict=True):
        if not isinstance(item, dict) or set(item) - {"value", "label", "group"} or "value" not in item:
            raise _FieldError("each choice is a mapping of 'value', 'label' and optional 'group'", item_line)
        if item["value"] not in allowed:
            raise _FieldError(f"{fact_id}: '{item['value']}' is not an allowed value"
                              f"{_hint(str(item['value']), fact.values)}", item_line)
        label = _text(item.get("label", str(item["value"])), item_line)
        group = _text(item["group"], item_line) if "group" in item else ""
        choices.append(Choice(item["value"], label, group))
    return tuple(choices)


def _year(raw: Any, line: int | None) -> int:
    if not isinstance(raw, int) or isinstance(raw, bool) or not 1800 <= raw <= 2100:
        raise _FieldError("must be a year such as 2002", line)
    return raw


def _base_rate(raw: Any, line: int | None) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < raw <= 1:
        raise _FieldError("must be a share between 0 and 1, such as 0.05", line)
    return float(raw)


def _weight(raw: Any, line: int | None) -> float:
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not 0 < abs(raw) <= MAX_WEIGHT:
        raise _FieldError(f"weight must be a non-zero number from -{MAX_WEIGHT:g} to {MAX_WEIGHT:g}", line)
    return float(raw)


def _choice(allowed: tuple[str, ...]) -> Callable[[Any, int | None], str]:
    def convert(raw: Any, line: int | None) -> str:
        if raw not in allowed:
            raise _FieldError(f"'{raw}' is not one of {', '.join(allowed)}", line)
        return str(raw)
    return convert


def _hint(word: str, choices: Iterable[str]) -> str:
    return vocabulary.suggest(word, list(choices))
