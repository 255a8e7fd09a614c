"""The case vocabulary accepts every fact and value of intake.md, exactly as written."""

from __future__ import annotations

import pytest

from painadvisor.errors import CaseError
from painadvisor.kb.vocabulary import FACTS_BY_ID, Kind, parse_case

import intake

CONTRACT = intake.facts()
KINDS = {"one of": Kind.ONE, "any of": Kind.MANY, "yes/no": Kind.YES_NO}


def test_every_fact_of_the_contract_is_known_with_its_kind() -> None:
    assert set(CONTRACT) <= set(FACTS_BY_ID)
    for fact_id, (kind, _) in CONTRACT.items():
        expected = KINDS.get(kind, Kind.NUMBER if kind.startswith("whole number") else Kind.TEXT)
        assert FACTS_BY_ID[fact_id].kind is expected, fact_id


@pytest.mark.parametrize("fact_id", [fact for fact, (_, values) in CONTRACT.items() if values])
def test_every_listed_value_is_accepted(fact_id: str) -> None:
    for value in CONTRACT[fact_id][1]:
        case = parse_case({fact_id: value})
        assert case[fact_id] in (value, (value,))


def test_any_of_facts_take_lists_in_vocabulary_order_without_repeats() -> None:
    case = parse_case({"worse_with": ["stairs-down", "downhill", "downhill"]})
    assert case["worse_with"] == ("stairs-down", "downhill")


@pytest.mark.parametrize(("fact_id", "low", "high"),
                         [("severity", 0, 10), ("age", 10, 100), ("duration_days", 0, 3650)])
def test_numbers_accept_their_range_and_refuse_beyond(fact_id: str, low: int, high: int) -> None:
    assert parse_case({fact_id: low})[fact_id] == low
    assert parse_case({fact_id: high})[fact_id] == high
    with pytest.raises(CaseError, match=f"{fact_id}: '-1' is not a whole number"):
        parse_case({fact_id: -1})


def test_yes_no_accepts_booleans_and_plain_words() -> None:
    assert parse_case({"pop": True, "warmup": "no", "overweight": "yes"}) == {
        "pop": True, "overweight": True, "warmup": False}


def test_unknown_fact_suggests_the_nearest() -> None:
    with pytest.raises(CaseError, match=r"unknown fact 'locaton' \(did you mean 'location'\?\)"):
        parse_case({"locaton": "calf"})


def test_unknown_value_names_fact_value_and_allowed_values() -> None:
    with pytest.raises(CaseError) as caught:
        parse_case({"side": "lef"})
    assert str(caught.value) == "side: 'lef' is not an allowed value (did you mean 'left'?); allowed: left, right, both"


def test_note_is_kept_literally_up_to_500_characters() -> None:
    note = "[bold]not markup[/bold] | *nor this*"
    assert parse_case({"note": note})["note"] == note
    with pytest.raises(CaseError, match="the limit is 500"):
        parse_case({"note": "x" * 501})


def test_booleans_are_not_numbers() -> None:
    with pytest.raises(CaseError):
        parse_case({"age": True})
