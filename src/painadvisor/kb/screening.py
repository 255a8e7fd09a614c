"""Red-flag screening, derived from the red flags' own triggers.

A question screens for a red flag when its answer could still raise that flag: the
trigger can still hold given what the runner has said, and one of the tests it still
waits on is about the question's fact (for an "any of" fact, about one of the values the
question offers).  Nothing is restated by hand, so a rule pack that adds a flag is
screened for as soon as some question asks about its facts; ``rules check`` reports a
flag whose facts no question asks (``unscreened``).

What the runner has said is the case plus, for "any of" facts, the values a question
offered that the runner did not pick: those are known to be absent.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from painadvisor.kb.conditions import matches
from painadvisor.kb.models import AllOf, AnyOf, Condition, Leaf, Not, Question, RedFlag
from painadvisor.kb.vocabulary import FACTS_BY_ID, Case, Kind

Known = Mapping[str, set[str]]  # "any of" fact -> values known to be absent


def known_absent(case: Case, offered: Known) -> dict[str, set[str]]:
    """The values of each "any of" fact the runner has said they do not have."""
    absent = {fact: set(values) - set(case.get(fact, ())) for fact, values in offered.items()}  # type: ignore[arg-type]
    absent.setdefault("signs", set()).update(str(value) for value in case.get("signs_absent", ()))  # type: ignore[union-attr]
    return absent


def open_leaves(condition: Condition, case: Case, absent: Known,
                settled: frozenset[str] = frozenset()) -> list[Leaf] | None:
    """None when the condition can no longer hold; else the undecided tests whose answers
    could still make it hold (empty: it holds now).  ``settled`` facts will not be known
    (the runner said "don't know"), so tests on them cannot come to hold."""
    if isinstance(condition, Leaf):
        if matches(condition, case):
            return []
        return None if condition.fact in settled or _decided(condition, case, absent) else [condition]
    if isinstance(condition, Not):  # answering more only ever makes the inner test hold, not the 'not'
        return None if matches(condition.condition, case) else []
    parts = [open_leaves(part, case, absent, settled) for part in condition.conditions]
    if isinstance(condition, AllOf):
        if any(part is None for part in parts):
            return None
        return [leaf for part in parts for leaf in part or ()]
    assert isinstance(condition, AnyOf)
    possible = [part for part in parts if part is not None]
    if not possible:
        return None
    return [leaf for part in possible for leaf in part]


def _decided(leaf: Leaf, case: Case, absent: Known) -> bool:
    if FACTS_BY_ID[leaf.fact].kind is not Kind.MANY:
        return leaf.fact in case
    return leaf.values is not None and {str(value) for value in leaf.values} <= absent.get(leaf.fact, set())


def asks(question: Question, leaf: Leaf) -> bool:
    """Whether answering ``question`` decides ``leaf`` (or part of it)."""
    if question.fact != leaf.fact:
        return False
    if FACTS_BY_ID[leaf.fact].kind is not Kind.MANY or leaf.values is None:
        return True
    return any(choice.value in leaf.values for choice in question.choices)


def screens(question: Question, flags: Iterable[RedFlag], case: Case, absent: Known,
            settled: frozenset[str] = frozenset()) -> list[str]:
    """The red flags (not raised yet) that answering ``question`` could still raise."""
    found = []
    for flag in flags:
        leaves = open_leaves(flag.trigger, case, absent, settled)
        if leaves and any(asks(question, leaf) for leaf in leaves):
            found.append(flag.id)
    return found


def raising_leaves(condition: Condition) -> list[Leaf]:
    """Every test that, answered, can help raise a flag (those not under a 'not')."""
    if isinstance(condition, Leaf):
        return [condition]
    if isinstance(condition, Not):
        return []
    return [leaf for part in condition.conditions for leaf in raising_leaves(part)]


def unscreened(flags: Iterable[RedFlag], questions: Iterable[Question]) -> list[tuple[RedFlag, str]]:
    """(flag, what) for each fact or value that can raise a flag but no question asks.
    Where it hurts is asked first, always, so location tests need no screening question."""
    questions = list(questions)
    missing = []
    for flag in flags:
        for leaf in raising_leaves(flag.trigger):
            if leaf.fact == "location":
                continue
            if FACTS_BY_ID[leaf.fact].kind is Kind.MANY and leaf.values is not None:
                offered = {choice.value for question in questions if question.fact == leaf.fact
                           for choice in question.choices}
                for value in sorted(str(value) for value in leaf.values if value not in offered):
                    missing.append((flag, f"{leaf.fact} = {value}"))
            elif not any(question.fact == leaf.fact for question in questions):
                missing.append((flag, leaf.fact))
    return list(dict.fromkeys(missing))
