"""Evaluating rule conditions against a case.  Conditions are data; this is their only interpreter."""

from __future__ import annotations

from painadvisor.models import AllOf, AnyOf, Condition, Leaf, Not
from painadvisor.vocabulary import Case, FactValue


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
