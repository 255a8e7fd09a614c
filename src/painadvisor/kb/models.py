"""Frozen data: the knowledge base as loaded, and the advice the engine returns."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

# The rules' conditions are defined with their interpreter; the knowledge base holds them.
from painadvisor.kb.conditions import AllOf as AllOf
from painadvisor.kb.conditions import AnyOf as AnyOf
from painadvisor.kb.conditions import Condition as Condition
from painadvisor.kb.conditions import Leaf as Leaf
from painadvisor.kb.conditions import Not as Not
from painadvisor.kb.vocabulary import FactValue

TRIAGE_LEVELS = ("self-care", "see-doctor", "urgent", "emergency")
AREAS = ("knee", "shin-calf", "foot-ankle", "hip-thigh", "whole-body")
TIP_KINDS = ("now", "return", "prevention")


def triage_rank(level: str) -> int:
    return TRIAGE_LEVELS.index(level)


# --- the knowledge base -----------------------------------------------------------


class Source(NamedTuple):
    id: str
    authors: str
    year: int
    title: str
    published: str
    origin: str = ""

    def citation(self) -> str:
        return f"{self.authors} ({self.year}). {self.title}. {self.published}."


class Evidence(NamedTuple):
    condition: Condition
    weight: float
    note: str = ""
    line: int | None = None


class Cause(NamedTuple):
    id: str
    name: str
    area: str
    level: str
    base_rate: float
    explanation: str
    evidence: tuple[Evidence, ...]
    sources: tuple[str, ...]
    red_flags: tuple[str, ...] = ()  # the red flags that matter for this cause
    origin: str = ""
    places: tuple[str, ...] = ()  # precise places it can hurt (besides its location evidence)
    escalate: Escalation | None = None  # a higher level when a condition holds


class Escalation(NamedTuple):
    """A cause's level is ``to`` instead of its usual one when ``when`` holds for the case."""

    to: str
    when: Condition


class RedFlag(NamedTuple):
    id: str
    name: str
    triage: str
    message: str
    trigger: Condition
    sources: tuple[str, ...]
    unless_raised: tuple[str, ...] = ()
    origin: str = ""
    running: str = ""  # whether to stop running, in plain words
    rule_out: tuple[str, ...] = ()  # the causes it warns of: always shown among the first three


class Tip(NamedTuple):
    id: str
    kind: str
    text: str
    sources: tuple[str, ...]
    for_causes: tuple[str, ...] = ()
    for_flags: tuple[str, ...] = ()  # shown whenever one of these red flags is raised
    when: Condition | None = None
    max_triage: str | None = None
    origin: str = ""
    priority: int = 50  # among tips that apply equally, lower comes first


class Choice(NamedTuple):
    value: str | bool
    label: str
    group: str = ""


class Question(NamedTuple):
    """One question of the consultation, about one fact (or some values of an "any of" fact)."""

    id: str
    fact: str
    text: str
    help: str = ""
    choices: tuple[Choice, ...] = ()
    none_label: str = ""
    when: Condition | None = None
    start: bool = False
    core: bool = False  # asked of every runner right after the opening (what every clinician asks)
    priority: int = 50  # among questions of the same rank, lower is asked first
    screens: tuple[str, ...] = ()  # documentation only: screening is derived from the red flags
    screen_when: Condition | None = None
    origin: str = ""


class Example(NamedTuple):
    """A case a rule pack carries with the answer it expects (``painadvisor rules test``)."""

    id: str
    case: dict[str, FactValue]
    causes: tuple[str, ...]  # the expected top cause, then any equally good ones
    triage: str
    red_flags: tuple[str, ...] = ()
    origin: str = ""


