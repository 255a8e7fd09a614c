"""The knowledge base's index for fast scoring: which evidence can a fact touch?

Built from the causes once, with the knowledge base, and cached with it; the engine's
scoring only reads it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from painadvisor.kb.conditions import facts_of
from painadvisor.kb.models import KnowledgeBase, Leaf


class Index(NamedTuple):
    base: tuple[float, ...]  # each cause's starting points: log of its base rate in percent
    accepts: dict[str, dict[object, tuple[tuple[int, int], ...]]]  # fact -> value -> one-fact evidence it meets
    ranges: dict[str, tuple[tuple[int, int, Leaf], ...]]  # fact -> one-fact evidence on a number
    compound: tuple[tuple[int, int], ...]  # evidence on several facts or with a 'not': checked for every case
    by_fact_cause: dict[str, dict[int, tuple[int, ...]]]  # fact -> cause -> evidence positions


def index_of(kb: KnowledgeBase) -> Index:
    """The knowledge base's index, built once and kept with it."""
    cached = kb.cache.get("index")
    if isinstance(cached, Index):
        return cached
    by_fact_cause: dict[str, dict[int, list[int]]] = {}
    accepts: dict[str, dict[object, list[tuple[int, int]]]] = {}
    ranges: dict[str, list[tuple[int, int, Leaf]]] = {}
    compound: list[tuple[int, int]] = []
    for cause_pos, cause in enumerate(kb.causes):  # built at every start-up: plain, tight loops
        for evidence_pos, item in enumerate(cause.evidence):
            leaf = item.condition
            if type(leaf) is Leaf:
                if leaf.values is not None:
                    pair = (cause_pos, evidence_pos)
                    by_value = accepts.setdefault(leaf.fact, {})
                    for value in leaf.values:
                        found = by_value.get(value)
                        if found is None:
                            by_value[value] = [pair]
                        else:
                            found.append(pair)
                else:
                    ranges.setdefault(leaf.fact, []).append((cause_pos, evidence_pos, leaf))
                by_fact_cause.setdefault(leaf.fact, {}).setdefault(cause_pos, []).append(evidence_pos)
                continue
            compound.append((cause_pos, evidence_pos))
            for fact in facts_of(leaf):
                by_fact_cause.setdefault(fact, {}).setdefault(cause_pos, []).append(evidence_pos)
    index = Index(
        base=tuple(math.log(cause.base_rate * 100) for cause in kb.causes),
        accepts={fact: {value: tuple(items) for value, items in by_value.items()}
                 for fact, by_value in accepts.items()},
        ranges={fact: tuple(items) for fact, items in ranges.items()},
        compound=tuple(compound),
        by_fact_cause={fact: {cause: tuple(items) for cause, items in causes.items()}
                       for fact, causes in by_fact_cause.items()},
    )
    kb.cache["index"] = index
    return index
