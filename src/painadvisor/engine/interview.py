"""The consultation's logic, without any input or output: which question next, and when to stop.

Order: the opening questions (where it hurts); then the core questions every clinician
asks (which side, how long, how it started, what makes it worse, is it getting better);
then every question whose answer could still raise a red flag (derived from the flags'
own triggers, see ``screening``), in file order, whatever the ranking says; then the
question whose answer is expected to move the scores most, until the leader is clear
and stable or nothing left would change it.  ``replay`` runs the same conversation
against a case file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from painadvisor.engine import scoring
from painadvisor.engine.advice import alternatives, raise_red_flags, rank_causes
from painadvisor.kb import screening
from painadvisor.kb.conditions import facts_of, matches
from painadvisor.kb.models import AllOf, AnyOf, Condition, KnowledgeBase, Leaf, Question, RaisedFlag
from painadvisor.kb.vocabulary import FACTS_BY_ID, Case, FactValue, Kind

MIN_SHIFT = 0.05  # an answer expected to move the scores less than this is not worth asking
CLEAR_LEAD = 0.70  # a leader this likely ...
CLEAR_SHIFT = 0.15  # ... is settled unless a question could move the scores this much
STABLE_ANSWERS = 2  # ... and it must have led for this many answers
MAX_QUESTIONS = 20  # the adaptive part stops here; screening never does
ADAPTIVE_ESTIMATE = 4  # questions the adaptive part usually adds
ESCALATION_SCREEN = 0.20  # a cause this likely has its escalation screened like a red flag
PLACE_FACTS = {"location"}  # which red flags matter depends on where it hurts

Answer = FactValue | None  # None: skipped / don't know; () for "none of these"


@dataclass
class Interview:
    """A consultation in progress: the case so far and the questions asked, in order."""

    kb: KnowledgeBase
    case: dict[str, FactValue] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    leaders: list[str] = field(default_factory=list)
    skipped: set[str] = field(default_factory=set)  # facts the runner said they don't know
    offered: dict[str, set[str]] = field(default_factory=dict)  # "any of" fact -> values offered so far
    history: list[tuple[str, dict[str, FactValue], list[str], set[str], dict[str, set[str]]]] = field(
        default_factory=list)

    def next_question(self) -> Question | None:
        open_questions = sorted((question for question in self.kb.questions if self._applies(question)),
                                key=lambda question: question.priority)  # stable: file order within
        if not open_questions:
            return None
        for rank in (lambda q: q.start, lambda q: q.core, self._screens_now):
            for question in open_questions:
                if rank(question):
                    return question  # never skipped to save a question
        if len(self.asked) >= MAX_QUESTIONS:
            return None
        estimator = scoring.ShiftEstimator(self.kb, self.case)
        shifts = [(estimator.shift(question.fact, self._answers(question)), index)
                  for index, question in enumerate(open_questions)]
        best_shift, best = max(shifts, key=lambda item: (item[0], -item[1]))
        lead = max(estimator.scores, default=0.0)
        stable = len(self.leaders) >= STABLE_ANSWERS and len(set(self.leaders[-STABLE_ANSWERS:])) == 1
        if best_shift < MIN_SHIFT or (lead >= CLEAR_LEAD and stable and best_shift < CLEAR_SHIFT):
            return None
        return open_questions[best]

    def answer(self, question: Question, value: Answer) -> None:
        self.history.append((question.id, dict(self.case), list(self.leaders), set(self.skipped),
                             {fact: set(values) for fact, values in self.offered.items()}))
        self.asked.append(question.id)
        many = FACTS_BY_ID[question.fact].kind is Kind.MANY
        offered = {str(choice.value) for choice in question.choices}
        if many:  # asked: for screening, what was not picked (or not known) is settled
            self.offered.setdefault(question.fact, set()).update(offered)
        if value is None:
            self.skipped.add(question.fact)
            self.leaders.append(rank_causes(self.kb, self.case)[0].cause.id)
            return
        if value != ():
            self.case = with_answer(self.case, question.fact, value)
        if many:
            if question.fact == "signs":  # "none of these" is an answer: the signs not picked are absent
                denied = offered - set(self.case.get("signs", ()))  # type: ignore[arg-type]
                if denied:
                    self.case = with_answer(self.case, "signs_absent", tuple(denied))
        self.leaders.append(rank_causes(self.kb, self.case)[0].cause.id)

    def carry_over(self, answers: Mapping[str, object]) -> None:
        """Take earlier answers as given (facts already answered now are kept as they are)."""
        from painadvisor.kb.vocabulary import parse_case

        earlier = parse_case({fact: value for fact, value in answers.items() if fact not in self.case})
        self.case = {fact: ({**earlier, **self.case})[fact] for fact in FACTS_BY_ID if fact in {**earlier, **self.case}}

    def back(self) -> Question | None:
        """Undo the last answer; returns the question to ask again (None at the start)."""
        if not self.history:
            return None
        question_id, self.case, self.leaders, self.skipped, self.offered = self.history.pop()
        self.asked.pop()
        return next(question for question in self.kb.questions if question.id == question_id)

    def red_flags(self) -> tuple[RaisedFlag, ...]:
        return raise_red_flags(self.kb, self.case)

    def remaining(self) -> tuple[int, int]:
        """How many questions are still to come, as a range (fewest, most), for the progress
        line: the opening, core and screening ones that apply now, then up to a few more
        that would change the ranking (an answer can also open or close screening)."""
        open_questions = [question for question in self.kb.questions if self._applies(question)]
        sure = sum(1 for question in open_questions if question.start or question.core or self._screens_now(question))
        room = max(0, MAX_QUESTIONS - len(self.asked))
        return min(sure, room), min(sure + ADAPTIVE_ESTIMATE, len(open_questions), room)

    def questions_for(self, facts: list[str]) -> list[Question]:
        """Questions not asked yet about these facts (to answer what the advice says it lacks)."""
        return [question for question in self.kb.questions
                if question.fact in facts and question.id not in self.asked and question.fact not in self.case]

    def _applies(self, question: Question) -> bool:
        if question.id in self.asked:
            return False
        if FACTS_BY_ID[question.fact].kind is not Kind.MANY and question.fact in self.case:
            return False
        if question.when is None:
            return True
        # A red-flag question is asked unless we know it cannot apply: if the runner
        # did not say where it hurts, it might hurt where the question matters.
        if matches(question.when, self.case):
            return True
        return self._possibly(question.when) and self._screens_now(question)

    def _screens_now(self, question: Question) -> bool:
        """Whether the answer could still raise a red flag that is not raised yet, or raise the
        level of a cause that is already likely (its ``escalate``)."""
        raised = {raised.flag.id for raised in self.red_flags()}
        flags = [flag for flag in self.kb.red_flags if flag.id not in raised]
        absent = screening.known_absent(self.case, self.offered)
        settled = frozenset(fact for fact in self.skipped if fact not in PLACE_FACTS
                            and FACTS_BY_ID[fact].kind is not Kind.MANY)
        if screening.screens(question, flags, self.case, absent, settled):
            return True
        for ranked in rank_causes(self.kb, self.case):
            if ranked.score < ESCALATION_SCREEN:
                break
            escalate = ranked.cause.escalate
            if escalate is not None and not matches(escalate.when, self.case):
                leaves = screening.open_leaves(escalate.when, self.case, absent, settled)
                if leaves and any(screening.asks(question, leaf) for leaf in leaves):
                    return True
        return False

    def _possibly(self, condition: Condition) -> bool:
        """Whether ``condition`` holds, or might if the runner skipped where it hurts."""
        unknown = {fact for fact in self.skipped if fact not in self.case} & PLACE_FACTS
        if isinstance(condition, Leaf):
            return condition.fact in unknown or matches(condition, self.case)
        if isinstance(condition, AllOf):
            return all(self._possibly(part) for part in condition.conditions)
        if isinstance(condition, AnyOf):
            return any(self._possibly(part) for part in condition.conditions)
        return bool(facts_of(condition.condition) & unknown) or not matches(condition.condition, self.case)

    def _answers(self, question: Question) -> list[FactValue | None]:
        """The possible answers to a question, as values of its fact (None: "none of these")."""
        fact = FACTS_BY_ID[question.fact]
        if fact.kind is Kind.MANY:
            known = self.case.get(fact.id, ())
            return [None] + [with_answer({fact.id: known}, fact.id, (str(choice.value),))[fact.id]
                             for choice in question.choices]
        if fact.kind is Kind.NUMBER:
            return list(alternatives(fact.id, self.kb))
        return [choice.value for choice in question.choices]


def with_answer(case: Case, fact_id: str, value: FactValue) -> dict[str, FactValue]:
    """The case with one more answer; answers to "any of" facts add to what is known."""
    fact = FACTS_BY_ID[fact_id]
    if fact.kind is Kind.MANY:
        chosen = set(case.get(fact_id, ())) | set(value)  # type: ignore[arg-type]
        value = tuple(item for item in fact.values if item in chosen)
    merged = {**case, fact_id: value}
    opposite = {"signs": "signs_absent", "signs_absent": "signs"}.get(fact_id)
    if opposite and opposite in merged:  # a sign is either there or not: the newer answer wins
        kept = tuple(item for item in merged[opposite] if item not in value)  # type: ignore[union-attr, operator]
        merged[opposite] = kept
        if not kept:
            del merged[opposite]
    return {item: merged[item] for item in FACTS_BY_ID if item in merged}


def answer_from_case(question: Question, case: Case) -> Answer:
    """How a runner whose whole case is ``case`` answers ``question`` (None: don't know)."""
    value = case.get(question.fact)
    if value is None:
        return None
    if FACTS_BY_ID[question.fact].kind is Kind.MANY:
        offered = {choice.value for choice in question.choices}
        return tuple(item for item in value if item in offered)  # type: ignore[union-attr]
    return value


def replay(kb: KnowledgeBase, case: Case) -> Interview:
    """Run the whole consultation, answering every question from ``case``."""
    interview = Interview(kb)
    while (question := interview.next_question()) is not None:
        interview.answer(question, answer_from_case(question, case))
    return interview
