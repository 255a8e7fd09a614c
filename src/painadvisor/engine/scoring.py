"""Fast scoring over an index of the knowledge base: which evidence can a fact touch?

Evaluating a case only visits the one-fact evidence on the facts the case has (plus
the few rules that combine facts, which are checked every time).  Estimating how much an
unanswered fact would move the scores only re-scores the evidence that mentions
that fact.  So cost grows with the evidence that is relevant, not with the size of
the knowledge base.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from painadvisor.kb.conditions import leaf_accepts, matches
from painadvisor.kb.index import index_of
from painadvisor.kb.models import KnowledgeBase, Leaf
from painadvisor.kb.vocabulary import Case, FactValue

# When estimating a fact's effect on a very large knowledge base, only the causes it
# touches that are currently most likely are re-scored (every cause in small ones).
SHIFT_CAUSES = 5


def matched_evidence(kb: KnowledgeBase, case: Case) -> list[list[int]]:
    """For each cause, the positions of its evidence that holds for the case, in rule order."""
    index = index_of(kb)
    hits: set[tuple[int, int]] = set()
    for fact, value in case.items():
        by_value = index.accepts.get(fact)
        if by_value is not None:
            for item in value if isinstance(value, tuple) else (value,):
                hits.update(by_value.get(item, ()))
        hits.update((cause_pos, evidence_pos) for cause_pos, evidence_pos, leaf in index.ranges.get(fact, ())
                    if leaf_accepts(leaf, value))
    hits.update(pair for pair in index.compound if matches(kb.causes[pair[0]].evidence[pair[1]].condition, case))
    matched: list[list[int]] = [[] for _ in kb.causes]
    for cause_pos, evidence_pos in sorted(hits):
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


class ShiftEstimator:
    """Estimates how much answering a fact would move the scores of one case.

    The shift of one answer is the total variation between the scores before and
    after it; answers are weighted by how likely the current scores make them,
    reading each cause's points under an answer as the log likelihood of that
    answer (a cause the fact does not touch finds every answer equally likely).
    Only the SHIFT_CAUSES likeliest causes a fact touches are re-scored; the rest
    keep their points.
    """

    def __init__(self, kb: KnowledgeBase, case: Case, matched: list[list[int]] | None = None) -> None:
        self.kb, self.case = kb, case
        self.matched = matched_evidence(kb, case) if matched is None else matched
        self.points = points_of(kb, self.matched)
        self.scores = softmax(self.points)
        self.top = max(self.points, default=0.0)
        self.exps = [math.exp(value - self.top) for value in self.points]
        self.total = sum(self.exps)
        self.order = sorted(range(len(self.points)), key=lambda pos: -self.scores[pos])

    def shift(self, fact: str, values: Sequence[FactValue | None]) -> float:
        """The expected shift over ``values`` (None: an answer that leaves the case as it is)."""
        touched = index_of(self.kb).by_fact_cause.get(fact, {})
        causes = [pos for pos in self.order if pos in touched][:SHIFT_CAUSES]
        if not values or not causes:
            return 0.0
        scores, total, top, exps = self.scores, self.total, self.top, self.exps
        rest = 1.0
        old_exps = 0.0
        for pos in causes:
            rest -= scores[pos]
            old_exps += exps[pos]
        trials = [self._trial_points(fact, value, causes, touched) for value in values]
        shifts = []
        for trial in trials:  # plain loops: this runs for every unanswered fact of every case
            new = [math.exp(points - top) for points in trial]
            new_total = total - old_exps
            for value in new:
                new_total += value
            moved = 0.0
            for i, pos in enumerate(causes):
                moved += abs(new[i] / new_total - scores[pos])
            shifts.append(0.5 * (moved + rest * abs(total / new_total - 1.0)))
        # Each answer's chance: the causes' likelihoods of it (their points under each answer,
        # as a softmax over the answers), weighted by their scores; the rest find all equally likely.
        chance = [rest / len(values)] * len(values)
        for i, pos in enumerate(causes):
            column = [trial[i] for trial in trials]
            peak = max(column)
            weights = [math.exp(points - peak) for points in column]
            share = scores[pos] / sum(weights)
            for v, weight in enumerate(weights):
                chance[v] += share * weight
        expected = 0.0
        for weight, moved in zip(chance, shifts, strict=True):
            expected += weight * moved
        return expected

    def _trial_points(self, fact: str, value: FactValue | None, causes: list[int],
                      touched: dict[int, tuple[int, ...]]) -> tuple[float, ...]:
        """The points of ``causes`` if the case had ``value`` for ``fact``."""
        if value is None:
            return tuple(self.points[pos] for pos in causes)
        if fact in self.case:  # an answer changed: every condition on the fact is checked again
            return self._retried_points(fact, value, causes, touched)
        # An unanswered fact: what its one-fact conditions add for this value depends only on the
        # rules (worked out once per knowledge base); the few compound conditions are checked.
        leaf_sum, compound = _fact_parts(self.kb, fact, touched)
        trial = {**self.case, fact: value} if compound else self.case
        result = []
        for pos in causes:
            delta = leaf_sum(value, pos)
            items = compound.get(pos)
            if items:
                evidence, now = self.kb.causes[pos].evidence, self.matched[pos]
                for item in items:
                    delta += evidence[item].weight * (matches(evidence[item].condition, trial) - (item in now))
            result.append(self.points[pos] + delta)
        return tuple(result)

    def _retried_points(self, fact: str, value: FactValue, causes: list[int],
                        touched: dict[int, tuple[int, ...]]) -> tuple[float, ...]:
        trial = {**self.case, fact: value}
        result = []
        for pos in causes:
            evidence = self.kb.causes[pos].evidence
            now = self.matched[pos]
            delta = 0.0
            for item in touched[pos]:
                condition = evidence[item].condition
                if type(condition) is Leaf:  # one fact, and it is the one being tried
                    hit = leaf_accepts(condition, value)
                else:
                    hit = matches(condition, trial)
                delta += evidence[item].weight * (hit - (item in now))
            result.append(self.points[pos] + delta)
        return tuple(result)


def _fact_parts(kb: KnowledgeBase, fact: str, touched: dict[int, tuple[int, ...]]) -> tuple[
        Callable[[FactValue, int], float], dict[int, list[int]]]:
    """For ``fact``: a function giving what a cause's one-fact conditions on it add for a value
    (each worked out once), and each cause's compound conditions that mention it.  Kept with
    the knowledge base (derived data), so a batch works each out once."""
    key = f"fact-parts:{fact}"
    cached = kb.cache.get(key)
    if cached is not None:
        return cached  # type: ignore[return-value]
    compound = {pos: [item for item in items if type(kb.causes[pos].evidence[item].condition) is not Leaf]
                for pos, items in touched.items()}
    compound = {pos: items for pos, items in compound.items() if items}
    sums: dict[tuple[object, int], float] = {}

    def leaf_sum(value: FactValue, pos: int) -> float:
        found = sums.get((value, pos))
        if found is None:
            found = 0.0
            evidence = kb.causes[pos].evidence
            for item in touched[pos]:
                condition = evidence[item].condition
                if isinstance(condition, Leaf) and leaf_accepts(condition, value):
                    found += evidence[item].weight
            sums[(value, pos)] = found
        return found

    parts = (leaf_sum, compound)
    kb.cache[key] = parts
    return parts


def expected_shift(kb: KnowledgeBase, case: Case, fact: str, values: Sequence[FactValue | None]) -> float:
    """How much answering ``fact`` with one of ``values`` is expected to move the scores."""
    return ShiftEstimator(kb, case).shift(fact, values)
