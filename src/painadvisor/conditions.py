"""Evaluating rule conditions against a case.  Conditions are data; this is their only interpreter."""

from __future__ import annotations

from painadvisor.models import AllOf, AnyOf, Condition, Leaf, Not
from painadvisor.vocabulary import Case, FactValue


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


def has_not(condition: Condition) -> bool:
    """Whether a condition contains a 'not' (and so may hold when facts are absent)."""
    if isinstance(condition, Not):
        return True
    if isinstance(condition, Leaf):
        return False
    return any(has_not(part) for part in condition.conditions)
