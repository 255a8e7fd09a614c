"""The inference engine: case + knowledge base -> advice.  Pure; it never prints.

Scoring is a naive-Bayes reading of the rules.  Each cause starts from the log of
how common it is among injured runners (its base rate, in percent) and every
piece of evidence that holds for the case adds its weight (a log likelihood
ratio).  The points of all causes go through a softmax, so a cause's score is its
share of the likelihood among the causes painadvisor knows: scores add up to 1.
Every point is recorded, so the advice can say exactly why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from painadvisor.models import (
    TRIAGE_LEVELS,
    Advice,
    AllOf,
    AnyOf,
    Cause,
    ChosenTip,
    Condition,
    Contribution,
    KnowledgeBase,
    Leaf,
    Not,
    RaisedFlag,
    RankedCause,
    Tip,
    triage_rank,
)
from painadvisor.vocabulary import FACTS, Case, FactValue, Kind

# A cause of a level above self-care lifts the overall triage when it is this likely,
# or when it ranks first with at least SERIOUS_FIRST.
SERIOUS_SCORE = 0.45
SERIOUS_FIRST = 0.30
# Tips tied to causes are chosen for causes ranked this high with at least this score.
TIP_TOP_N = 3
TIP_MIN_SCORE = 0.10
TIPS_PER_KIND = 6
MISSING_N = 5
UNASKABLE = {"note", "side"}


def matches(condition: Condition, case: Case) -> bool:
    if isinstance(condition, Leaf):
        return _leaf_matches(condition, case)
    if isinstance(condition, AllOf):
        return all(matches(part, case) for part in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(matches(part, case) for part in condition.conditions)
    return not matches(condition.condition, case)


def _leaf_matches(leaf: Leaf, case: Case) -> bool:
    value = case.get(leaf.fact)
    if value is None:
        return False
    if leaf.values is not None:
        present = value if isinstance(value, tuple) else (value,)
        return any(item in leaf.values for item in present)
    assert isinstance(value, int)
    return (leaf.at_least is None or value >= leaf.at_least) and (
        leaf.at_most is None or value <= leaf.at_most)


def facts_of(condition: Condition) -> set[str]:
    if isinstance(condition, Leaf):
        return {condition.fact}
    if isinstance(condition, Not):
        return facts_of(condition.condition)
    return set().union(*(facts_of(part) for part in condition.conditions))


def matched_facts(condition: Condition, case: Case) -> dict[str, FactValue]:
    """The case values that made a (holding) condition hold: for "any of" facts only the
    values the condition asked for, so a reason never claims more than it used."""
    if isinstance(condition, Leaf):
        value = case.get(condition.fact)
        if value is None:
            return {}
        if isinstance(value, tuple) and condition.values is not None:
            value = tuple(item for item in value if item in condition.values)
        return {condition.fact: value}
    if isinstance(condition, Not):
        return {fact: case[fact] for fact in sorted(facts_of(condition.condition)) if fact in case}
    parts = condition.conditions
    if isinstance(condition, AnyOf):
        parts = tuple(part for part in parts if matches(part, case))
    found: dict[str, FactValue] = {}
    for part in parts:
        for fact, value in matched_facts(part, case).items():
            if isinstance(value, tuple) and isinstance(found.get(fact), tuple):
                value = tuple(dict.fromkeys((*found[fact], *value)))  # type: ignore[misc]
            found[fact] = value
    return found


# --- scoring ---------------------------------------------------------------------------


def cause_points(cause: Cause, case: Case) -> tuple[float, float, tuple[Contribution, ...]]:
    base = math.log(cause.base_rate * 100)
    because = tuple(
        Contribution(matched_facts(item.condition, case), item.weight, item.note)
        for item in cause.evidence if matches(item.condition, case)
    )
    return base + sum(item.weight for item in because), base, because


def rank_causes(kb: KnowledgeBase, case: Case) -> tuple[RankedCause, ...]:
    scored = [(cause, *cause_points(cause, case)) for cause in kb.causes]
    scores = _softmax([points for _, points, _, _ in scored])
    ranked = [
        RankedCause(cause, score, points, base, because)
        for (cause, points, base, because), score in zip(scored, scores, strict=True)
    ]
    return tuple(sorted(ranked, key=lambda item: (-item.score, item.cause.id)))


def _softmax(points: list[float]) -> list[float]:
    if not points:
        return []
    top = max(points)
    weights = [math.exp(value - top) for value in points]
    total = sum(weights)
    return [weight / total for weight in weights]


# --- red flags and triage -----------------------------------------------------------


def raise_red_flags(kb: KnowledgeBase, case: Case) -> tuple[RaisedFlag, ...]:
    raised = [flag for flag in kb.red_flags if matches(flag.trigger, case)]
    ids = {flag.id for flag in raised}
    kept = [flag for flag in raised if not ids.intersection(flag.unless_raised)]
    kept.sort(key=lambda flag: -triage_rank(flag.triage))  # emergencies first, else rule order
    return tuple(RaisedFlag(flag, matched_facts(flag.trigger, case)) for flag in kept)


def overall_triage(red_flags: Iterable[RaisedFlag],
                   causes: tuple[RankedCause, ...]) -> tuple[str, tuple[str, ...]]:
    level = 0
    reasons: list[str] = []
    for raised in red_flags:
        level = max(level, triage_rank(raised.flag.triage))
        reasons.append(f"red flag: {raised.flag.id}")
    for rank, ranked in enumerate(causes):
        likely = ranked.score >= SERIOUS_SCORE or (rank == 0 and ranked.score >= SERIOUS_FIRST)
        if likely and triage_rank(ranked.cause.level) > 0:
            level = max(level, triage_rank(ranked.cause.level))
            reasons.append(f"likely cause: {ranked.cause.id}")
    return TRIAGE_LEVELS[level], tuple(reasons)


# --- tips -----------------------------------------------------------------------------


def choose_tips(kb: KnowledgeBase, case: Case, causes: tuple[RankedCause, ...],
                triage: str) -> tuple[ChosenTip, ...]:
    top = [ranked.cause.id for ranked in causes[:TIP_TOP_N] if ranked.score >= TIP_MIN_SCORE]
    if causes and not top:
        top = [causes[0].cause.id]
    chosen: list[tuple[tuple[int, int], ChosenTip]] = []
    for order, tip in enumerate(kb.tips):
        if tip.max_triage and triage_rank(triage) > triage_rank(tip.max_triage):
            continue
        relevance = _tip_relevance(tip, case, top)
        if relevance is not None:
            chosen.append(((relevance[0], order), ChosenTip(tip, relevance[1])))
    chosen.sort(key=lambda item: item[0])
    picked: list[ChosenTip] = []
    for kind in ("now", "prevention"):
        picked.extend([item for _, item in chosen if item.tip.kind == kind][:TIPS_PER_KIND])
    return tuple(picked)


def _tip_relevance(tip: Tip, case: Case, top: list[str]) -> tuple[int, str] | None:
    """(rank, reason) when a tip applies: tips for the leading cause come first."""
    for rank, cause_id in enumerate(top):
        if cause_id in tip.for_causes:
            return rank, f"for {cause_id}"
    if tip.when is not None and matches(tip.when, case):
        facts = ", ".join(sorted(facts_of(tip.when)))
        return len(top), f"because of {facts}"
    if not tip.for_causes and tip.when is None:
        return len(top) + 1, "general"
    return None


# --- what would help ---------------------------------------------------------------


def alternatives(fact_id: str, kb: KnowledgeBase) -> list[FactValue]:
    """Plausible answers to an unasked fact, for estimating how much it matters."""
    fact = next(item for item in FACTS if item.id == fact_id)
    if fact.kind is Kind.YES_NO:
        return [True, False]
    if fact.kind is Kind.ONE:
        return list(fact.values)
    if fact.kind is Kind.MANY:
        return [(value,) for value in fact.values]
    cuts = sorted({bound for leaf in _leaves_for(fact_id, kb)
                   for bound in (leaf.at_least, leaf.at_most) if bound is not None})
    return sorted({fact.minimum or 0, *cuts, *(cut + 1 for cut in cuts)})


def _leaves_for(fact_id: str, kb: KnowledgeBase) -> Iterable[Leaf]:
    conditions: list[Condition] = [item.condition for cause in kb.causes for item in cause.evidence]
    while conditions:
        condition = conditions.pop()
        if isinstance(condition, Leaf):
            if condition.fact == fact_id:
                yield condition
        elif isinstance(condition, Not):
            conditions.append(condition.condition)
        else:
            conditions.extend(condition.conditions)


def expected_shift(kb: KnowledgeBase, case: Case, fact_id: str,
                   current: dict[str, float] | None = None) -> float:
    """How much answering ``fact_id`` is expected to move the scores."""
    trials = [{**case, fact_id: value} for value in alternatives(fact_id, kb)]
    return expected_shift_over(kb, case, trials, current)


def expected_shift_over(kb: KnowledgeBase, case: Case, trials: Sequence[Case],
                        current: dict[str, float] | None = None) -> float:
    """The expected total-variation change of the scores over the possible answers ``trials``.

    Each answer is weighted by how likely the current ranking makes it, reading each
    cause's points under that answer as a log likelihood of the answer.
    """
    if current is None:
        current = {ranked.cause.id: ranked.score for ranked in rank_causes(kb, case)}
    outcomes = []
    for trial in trials:
        ranked = rank_causes(kb, trial)
        shift = 0.5 * sum(abs(item.score - current[item.cause.id]) for item in ranked)
        outcomes.append((shift, {item.cause.id: item.points for item in ranked}))
    # P(answer) = sum over causes of P(cause) * softmax over answers of that cause's points
    likelihood = {cause_id: _softmax([points[cause_id] for _, points in outcomes]) for cause_id in current}
    return sum(
        shift * sum(current[cause_id] * likelihood[cause_id][index] for cause_id in current)
        for index, (shift, _) in enumerate(outcomes)
    )


def missing_facts(kb: KnowledgeBase, case: Case, causes: tuple[RankedCause, ...],
                  limit: int = MISSING_N) -> tuple[str, ...]:
    current = {ranked.cause.id: ranked.score for ranked in causes}
    mentioned = {fact for cause in kb.causes for item in cause.evidence for fact in facts_of(item.condition)}
    candidates = [fact.id for fact in FACTS
                  if fact.id not in case and fact.id in mentioned and fact.id not in UNASKABLE]
    shifts = {fact_id: expected_shift(kb, case, fact_id, current) for fact_id in candidates}
    ordered = sorted((fact_id for fact_id in candidates if shifts[fact_id] >= 0.01),
                     key=lambda fact_id: -shifts[fact_id])
    return tuple(ordered[:limit])


# --- the whole advice ----------------------------------------------------------------


def evaluate(kb: KnowledgeBase, case: Case) -> Advice:
    causes = rank_causes(kb, case)
    red_flags = raise_red_flags(kb, case)
    triage, reasons = overall_triage(red_flags, causes)
    return Advice(
        case=dict(case),
        triage=triage,
        triage_reasons=reasons,
        red_flags=red_flags,
        causes=causes,
        tips=choose_tips(kb, case, causes, triage),
        missing=missing_facts(kb, case, causes),
    )
