"""Fast scoring over an index of the knowledge base: which evidence can a fact touch?

Evaluating a case only visits the evidence that mentions a fact the case has (plus
evidence with a 'not', which can hold on absent facts).  Estimating how much an
unanswered fact would move the scores only re-scores the evidence that mentions
that fact.  So cost grows with the evidence that is relevant, not with the size of
the knowledge base.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from painadvisor.conditions import facts_of, has_not, matches
from painadvisor.models import KnowledgeBase
from painadvisor.vocabulary import Case, FactValue

# When estimating a fact's effect on a very large knowledge base, only the causes it
# touches that are currently most likely are re-scored (every cause in small ones).
SHIFT_CAUSES = 64


@dataclass(frozen=True)
class Index:
    base: tuple[float, ...]  # each cause's starting points: log of its base rate in percent
    by_fact: dict[str, tuple[tuple[int, int], ...]]  # fact -> (cause, evidence) positions
    always: tuple[tuple[int, int], ...]  # evidence with a 'not', checked for every case
    by_fact_cause: dict[str, dict[int, tuple[int, ...]]]  # fact -> cause -> evidence positions


def index_of(kb: KnowledgeBase) -> Index:
    """The knowledge base's index, built once and kept with it."""
    cached = kb.cache.get("index")
    if isinstance(cached, Index):
        return cached
    by_fact: dict[str, list[tuple[int, int]]] = {}
    by_fact_cause: dict[str, dict[int, list[int]]] = {}
    always: list[tuple[int, int]] = []
    for cause_pos, cause in enumerate(kb.causes):
        for evidence_pos, item in enumerate(cause.evidence):
            if has_not(item.condition):
                always.append((cause_pos, evidence_pos))
            for fact in facts_of(item.condition):
                by_fact.setdefault(fact, []).append((cause_pos, evidence_pos))
                by_fact_cause.setdefault(fact, {}).setdefault(cause_pos, []).append(evidence_pos)
    index = Index(
        base=tuple(math.log(cause.base_rate * 100) for cause in kb.causes),
        by_fact={fact: tuple(pairs) for fact, pairs in by_fact.items()},
        always=tuple(always),
        by_fact_cause={fact: {cause: tuple(items) for cause, items in causes.items()}
                       for fact, causes in by_fact_cause.items()},
    )
    kb.cache["index"] = index
    return index


def matched_evidence(kb: KnowledgeBase, case: Case) -> list[list[int]]:
    """For each cause, the positions of its evidence that holds for the case, in rule order."""
    index = index_of(kb)
    candidates = set(index.always)
    for fact in case:
        candidates.update(index.by_fact.get(fact, ()))
    matched: list[list[int]] = [[] for _ in kb.causes]
    for cause_pos, evidence_pos in sorted(candidates):
        if matches(kb.causes[cause_pos].evidence[evidence_pos].condition, case):
            matched[cause_pos].append(evidence_pos)
    return matched


def points_of(kb: KnowledgeBase, matched: list[list[int]]) -> list[float]:
    base = index_of(kb).base
    return [base[pos] + sum(cause.evidence[item].weight for item in matched[pos])
            for pos, cause in enumerate(kb.causes)]


def softmax(points: Sequence[float]) -> list[float]:
    if not points:
        return []
    top = max(points)
    weights = [math.exp(value - top) for value in points]
    total = sum(weights)
    return [weight / total for weight in weights]


def expected_shift(kb: KnowledgeBase, case: Case, fact: str, values: Sequence[FactValue | None],
                   points: Sequence[float] | None = None) -> float:
    """How much answering ``fact`` with one of ``values`` is expected to move the scores.

    The shift of one answer is the total variation between the scores before and
    after it; answers are weighted by how likely the current scores make them,
    reading each cause's points under an answer as the log likelihood of that
    answer (a cause the fact does not touch finds every answer equally likely).
    ``None`` stands for an answer that leaves the case as it is.
    """
    if points is None:
        points = points_of(kb, matched_evidence(kb, case))
    if not values or not points:
        return 0.0
    scores = softmax(points)
    touched = index_of(kb).by_fact_cause.get(fact, {})
    causes = sorted(touched, key=lambda pos: -scores[pos])[:SHIFT_CAUSES]
    if not causes:
        return 0.0
    top = max(points)
    total = sum(math.exp(value - top) for value in points)
    rest = 1.0 - sum(scores[pos] for pos in causes)
    trials = [_trial_points(kb, case, fact, value, causes, touched, points) for value in values]
    shifts = []
    for trial in trials:
        new_total = total + sum(math.exp(trial[i] - top) - math.exp(points[pos] - top)
                                for i, pos in enumerate(causes))
        moved = sum(abs(math.exp(trial[i] - top) / new_total - scores[pos]) for i, pos in enumerate(causes))
        shifts.append(0.5 * (moved + rest * abs(total / new_total - 1.0)))
    likelihood = [softmax([trial[i] for trial in trials]) for i in range(len(causes))]
    chance = [sum(scores[pos] * likelihood[i][v] for i, pos in enumerate(causes)) + rest / len(values)
              for v in range(len(values))]
    return sum(weight * shift for weight, shift in zip(chance, shifts, strict=True))


def _trial_points(kb: KnowledgeBase, case: Case, fact: str, value: FactValue | None, causes: list[int],
                  touched: dict[int, tuple[int, ...]], points: Sequence[float]) -> list[float]:
    """The points of ``causes`` if the case had ``value`` for ``fact``."""
    if value is None:
        return [points[pos] for pos in causes]
    trial = {**case, fact: value}
    result = []
    for pos in causes:
        evidence = kb.causes[pos].evidence
        delta = sum(evidence[item].weight * (matches(evidence[item].condition, trial)
                                             - matches(evidence[item].condition, case))
                    for item in touched[pos])
        result.append(points[pos] + delta)
    return result
