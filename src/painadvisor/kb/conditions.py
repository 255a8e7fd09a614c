"""Evaluating rule conditions against a case.  Conditions are data; this is their only interpreter."""

from __future__ import annotations

from typing import NamedTuple

from painadvisor.kb.vocabulary import Case, FactValue

# --- conditions -------------------------------------------------------------------


# The small, numerous parts of the knowledge base are named tuples: they are made by the
# hundred thousand in a large pack, and defining them costs a fraction of a dataclass at
# start-up.  ``kind`` keeps conditions of different kinds from ever comparing equal.


class Leaf(NamedTuple):
    """One fact tested against a set of values or a number range."""

    fact: str
    values: frozenset[str | bool] | None = None
    at_least: int | None = None
    at_most: int | None = None


class AllOf(NamedTuple):
    conditions: tuple[Condition, ...]
    kind: str = "all"


class AnyOf(NamedTuple):
    conditions: tuple[Condition, ...]
    kind: str = "any"


class Not(NamedTuple):
    condition: Condition
    kind: str = "not"


Condition = Leaf | AllOf | AnyOf | Not


def matches(condition: Condition, case: Case) -> bool:
    if type(condition) is Leaf:  # the hot path: most evidence is one fact
        return leaf_accepts(condition, case.get(condition.fact))
    if isinstance(condition, AllOf):
        return all(matches(part, case) for part in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(matches(part, case) for part in condition.conditions)
    assert isinstance(condition, Not)
    return not matches(condition.condition, case)


def leaf_accepts(leaf: Leaf, value: FactValue | None) -> bool:
    """Whether a one-fact condition holds for this value of its fact (None: not known)."""
    if value is None:
        return False
    values = leaf.values
    if values is not None:
        if type(value) is tuple:
            return not values.isdisjoint(value)
        return value in values
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
    if type(condition) is Leaf:
        value = case.get(condition.fact)
        if value is None:
            return {}
        if type(value) is tuple and condition.values is not None:
            value = tuple(item for item in value if item in condition.values)
        return {condition.fact: value}
    if isinstance(condition, Not):
        return {fact: case[fact] for fact in sorted(facts_of(condition.condition)) if fact in case}
    assert isinstance(condition, AllOf | AnyOf)
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


def satisfiable(condition: Condition) -> bool:
    """Whether some case could make the condition hold (a structural check, used on rule packs)."""
    if type(condition) is Leaf:
        if condition.values is not None:
            return bool(condition.values)
        low = condition.at_least if condition.at_least is not None else -(10**9)
        high = condition.at_most if condition.at_most is not None else 10**9
        return low <= high
    if isinstance(condition, Not):
        return True  # a fact left out makes any test false, so its 'not' true
    if isinstance(condition, AnyOf):
        return any(satisfiable(part) for part in condition.conditions)
    assert isinstance(condition, AllOf)
    parts = _flatten(condition)
    return all(satisfiable(part) for part in parts) and _consistent(parts)


def _flatten(condition: AllOf) -> list[Condition]:
    parts: list[Condition] = []
    for part in condition.conditions:
        parts.extend(_flatten(part) if isinstance(part, AllOf) else [part])
    return parts


def _consistent(parts: list[Condition]) -> bool:
    """No two one-fact tests in an 'all' contradict each other (for facts with a single value)."""
    from painadvisor.kb.vocabulary import FACTS_BY_ID, Kind

    allowed: dict[str, set[object]] = {}
    excluded: dict[str, set[object]] = {}
    low: dict[str, int] = {}
    high: dict[str, int] = {}
    for part in parts:
        negated = isinstance(part, Not) and type(part.condition) is Leaf
        leaf = part.condition if negated else part  # type: ignore[union-attr]
        if type(leaf) is not Leaf or FACTS_BY_ID[leaf.fact].kind is Kind.MANY:
            continue
        if leaf.values is not None:
            if negated:
                excluded.setdefault(leaf.fact, set()).update(leaf.values)
            else:
                allowed[leaf.fact] = allowed.get(leaf.fact, set(leaf.values)) & set(leaf.values)
        elif not negated:
            if leaf.at_least is not None:
                low[leaf.fact] = max(low.get(leaf.fact, leaf.at_least), leaf.at_least)
            if leaf.at_most is not None:
                high[leaf.fact] = min(high.get(leaf.fact, leaf.at_most), leaf.at_most)
    if any(not (values - excluded.get(fact, set())) for fact, values in allowed.items()):
        return False
    return all(low[fact] <= high[fact] for fact in low.keys() & high.keys())
