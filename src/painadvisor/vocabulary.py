"""The case vocabulary: every fact a case may hold, its kind and its allowed values.

This mirrors ``shared/intake.md``, which is a contract: ids and values may be added
here, never renamed or dropped.  Everything that reads a case (flags, case files,
the knowledge base loader) checks it against this one table.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from painadvisor.errors import CaseError


class Kind(StrEnum):
    ONE = "one of"
    MANY = "any of"
    YES_NO = "yes/no"
    NUMBER = "whole number"
    TEXT = "free text"


@dataclass(frozen=True)
class Fact:
    id: str
    kind: Kind
    label: str  # a short plain-words name, used in reports and "would help" lists
    values: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None

    @property
    def flag(self) -> str:
        return "--" + self.id.replace("_", "-")


NOTE_MAX_CHARS = 500

FACTS: tuple[Fact, ...] = (
    # Where it hurts
    Fact("location", Kind.ONE, "where it hurts", (
        "hip.outer", "hip.groin", "thigh.front", "thigh.back", "knee.front",
        "knee.below-kneecap", "knee.outer", "knee.inner", "knee.back", "knee.inside",
        "shin.inner", "shin.front", "calf", "achilles", "heel.bottom", "foot.arch",
        "foot.forefoot", "foot.top", "ankle",
    )),
    Fact("side", Kind.ONE, "which side", ("left", "right", "both")),
    Fact("pain_type", Kind.ONE, "what the pain feels like",
         ("ache", "sharp", "burning", "tight", "cramp", "throbbing")),
    Fact("spread", Kind.ONE, "how big the painful spot is", ("pinpoint", "area", "diffuse")),
    # When and how it started
    Fact("onset", Kind.ONE, "how it started", ("gradual", "sudden")),
    Fact("pop", Kind.YES_NO, "a pop, snap or kick when it started"),
    Fact("when", Kind.MANY, "when it hurts", (
        "start-of-run", "after-distance", "during-run", "after-run", "next-day",
        "at-rest", "at-night", "morning-first-steps", "all-the-time",
    )),
    Fact("eases_when_warm", Kind.YES_NO, "eases once warmed up"),
    Fact("worse_with", Kind.MANY, "what makes it worse", (
        "stairs-down", "stairs-up", "downhill", "uphill", "squatting", "sitting-long",
        "jumping", "twisting", "hopping", "walking", "speedwork", "kneeling",
    )),
    Fact("duration_days", Kind.NUMBER, "days since it started", minimum=0, maximum=36500),
    Fact("trend", Kind.ONE, "getting better or worse", ("better", "same", "worse")),
    Fact("severity", Kind.NUMBER, "how bad (0-10)", minimum=0, maximum=10),
    # What else is going on
    Fact("signs", Kind.MANY, "other signs", (
        "swelling", "redness", "warmth", "bruising", "locking", "giving-way", "clicking",
        "grinding", "numbness", "tingling", "cold-pale-foot", "bone-tender", "deformity",
        "calf-swollen-one-side", "dark-urine", "fever", "cannot-bear-weight",
        "weak-push-off", "lump", "stiffness",
    )),
    Fact("recent_immobility", Kind.YES_NO, "long flight, drive, bed rest, surgery or cast lately"),
    Fact("previous_same_injury", Kind.YES_NO, "had this before"),
    Fact("note", Kind.TEXT, "your note", maximum=NOTE_MAX_CHARS),
    # The runner and the training
    Fact("age", Kind.NUMBER, "age", minimum=10, maximum=100),
    Fact("sex", Kind.ONE, "sex", ("female", "male", "other")),
    Fact("overweight", Kind.YES_NO, "overweight"),
    Fact("experience", Kind.ONE, "running experience", ("new", "returning", "regular")),
    Fact("load_change", Kind.ONE, "recent change in training load", ("none", "small", "large")),
    Fact("hard_sessions", Kind.YES_NO, "recent speedwork, races or fast runs"),
    Fact("surface", Kind.MANY, "running surfaces", (
        "road", "concrete", "track", "treadmill", "trail", "cambered", "grass", "sand",
    )),
    Fact("hills", Kind.ONE, "hills in training", ("none", "some", "lots")),
    Fact("shoes", Kind.ONE, "shoes", ("fine", "worn-out", "recently-changed", "unsuitable")),
    Fact("warmup", Kind.YES_NO, "usually warms up"),
    Fact("stretch_after", Kind.YES_NO, "usually stretches or cools down after"),
    Fact("foot_strike", Kind.ONE, "foot strike", ("heel", "midfoot", "forefoot", "unknown")),
    Fact("overstriding", Kind.YES_NO, "long stride, landing far in front"),
    Fact("foot_type", Kind.ONE, "foot type", ("flat", "normal", "high-arch", "unknown")),
)

FACTS_BY_ID: Mapping[str, Fact] = {fact.id: fact for fact in FACTS}

FactValue = str | bool | int | tuple[str, ...]
Case = Mapping[str, FactValue]

_TRUE_WORDS = {"true", "yes", "y"}
_FALSE_WORDS = {"false", "no", "n"}


def suggest(word: str, choices: tuple[str, ...] | list[str]) -> str:
    """A "did you mean" hint, or an empty string."""
    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
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
    elif isinstance(raw, str) and raw.strip().isdigit() and len(raw.strip()) < 10:
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
