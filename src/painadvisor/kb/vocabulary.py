"""The case vocabulary: every fact a case may hold, its kind and its allowed values.

This mirrors ``shared/intake.md``, which is a contract: ids and values may be added
here, never renamed or dropped.  Everything that reads a case (flags, case files,
the knowledge base loader) checks it against this one table.
"""

from __future__ import annotations

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

# Coarse places stand for every place under them (intake.md v2).  `ankle` is both a place
# (the ankle in general, or its front) and the group of the ankle's sides.
COARSE_LOCATIONS = ("hip", "thigh", "knee", "lower-leg", "heel", "foot")
PLACES_UNDER: dict[str, tuple[str, ...]] = {
    "hip": ("hip.outer", "hip.groin"),
    "thigh": ("thigh.front", "thigh.back", "thigh.inner"),
    "knee": ("knee.front", "knee.below-kneecap", "knee.outer", "knee.inner", "knee.back", "knee.inside"),
    "lower-leg": ("shin.inner", "shin.front", "calf"),
    "heel": ("heel.bottom", "heel.back"),
    "foot": ("foot.arch", "foot.forefoot", "foot.top", "foot.outer", "foot.toes"),
    "ankle": ("ankle", "ankle.inner", "ankle.outer"),
}


def places_of(location: str) -> tuple[str, ...]:
    """The precise places a location value stands for (itself, for a precise one)."""
    return PLACES_UNDER.get(location, (location,))

FACTS: tuple[Fact, ...] = (
    # Where it hurts
    Fact("location", Kind.ONE, "where it hurts", (
        "hip.outer", "hip.groin", "thigh.front", "thigh.back", "knee.front",
        "knee.below-kneecap", "knee.outer", "knee.inner", "knee.back", "knee.inside",
        "shin.inner", "shin.front", "calf", "achilles", "heel.bottom", "foot.arch",
        "foot.forefoot", "foot.top", "ankle",
        # v2: more places, then the coarse values for a runner who cannot point more precisely
        "buttock", "thigh.inner", "ankle.inner", "ankle.outer", "heel.back", "foot.outer", "foot.toes",
        *COARSE_LOCATIONS,
    )),
    Fact("side", Kind.ONE, "which side", ("left", "right", "both")),
    Fact("pain_type", Kind.ONE, "what the pain feels like",
         ("ache", "sharp", "burning", "tight", "cramp", "throbbing")),
    Fact("spread", Kind.ONE, "how big the painful spot is", ("pinpoint", "area", "diffuse", "radiating")),
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
        "standing", "getting-up", "bending", "lying-on-side", "coughing", "tight-shoes",
    )),
    Fact("mechanism", Kind.ONE, "how it happened", ("none", "fall", "twist", "blow", "awkward-step")),
    Fact("eases_soon_after_stopping", Kind.YES_NO, "goes within minutes of stopping"),
    Fact("eased_off", Kind.YES_NO, "rested or cut back since it started"),
    Fact("duration_days", Kind.NUMBER, "days since it started", minimum=0, maximum=36500),
    Fact("trend", Kind.ONE, "getting better or worse", ("better", "same", "worse")),
    Fact("severity", Kind.NUMBER, "how bad (0-10)", minimum=0, maximum=10),
    # What else is going on
    Fact("signs", Kind.MANY, "other signs", (
        "swelling", "redness", "warmth", "bruising", "locking", "giving-way", "clicking",
        "grinding", "numbness", "tingling", "cold-pale-foot", "bone-tender", "deformity",
        "calf-swollen-one-side", "dark-urine", "fever", "cannot-bear-weight",
        "weak-push-off", "lump", "stiffness",
        "limp", "night-sweats", "weight-loss", "weakness", "saddle-numbness", "bladder-bowel-change",
        "skin-red-spreading", "rapid-swelling", "breathless-chest-pain", "cannot-straighten-leg",
    )),
    Fact("signs_absent", Kind.MANY, "signs you do not have", ()),  # the values of `signs`, set below
    Fact("back_pain", Kind.YES_NO, "low back pain"),
    Fact("recent_immobility", Kind.YES_NO, "long flight, drive, bed rest, surgery or cast lately"),
    Fact("previous_same_injury", Kind.YES_NO, "had this before"),
    Fact("risk_factors", Kind.MANY, "health background", (
        "contraceptive-pill", "pregnant-or-postpartum", "cancer", "previous-clot", "smoker", "diabetes",
        "vascular-disease", "fluoroquinolone", "statin", "steroid-injection", "previous-stress-fracture",
        "low-bone-density", "growth-spurt",
    )),
    Fact("missed_periods", Kind.YES_NO, "periods stopped for three months or more"),
    Fact("restricted_eating", Kind.YES_NO, "eating too little for the training"),
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
    Fact("shoes", Kind.ONE, "shoes", ("fine", "worn-out", "recently-changed", "unsuitable", "minimalist")),
    Fact("warmup", Kind.YES_NO, "usually warms up"),
    Fact("stretch_after", Kind.YES_NO, "usually stretches or cools down after"),
    Fact("foot_strike", Kind.ONE, "foot strike", ("heel", "midfoot", "forefoot", "unknown")),
    Fact("overstriding", Kind.YES_NO, "long stride, landing far in front"),
    Fact("foot_type", Kind.ONE, "foot type", ("flat", "normal", "high-arch", "unknown")),
)

FACTS = tuple(  # a denied sign is any value of `signs`
    Fact(fact.id, fact.kind, fact.label, next(item.values for item in FACTS if item.id == "signs"))
    if fact.id == "signs_absent" else fact for fact in FACTS)
FACTS_BY_ID: Mapping[str, Fact] = {fact.id: fact for fact in FACTS}

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
