"""Reading and validating rule files: every problem found, with its file and line.

Only needed when the knowledge base is not served from the cache (``kb/cache.py``).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from painadvisor.errors import PainAdvisorError, RuleError
from painadvisor.files.paths import builtin_rules_dir
from painadvisor.kb import rulefields as field
from painadvisor.kb import vocabulary
from painadvisor.kb.conditions import satisfiable
from painadvisor.kb.models import (
    AREAS,
    TIP_KINDS,
    TRIAGE_LEVELS,
    Cause,
    Condition,
    Escalation,
    Evidence,
    Example,
    KnowledgeBase,
    Question,
    RedFlag,
    Source,
    Tip,
)
from painadvisor.kb.vocabulary import Kind

SECTIONS = ("facts", "sources", "causes", "red_flags", "tips", "questions", "examples")
# Top-level keys beside the sections.  ``overrides_builtin_safety: true`` is the visible choice a pack
# must make to replace (and so perhaps narrow or silence) a red flag of the built-in pack.
PACK_KEYS = ("overrides_builtin_safety",)


def _is_builtin(path: str) -> bool:
    try:
        return Path(path).resolve().parent == builtin_rules_dir()
    except (OSError, RuntimeError):
        return False


def build(files: list[Path]) -> KnowledgeBase:
    """Read and validate rule files; every problem found is reported at once."""
    from painadvisor.files.reading import load_json, read_text
    from painadvisor.files.safeyaml import load_yaml  # only when building: the cache needs no YAML

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
    reader.check_screened()
    if reader.problems:
        vocabulary.retract(reader.pack_facts)  # a pack that does not load adds nothing
        raise RuleError(reader.problems)
    from painadvisor.kb.likelihood import with_derived_evidence

    return KnowledgeBase(
        causes=tuple(with_derived_evidence(cause) for cause in reader.causes.values()),
        red_flags=tuple(reader.red_flags.values()),
        tips=tuple(reader.tips.values()),
        sources=dict(reader.sources),
        questions=tuple(reader.questions.values()),
        examples=tuple(reader.examples.values()),
        overrides=tuple(reader.overrides),
        pack_facts=tuple(vocabulary.fact_to_json(fact) for fact in reader.pack_facts),
    )


def _located_problems(text: str, name: str, problems: list[str]) -> list[str]:
    """A JSON file's problems again with line numbers: JSON is YAML, whose nodes know their lines
    (JSON is read without them, which is several times faster)."""
    from painadvisor.files.safeyaml import load_yaml

    try:
        located = _Reader()
        located.relocating = True  # earlier files are not read again: what they define is not known
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
        self.builtin_flags: set[str] = set()  # red flags the built-in pack defines
        self.overrides: list[tuple[str, str]] = []  # (built-in red flag, the file that replaced it)
        self.pack_facts: list[vocabulary.Fact] = []  # facts the packs added to the vocabulary
        self.in_builtin = False
        self.may_override_safety = False
        self.relocating = False  # reading one JSON file again only for its line numbers

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
        self.read_pack_keys(document)
        for key in document:
            if key not in SECTIONS and key not in PACK_KEYS:
                self.problem(field.line_of(document, key), f"unknown section '{key}'{field.hint(key, SECTIONS)}; "
                             f"allowed: {', '.join(SECTIONS + PACK_KEYS)}")
        if "facts" in document:
            self.read_facts(document)
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

    def read_facts(self, document: dict[str, Any]) -> None:
        """A pack's new facts join the vocabulary at once, so its own rules can use them; the
        built-in vocabulary file is only checked (its facts are already known)."""
        entries = document["facts"]
        lines = dict(zip(map(id, entries), field.item_lines(entries), strict=True)) \
            if isinstance(entries, list) else {}

        def problem(entry: object, message: str) -> None:
            self.problem(lines.get(id(entry)) or field.line_of(document, "facts"), message)

        if self.in_builtin:
            if self.relocating:
                return
            found = vocabulary.read_facts(entries, {}, problem)
            if found != vocabulary.FACTS[:len(found)]:
                self.problem(field.line_of(document, "facts"), "the built-in facts differ from those in use")
            return
        facts = vocabulary.read_facts(entries, vocabulary.FACTS_BY_ID, problem)
        vocabulary.extend(facts)
        self.pack_facts.extend(facts)

    def read_section(self, document: dict[str, Any], section: str,
                     read: Callable[[dict[str, Any]], Any], into: dict[str, Any]) -> None:
        entries = document[section]
        if not isinstance(entries, list):
            self.problem(field.line_of(document, section), f"'{section}' must be a list")
            return
        for entry, line in zip(entries, field.item_lines(entries), strict=True):
            if not isinstance(entry, dict):
                self.problem(line, f"each entry of '{section}' must be a mapping")
                continue
            item = read(entry)
            if item is None:
                continue
            overrides = entry.get("override") is True
            if item.id in into and not overrides:
                self.problem(field.line_of(entry, "id"), f"duplicate id '{item.id}' (first in "
                             f"{into[item.id].origin}); add 'override: true' to replace it")
                continue
            if overrides and item.id not in into and not self.relocating:
                self.problem(field.line_of(entry, "override"), f"'{item.id}' says override: true, but no earlier "
                             f"'{item.id}' is loaded to override")
                continue
            if section == "red_flags" and not self.safe_override(item.id, overrides, field.line_of(entry, "override")):
                continue
            into[item.id] = item

    def read_pack_keys(self, document: dict[str, Any]) -> None:
        """Whether this file is the built-in pack's, and whether it may replace built-in red flags."""
        self.in_builtin = _is_builtin(self.path)
        choice = document.get("overrides_builtin_safety", False)
        if not isinstance(choice, bool):
            self.problem(field.line_of(document, "overrides_builtin_safety"),
                         "overrides_builtin_safety must be true or false")
        self.may_override_safety = choice is True

    def red_flag_origin(self, flag_id: str) -> str:
        flag = self.red_flags.get(flag_id)
        return flag.origin if flag is not None else "the built-in pack"

    def safe_override(self, flag_id: str, overrides: bool, line: int | None) -> bool:
        """A pack may add red flags; replacing a built-in one takes ``overrides_builtin_safety: true``
        at the top of its file, and is recorded (False: refused, and reported)."""
        if self.in_builtin:
            self.builtin_flags.add(flag_id)
            return True
        if not overrides or flag_id not in self.builtin_flags:
            return True
        if not self.may_override_safety:
            self.problem(line, f"red flag '{flag_id}' is built in (first in {self.red_flag_origin(flag_id)}): a pack "
                         "may add red flags, but replacing or narrowing a built-in one needs "
                         "'overrides_builtin_safety: true' at the top of the file")
            return False
        self.overrides.append((flag_id, self.path))
        return True

    # --- entries -----------------------------------------------------------------

    def read_source(self, entry: dict[str, Any]) -> Source | None:
        got = self.fields(entry, "source", {"id": field.ident, "authors": field.text, "year": field.year,
                                            "title": field.text, "published": field.text}, {})
        return Source(**got, origin=self.origin(entry)) if got else None

    def read_cause(self, entry: dict[str, Any]) -> Cause | None:
        got = self.fields(entry, "cause", {
            "id": field.ident, "name": field.text, "area": field.choice(AREAS),
            "level": field.choice(TRIAGE_LEVELS),
            "base_rate": field.base_rate, "explanation": field.text, "evidence": self.evidence_list,
            "sources": self.source_ids,
        }, {"red_flags": self.flag_ids, "places": field.place_list, "escalate": self.escalation})
        return Cause(**got, origin=self.origin(entry)) if got else None

    def escalation(self, raw: Any, line: int | None) -> Escalation:
        if not isinstance(raw, dict) or set(raw) != {"to", "when"}:
            raise field.FieldError("'escalate' needs 'to' (a triage level) and 'when' (a condition)", line)
        return Escalation(field.choice(TRIAGE_LEVELS[1:])(raw["to"], field.line_of(raw, "to")),
                          field.parse_condition(raw["when"], field.line_of(raw, "when")))

    def read_red_flag(self, entry: dict[str, Any]) -> RedFlag | None:
        got = self.fields(entry, "red flag", {
            "id": field.ident, "name": field.text, "triage": field.choice(TRIAGE_LEVELS[1:]), "message": field.text,
            "trigger": self.condition, "sources": self.source_ids,
        }, {"unless_raised": self.flag_ids, "running": field.text, "rule_out": self.cause_ids})
        return RedFlag(**got, origin=self.origin(entry)) if got else None

    def read_tip(self, entry: dict[str, Any]) -> Tip | None:
        got = self.fields(entry, "tip", {
            "id": field.ident, "kind": field.choice(TIP_KINDS), "text": field.text, "sources": self.source_ids,
        }, {"for_causes": self.cause_ids, "for_flags": self.flag_ids, "when": self.condition,
            "max_triage": field.choice(TRIAGE_LEVELS[:2]), "priority": field.priority})
        return Tip(**got, origin=self.origin(entry)) if got else None

    def read_question(self, entry: dict[str, Any]) -> Question | None:
        got = self.fields(entry, "question", {"id": field.ident, "fact": field.fact_id, "text": field.text}, {
            "help": field.text, "choices": field.anything, "none_label": field.text, "when": self.condition,
            "start": field.flag, "core": field.flag, "priority": field.priority, "screens": self.flag_ids,
            "screen_when": self.condition,
        })
        if got is None:
            return None
        try:
            got["choices"] = field.choices(got["fact"], entry.get("choices"), field.line_of(entry, "choices"))
        except field.FieldError as err:
            self.problem(err.line, f"question choices: {err}")
            return None
        return Question(**got, origin=self.origin(entry))

    def read_example(self, entry: dict[str, Any]) -> Example | None:
        got = self.fields(entry, "example", {"id": field.ident, "case": field.anything, "expect": field.anything}, {})
        if got is None:
            return None
        try:
            case = vocabulary.parse_case(got["case"]) if isinstance(got["case"], dict) else None
        except PainAdvisorError as err:
            self.problem(field.line_of(entry, "case"), f"example case: {err}")
            return None
        expect = got["expect"]
        allowed = {"cause", "also_ok", "triage", "red_flags"}
        if case is None or not isinstance(expect, dict) or not {"cause", "triage"} <= set(expect) <= allowed:
            self.problem(field.line_of(entry), "example: 'case' must be a mapping of facts, and 'expect' a mapping of "
                         "'cause', 'triage' and optional 'also_ok' and 'red_flags'")
            return None
        try:
            triage = field.choice(TRIAGE_LEVELS)(expect["triage"], field.line_of(expect, "triage"))
            causes = (field.ident(expect["cause"], field.line_of(expect, "cause")),
                      *field.id_list(expect.get("also_ok", []), field.line_of(expect, "also_ok"), allow_empty=True))
            flags = field.id_list(expect.get("red_flags", []), field.line_of(expect, "red_flags"), allow_empty=True)
        except field.FieldError as err:
            self.problem(err.line, f"example expect: {err}")
            return None
        self.tip_causes.extend((self.path, field.line_of(expect, "cause"), cause) for cause in causes)
        self.flag_refs.extend((self.path, field.line_of(expect, "red_flags"), flag) for flag in flags)
        return Example(got["id"], case, causes, triage, flags, origin=self.origin(entry))

    def origin(self, entry: dict[str, Any]) -> str:
        line = field.line_of(entry, "id") or field.line_of(entry)
        return f"{self.path}:{line}" if line else self.path

    def fields(self, entry: dict[str, Any], what: str, required: dict[str, Callable[..., Any]],
               optional: dict[str, Callable[..., Any]]) -> dict[str, Any] | None:
        """Check an entry's keys and convert each field; None when anything is wrong.
        Every entry may say ``override: true`` (checked here, used by ``read_section``)."""
        before = len(self.problems)
        allowed = {**required, **optional, "override": field.flag}
        for key in entry:
            if key not in allowed:
                self.problem(field.line_of(entry, key), f"{what}: unknown key '{key}'{field.hint(key, list(allowed))}")
        for key in required:
            if key not in entry:
                self.problem(field.line_of(entry), f"{what}: missing '{key}'")
        got: dict[str, Any] = {}
        for key, convert in allowed.items():
            if key in entry:
                try:
                    got[key] = convert(entry[key], field.line_of(entry, key))
                except field.FieldError as err:
                    self.problem(err.line or field.line_of(entry, key), f"{what} {key}: {err}")
        got.pop("override", None)
        return got if len(self.problems) == before else None

    # --- field converters that need the reader -------------------------------------

    def source_ids(self, raw: Any, line: int | None) -> tuple[str, ...]:
        ids = field.id_list(raw, line, allow_empty=False)
        self.cited.extend((self.path, line, source) for source in ids)
        return ids

    def cause_ids(self, raw: Any, line: int | None) -> tuple[str, ...]:
        ids = field.id_list(raw, line, allow_empty=False)
        self.tip_causes.extend((self.path, line, cause) for cause in ids)
        return ids

    def flag_ids(self, raw: Any, line: int | None) -> tuple[str, ...]:
        ids = field.id_list(raw, line, allow_empty=False)
        self.flag_refs.extend((self.path, line, flag) for flag in ids)
        return ids

    def evidence_list(self, raw: Any, line: int | None) -> tuple[Evidence, ...]:
        if not isinstance(raw, list) or not raw:
            raise field.FieldError("must be a non-empty list", line)
        items = []
        for entry, item_line in zip(raw, field.item_lines(raw), strict=True):
            if not isinstance(entry, dict):
                raise field.FieldError("each item must be a mapping", item_line)
            if "weight" not in entry:
                raise field.FieldError("each item needs a 'weight'", field.line_of(entry) or item_line)
            weight = field.weight(entry["weight"], field.line_of(entry, "weight"))
            note = field.text(entry["note"], field.line_of(entry, "note")) if "note" in entry else ""
            line = field.line_of(entry) or item_line
            items.append(Evidence(field.parse_condition(entry, line, ignore=field.EVIDENCE_KEYS), weight, note, line))
        return tuple(items)

    def condition(self, raw: Any, line: int | None) -> Condition:
        return field.parse_condition(raw, line)

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
                  and question.fact in field.required_facts(question.when)):
                found.append(f"{question.origin}: question '{question.id}' can never be asked: it applies only "
                             f"when '{question.fact}' is already answered")
        self.problems.extend(found)

    def check_screened(self) -> None:
        """Every fact or value that can raise a red flag is asked by some question, so the
        consultation can never skip a flag."""
        from painadvisor.kb.screening import unscreened

        for flag, what in unscreened(self.red_flags.values(), self.questions.values()):
            self.problems.append(f"{flag.origin}: red flag '{flag.id}' can be raised by {what}, but no question "
                                 "asks it, so the consultation would never raise it")

    def check_references(self) -> None:
        for refs, known, what in ((self.cited, self.sources, "source"),
                                  (self.tip_causes, self.causes, "cause"),
                                  (self.flag_refs, self.red_flags, "red flag")):
            for path, line, ref in refs:
                if ref not in known:
                    self.path = path
                    self.problem(line, f"unknown {what} '{ref}'{field.hint(ref, list(known))}")


# --- conditions ---------------------------------------------------------------------

