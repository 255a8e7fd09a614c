"""The inference engine: case + knowledge base -> advice.  Pure; it never prints.

Scoring is a naive-Bayes reading of the rules.  Each cause starts from the log of
how common it is among injured runners (its base rate, in percent) and every
piece of evidence that holds for the case adds its weight (a log likelihood
ratio).  The points of all causes go through a softmax, so a cause's score is its
share of the likelihood among the causes painadvisor knows: scores add up to 1.
Every point is recorded, so the advice can say exactly why.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from painadvisor.engine import scoring
from painadvisor.errors import UsageError
from painadvisor.kb.conditions import facts_of, matched_facts, matches
from painadvisor.kb.index import index_of
from painadvisor.kb.models import (
    TIP_KINDS,
    TRIAGE_LEVELS,
    Advice,
    ChosenTip,
    Condition,
    HistoryNote,
    KnowledgeBase,
    Leaf,
    Not,
    RaisedFlag,
    RankedCause,
    Tip,
    triage_rank,
)
from painadvisor.kb.vocabulary import FACTS, FACTS_BY_ID, Case, FactValue, Kind

# A cause of a level above self-care lifts the overall triage when it is this likely: a
# one-in-five chance of a stress fracture or a clot is reason enough to be seen.
SERIOUS_SCORE = 0.20
# Tips tied to causes are chosen for causes ranked this high with at least this score.
TIP_TOP_N = 3
TIP_MIN_SCORE = 0.10
TIPS_PER_KIND = 6
MISSING_N = 5
UNASKABLE = {"note", "side"}
PERSISTENT_FLAG = "persistent-pain"
MAX_NUMBER_ALTERNATIVES = 12


# --- scoring ---------------------------------------------------------------------------


def rank_causes(kb: KnowledgeBase, case: Case, matched: list[list[int]] | None = None) -> tuple[RankedCause, ...]:
    if matched is None:
        matched = scoring.matched_evidence(kb, case)
    points = scoring.points_of(kb, matched)
    scores = scoring.softmax(points)
    base = index_of(kb).base
    order = sorted(range(len(points)), key=lambda pos: (-scores[pos], kb.causes[pos].id))
    return tuple(RankedCause(kb.causes[pos], scores[pos], points[pos], base[pos], case, matched[pos])
                 for pos in order)


# --- red flags and triage -----------------------------------------------------------


def raise_red_flags(kb: KnowledgeBase, case: Case, history: HistoryNote | None = None) -> tuple[RaisedFlag, ...]:
    """The red flags the case raises, emergencies first; and, when the local history shows the
    same pain for two weeks or more without getting better, persistent pain."""
    raised = [flag for flag in kb.red_flags if matches(flag.trigger, case)]
    notes: dict[str, str] = {}
    if history is not None and history.persistent:
        persistent = [flag for flag in kb.red_flags if flag.id == PERSISTENT_FLAG and flag not in raised]
        raised += persistent
        notes[PERSISTENT_FLAG] = (f"from your history: first recorded {history.days_since_first} days ago, "
                                  f"and {history.change if history.change != 'same' else 'no better'} since")
    ids = {flag.id for flag in raised}
    kept = [flag for flag in raised if not ids.intersection(flag.unless_raised)]
    kept.sort(key=lambda flag: -triage_rank(flag.triage))  # emergencies first, else rule order
    return tuple(RaisedFlag(flag, matched_facts(flag.trigger, case) if flag.id not in notes else {},
                            notes.get(flag.id, "")) for flag in kept)


def overall_triage(red_flags: Iterable[RaisedFlag], causes: tuple[RankedCause, ...],
                   case: Case | None = None) -> tuple[str, tuple[str, ...], tuple[str, ...]]:
    """The triage level, its reasons (for scripts: "red flag: ID", "likely cause: ID"), and the
    causes whose own level lifted it (for the renderers, which never parse the reasons)."""
    case = case or {}
    level = 0
    reasons: list[str] = []
    serious: list[str] = []
    for raised in red_flags:
        level = max(level, triage_rank(raised.flag.triage))
        reasons.append(f"red flag: {raised.flag.id}")
    for ranked in causes:
        cause_level = cause_level_for(ranked, case)
        if ranked.score >= SERIOUS_SCORE and triage_rank(cause_level) > 0:
            level = max(level, triage_rank(cause_level))
            reasons.append(f"likely cause: {ranked.cause.id}")
            serious.append(ranked.cause.id)
    return TRIAGE_LEVELS[level], tuple(reasons), tuple(serious)


def cause_level_for(ranked: RankedCause, case: Case) -> str:
    """The cause's level for this case: its escalation's when that holds."""
    escalate = ranked.cause.escalate
    if escalate is not None and matches(escalate.when, case) and triage_rank(escalate.to) > triage_rank(
            ranked.cause.level):
        return escalate.to
    return ranked.cause.level


def fits_place(ranked: RankedCause) -> bool:
    """Whether the cause can hurt where the runner hurts (no strong evidence against the place)."""
    from painadvisor.kb.likelihood import MISMATCH

    return not any(set(item.facts) == {"location"} and item.weight <= MISMATCH / 2 for item in ranked.because)


def with_rule_outs(causes: tuple[RankedCause, ...], red_flags: Iterable[RaisedFlag]) -> tuple[RankedCause, ...]:
    """The causes in the order shown: a raised red flag's causes to rule out are moved into the
    first three, after the leading cause, whatever their score."""
    by_id = {ranked.cause.id: ranked for ranked in causes}
    wanted: list[str] = []
    for raised in red_flags:  # per flag, the likeliest of the causes it warns of that can hurt here
        fitting = [by_id[cause] for cause in raised.flag.rule_out if cause in by_id and fits_place(by_id[cause])]
        if fitting:
            wanted.append(max(fitting, key=lambda ranked: ranked.score).cause.id)
    wanted = list(dict.fromkeys(wanted))
    if not wanted or not causes:
        return causes
    head = [ranked for ranked in causes[:3] if ranked.cause.id in wanted or ranked is causes[0]]
    shown = {ranked.cause.id for ranked in head}
    head += [by_id[cause] for cause in wanted if cause in by_id and cause not in shown]
    head_ids = {ranked.cause.id for ranked in head}
    rest = [ranked for ranked in causes if ranked.cause.id not in head_ids]
    ordered = sorted(head[1:], key=lambda ranked: -ranked.score)
    return (head[0], *ordered, *rest)


# --- tips -----------------------------------------------------------------------------


def choose_tips(kb: KnowledgeBase, case: Case, causes: tuple[RankedCause, ...], triage: str,
                red_flags: tuple[RaisedFlag, ...] = ()) -> tuple[ChosenTip, ...]:
    top = [ranked.cause.id for ranked in causes[:TIP_TOP_N] if ranked.score >= TIP_MIN_SCORE]
    if causes and not top:
        top = [causes[0].cause.id]
    chosen: list[tuple[tuple[int, int, int], ChosenTip]] = []
    for order, tip in enumerate(kb.tips):
        if tip.max_triage and triage_rank(triage) > triage_rank(tip.max_triage):
            continue
        relevance = _tip_relevance(tip, case, top, {raised.flag.id for raised in red_flags})
        if relevance is not None:
            chosen.append(((relevance[0], tip.priority, order), ChosenTip(tip, relevance[1])))
    chosen.sort(key=lambda item: item[0])
    picked: list[ChosenTip] = []
    for kind in TIP_KINDS:
        picked.extend([item for _, item in chosen if item.tip.kind == kind][:TIPS_PER_KIND])
    return tuple(picked)


def _tip_relevance(tip: Tip, case: Case, top: list[str], flags: set[str]) -> tuple[int, str] | None:
    """(rank, reason) when a tip applies: tips for a raised red flag first, then for the leading cause."""
    for flag_id in tip.for_flags:
        if flag_id in flags:
            return -1, f"for red flag {flag_id}"
    for rank, cause_id in enumerate(top):
        if cause_id in tip.for_causes and (tip.when is None or matches(tip.when, case)):
            return rank, f"for {cause_id}"  # a tip for a cause with a 'when' needs both
    if tip.when is not None and matches(tip.when, case):
        facts = ", ".join(sorted(facts_of(tip.when)))
        return len(top), f"because of {facts}"
    if not tip.for_causes and not tip.for_flags and tip.when is None:
        return len(top) + 1, "general"
    return None


# --- what would help ---------------------------------------------------------------


def alternatives(fact_id: str, kb: KnowledgeBase) -> list[FactValue]:
    """Plausible answers to an unasked fact, for estimating how much it matters."""
    fact = FACTS_BY_ID[fact_id]
    if fact.kind is Kind.YES_NO:
        return [True, False]
    if fact.kind is Kind.ONE:
        return list(fact.values)
    if fact.kind is Kind.MANY:
        return [(value,) for value in fact.values]
    cached = kb.cache.get(f"alternatives:{fact_id}")
    if isinstance(cached, list):
        return cached
    # One number from each stretch the rules tell apart: where each stretch begins.
    starts = sorted({fact.minimum or 0}
                    | {leaf.at_least for leaf in _leaves_for(fact_id, kb) if leaf.at_least is not None}
                    | {leaf.at_most + 1 for leaf in _leaves_for(fact_id, kb) if leaf.at_most is not None})
    if len(starts) > MAX_NUMBER_ALTERNATIVES:  # a huge rule pack: an even sample of them
        step = (len(starts) - 1) / (MAX_NUMBER_ALTERNATIVES - 1)
        starts = sorted({starts[round(index * step)] for index in range(MAX_NUMBER_ALTERNATIVES)})
    values: list[FactValue] = list(starts)
    kb.cache[f"alternatives:{fact_id}"] = values
    return values


def _leaves_for(fact_id: str, kb: KnowledgeBase) -> Iterable[Leaf]:
    index = index_of(kb)
    conditions: list[Condition] = [kb.causes[cause].evidence[item].condition
                                   for cause, items in index.by_fact_cause.get(fact_id, {}).items()
                                   for item in items]
    while conditions:
        condition = conditions.pop()
        if isinstance(condition, Leaf):
            if condition.fact == fact_id:
                yield condition
        elif isinstance(condition, Not):
            conditions.append(condition.condition)
        else:
            conditions.extend(condition.conditions)


def expected_shift(kb: KnowledgeBase, case: Case, fact_id: str) -> float:
    """How much answering ``fact_id`` is expected to move the scores."""
    return scoring.expected_shift(kb, case, fact_id, alternatives(fact_id, kb))


def missing_facts(kb: KnowledgeBase, case: Case, limit: int = MISSING_N,
                  matched: list[list[int]] | None = None) -> tuple[str, ...]:
    index = index_of(kb)
    estimator = scoring.ShiftEstimator(kb, case, matched)
    candidates = [fact.id for fact in FACTS
                  if fact.id not in case and fact.id in index.by_fact_cause and fact.id not in UNASKABLE]
    shifts = {fact_id: estimator.shift(fact_id, alternatives(fact_id, kb)) for fact_id in candidates}
    ordered = sorted((fact_id for fact_id in candidates if shifts[fact_id] >= 0.01),
                     key=lambda fact_id: -shifts[fact_id])
    return tuple(ordered[:limit])


# --- the whole advice ----------------------------------------------------------------


def evaluate(kb: KnowledgeBase, case: Case, history: HistoryNote | None = None,
             training: Mapping[str, object] | None = None, from_training: tuple[str, ...] = ()) -> Advice:
    matched = scoring.matched_evidence(kb, case)
    causes = rank_causes(kb, case, matched)
    red_flags = raise_red_flags(kb, case, history)
    triage, reasons, serious = overall_triage(red_flags, causes, case)
    causes = with_rule_outs(causes, red_flags)
    return Advice(
        case=dict(case),
        triage=triage,
        triage_reasons=reasons,
        serious=serious,
        red_flags=red_flags,
        causes=causes,
        tips=choose_tips(kb, case, causes, triage, red_flags),
        missing=missing_facts(kb, case, matched=matched),
        history=history,
        rule_out=tuple(ranked.cause.id for ranked in causes[:3]
                       if any(ranked.cause.id in raised.flag.rule_out for raised in red_flags)),
        training=training,
        from_training=from_training,
    )


def require_enough(kb: KnowledgeBase, case: Case) -> None:
    """Advice needs at least where it hurts, or a sign that raises a red flag by itself."""
    if "location" not in case and not raise_red_flags(kb, case):
        raise UsageError("say where it hurts, e.g. --location knee (or knee.front, calf, heel ...; "
                         "'painadvisor advise --help' lists them), or give a case file with --case")