class KnowledgeBase:
    """The loaded rules: frozen (``cache`` holds only data derived from the rest, such as the
    index, and takes no part in equality)."""

    FIELDS = ("causes", "red_flags", "tips", "sources", "questions", "examples", "overrides", "pack_facts", "cache")
    DERIVED = ("cache",)

    causes: tuple[Cause, ...]
    red_flags: tuple[RedFlag, ...]
    tips: tuple[Tip, ...]
    sources: dict[str, Source]
    questions: tuple[Question, ...]
    examples: tuple[Example, ...]
    overrides: tuple[tuple[str, str], ...]  # (built-in red flag id, the pack file that replaced it)
    pack_facts: tuple[str, ...]  # the facts packs added to the vocabulary, as JSON (see vocabulary.extend)
    cache: dict[str, object]  # derived data (the index)

    def __init__(self, causes: tuple[Cause, ...], red_flags: tuple[RedFlag, ...], tips: tuple[Tip, ...],
                 sources: dict[str, Source] | None = None, questions: tuple[Question, ...] = (),
                 examples: tuple[Example, ...] = (), overrides: tuple[tuple[str, str], ...] = (),
                 pack_facts: tuple[str, ...] = (), cache: dict[str, object] | None = None) -> None:
        values = (causes, red_flags, tips, {} if sources is None else sources, questions, examples, overrides,
                  pack_facts, {} if cache is None else cache)
        self.__dict__.update(zip(self.FIELDS, values, strict=True))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"cannot assign to field '{name}': a knowledge base is frozen")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"cannot delete field '{name}': a knowledge base is frozen")

    def _compared(self) -> tuple[object, ...]:
        return tuple(self.__dict__[name] for name in self.FIELDS if name not in self.DERIVED)

    def __eq__(self, other: object) -> bool:
        return type(other) is KnowledgeBase and self._compared() == other._compared()

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (f"KnowledgeBase({len(self.causes)} causes, {len(self.red_flags)} red flags, {len(self.tips)} tips, "
                f"{len(self.questions)} questions)")

    def cause(self, cause_id: str) -> Cause:
        return next(cause for cause in self.causes if cause.id == cause_id)


# --- the advice -------------------------------------------------------------------


# The advice's parts are named tuples: an evaluation makes thousands of them on a
# large knowledge base, and they are built several times faster than dataclasses (whose
# import alone costs more than a small evaluation).


class Contribution(NamedTuple):
    """One piece of evidence that fired: the case facts behind it and its weight."""

    facts: dict[str, FactValue]
    weight: float
    note: str


class RankedCause:
    """A cause with its score; ``because`` (every contribution) is worked out when first read,
    so ranking a large knowledge base does not explain causes nobody looks at."""

    __slots__ = ("cause", "score", "points", "base_points", "_case", "_matched", "_because")

    def __init__(self, cause: Cause, score: float, points: float, base_points: float,
                 case: Mapping[str, FactValue], matched: Sequence[int]) -> None:
        self.cause, self.score, self.points, self.base_points = cause, score, points, base_points
        self._case, self._matched = case, matched
        self._because: tuple[Contribution, ...] | None = None

    @property
    def because(self) -> tuple[Contribution, ...]:
        if self._because is None:
            from painadvisor.kb.conditions import matched_facts

            evidence = self.cause.evidence
            self._because = tuple(
                Contribution(matched_facts(evidence[item].condition, self._case), evidence[item].weight,
                             evidence[item].note) for item in self._matched)
        return self._because

    def _key(self) -> tuple[object, ...]:
        return self.cause.id, self.score, self.points, self.base_points, self.because

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RankedCause) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key()[:4])

    def __repr__(self) -> str:
        return f"RankedCause({self.cause.id!r}, score={self.score:.4f}, points={self.points:.3f})"


class RaisedFlag(NamedTuple):
    flag: RedFlag
    facts: dict[str, FactValue]
    note: str = ""  # why, when not from the case's facts (e.g. "from your history: ...")


class Earlier(NamedTuple):
    """An earlier consultation about the same place, from the local history."""

    id: int
    date: str  # ISO date
    triage: str
    top_cause: str | None


class HistoryNote(NamedTuple):
    """What the local history says about this pain: the earlier consultations and the change."""

    earlier: tuple[Earlier, ...]
    days_since_first: int
    change: str  # better | same | worse
    persistent: bool  # recorded for 14 days or more without getting better


class ChosenTip(NamedTuple):
    tip: Tip
    reason: str


class Advice(NamedTuple):
    case: dict[str, FactValue]
    triage: str
    triage_reasons: tuple[str, ...]
    red_flags: tuple[RaisedFlag, ...]
    causes: tuple[RankedCause, ...]
    tips: tuple[ChosenTip, ...]
    missing: tuple[str, ...]
    history: HistoryNote | None = None
    rule_out: tuple[str, ...] = ()  # causes a raised red flag warns of, shown among the first three
    training: Mapping[str, object] | None = None  # the training-log summary, when one was read
    from_training: tuple[str, ...] = ()  # facts of the case that came from the training log
    serious: tuple[str, ...] = ()  # likely causes whose own level lifted the triage (see triage_reasons)
