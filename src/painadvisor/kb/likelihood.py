"""Evidence every cause gets from its rules without writing it out: where it can hurt, and
what a denied sign says.

**Location as a likelihood.**  A cause's places are the places its location evidence
raises it for (its own places and its known referred-pain patterns), plus any listed
under ``places``.  Pain anywhere else is strong evidence against it: a weight of
``MISMATCH`` (a likelihood ratio of about 1 in 150), so with a location alone nearly all
of the score goes to causes of that region.  A coarse location ("knee") is read as
"one of the places under it": its weight for a cause is the log of the mean likelihood
ratio over those places, so every knee cause keeps most of its location evidence and
every other cause gets the mismatch.

**Denied signs.**  ``signs_absent`` holds the signs the runner says they do not have.
For each sign that raises a cause, its denial lowers the cause by ``ABSENT_SHARE`` of
that weight (at most ``ABSENT_CAP``), unless the rules say explicitly what its absence
means (evidence on ``signs_absent``): a finding that is usually there when the cause is
counts against it when it is missing.

The derived items replace the cause's one-fact location evidence and are ordinary
evidence from then on: indexed, scored and explained like any other.
"""

from __future__ import annotations

import math

from painadvisor.kb.models import AllOf, Cause, Evidence, Leaf
from painadvisor.kb.vocabulary import COARSE_LOCATIONS, FACTS_BY_ID, places_of

MISMATCH = -5.0
ABSENT_SHARE = 0.4
ABSENT_CAP = 1.5
PRECISE_PLACES = tuple(value for value in FACTS_BY_ID["location"].values
                       if value not in COARSE_LOCATIONS or value == "ankle")


def with_derived_evidence(cause: Cause) -> Cause:
    evidence = _location_evidence(cause) + _absent_evidence(cause.evidence)
    return cause._replace(evidence=evidence) if evidence != cause.evidence else cause


def _is_location_item(item: Evidence) -> bool:
    return type(item.condition) is Leaf and item.condition.fact == "location"


def place_weights(cause: Cause) -> dict[str, tuple[float, str]]:
    """The cause's location weight and its reason for every location value (precise and coarse)."""
    items = [item for item in cause.evidence if _is_location_item(item)]
    if not items and not cause.places:
        return {}  # says nothing about where it hurts: location is no evidence either way
    own: dict[str, tuple[float, str]] = {}
    for place in PRECISE_PLACES:
        hits = [item for item in items if place in (item.condition.values or ())]  # type: ignore[union-attr]
        weight = sum(item.weight for item in hits)
        note = "; ".join(item.note for item in hits if item.note)
        if weight <= 0 and place not in cause.places:
            weight, note = min(weight, MISMATCH), "this does not cause pain there"
        own[place] = (weight, note)
    weights = dict(own)
    for coarse in (*COARSE_LOCATIONS, "ankle"):
        under = [own[place][0] for place in places_of(coarse)]
        top = max(under)
        mean = top + math.log(sum(math.exp(weight - top) for weight in under) / len(under))
        where = "the ankle in general" if coarse == "ankle" else f"somewhere in the {coarse.replace('-', ' ')}"
        weights[coarse] = (round(mean, 2), f"pain {where}" if mean > MISMATCH / 2
                           else f"pain {where}, where this rarely hurts")
    return weights


def _location_evidence(cause: Cause) -> tuple[Evidence, ...]:
    weights = place_weights(cause)
    if not weights:
        return cause.evidence
    line = next((item.line for item in cause.evidence if _is_location_item(item)), None)
    grouped: dict[tuple[float, str], list[str]] = {}
    for place, (weight, note) in weights.items():
        if weight:
            grouped.setdefault((weight, note), []).append(place)
    derived = tuple(Evidence(Leaf("location", values=frozenset(places)), weight, note, line)
                    for (weight, note), places in sorted(grouped.items(), key=lambda item: -item[0][0]))
    rest = tuple(item for item in cause.evidence if not _is_location_item(item))
    return derived + rest


def _absent_evidence(evidence: tuple[Evidence, ...]) -> tuple[Evidence, ...]:
    """The evidence a denied sign gives, for each sign that raises the cause."""
    explicit = {value for item in evidence for value in _values_on(item, "signs_absent")}
    derived = []
    for item in evidence:
        signs = _values_on(item, "signs")
        if item.weight <= 0 or not signs or signs & explicit:
            continue
        weight = -min(ABSENT_CAP, round(ABSENT_SHARE * item.weight, 2))
        names = " or ".join(sorted(sign.replace("-", " ") for sign in signs))
        condition = (Leaf("signs_absent", values=frozenset(signs)) if len(signs) == 1 else
                     AllOf(tuple(Leaf("signs_absent", values=frozenset([sign])) for sign in sorted(signs))))
        derived.append(Evidence(condition, weight, f"no {names}, which this usually brings", item.line))
    return tuple(derived)


def _values_on(item: Evidence, fact: str) -> set[str]:
    condition = item.condition
    if type(condition) is Leaf and condition.fact == fact and condition.values is not None:
        return {str(value) for value in condition.values}
    return set()
