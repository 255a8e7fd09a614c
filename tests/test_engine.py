"""The engine: ranking, explanations, red flags, triage, tips and what is missing."""

from __future__ import annotations

import math

import pytest

from painadvisor.engine import advice as engine
from painadvisor.kb.models import KnowledgeBase, triage_rank
from painadvisor.kb.vocabulary import parse_case

import intake
import textbook


def advise(kb: KnowledgeBase, raw: dict[str, object]) -> engine.Advice:
    return engine.evaluate(kb, parse_case(raw))


def test_the_knowledge_base_covers_every_cause_and_red_flag_of_the_contract(kb: KnowledgeBase) -> None:
    assert set(intake.cause_ids()) <= {cause.id for cause in kb.causes}
    assert set(intake.red_flag_ids()) <= {flag.id for flag in kb.red_flags}


@pytest.mark.parametrize(("cause_id", "raw"), textbook.cause_params())
def test_a_textbook_case_ranks_its_cause_first(kb: KnowledgeBase, cause_id: str, raw: dict[str, object]) -> None:
    ranked = [item.cause.id for item in advise(kb, raw).causes]
    assert ranked[0] == cause_id, ranked[:3]


@pytest.mark.parametrize(("flag_id", "raw", "level"), textbook.flag_params())
def test_each_red_flag_is_raised_and_sets_the_triage(kb: KnowledgeBase, flag_id: str, raw: dict[str, object],
                                                     level: str) -> None:
    advice = advise(kb, raw)
    assert flag_id in [raised.flag.id for raised in advice.red_flags]
    assert triage_rank(advice.triage) >= triage_rank(level)


def test_scores_add_up_to_one_and_are_ranked(kb: KnowledgeBase) -> None:
    advice = advise(kb, textbook.CAUSES["itb-syndrome"])
    scores = [item.score for item in advice.causes]
    assert math.isclose(sum(scores), 1.0)
    assert scores == sorted(scores, reverse=True)
    assert len(advice.causes) == len(kb.causes)


def test_every_point_of_a_score_is_explained(kb: KnowledgeBase) -> None:
    for item in advise(kb, textbook.CAUSES["patellofemoral-pain"]).causes:
        assert math.isclose(item.points, item.base_points + sum(part.weight for part in item.because))
        assert math.isclose(item.base_points, math.log(item.cause.base_rate * 100))


def test_because_names_the_case_facts_that_moved_the_score(kb: KnowledgeBase) -> None:
    top = advise(kb, {"location": "knee.outer", "pop": True}).causes
    itb = next(item for item in top if item.cause.id == "itb-syndrome")
    assert {"facts": {"location": "knee.outer"}, "weight": 4.5} in [
        {"facts": part.facts, "weight": part.weight} for part in itb.because]
    assert any(part.facts == {"pop": True} and part.weight < 0 for part in itb.because)


def test_the_same_case_always_gives_the_same_advice(kb: KnowledgeBase) -> None:
    raw = textbook.CAUSES["calf-strain"]
    assert advise(kb, raw) == advise(kb, raw)


def test_an_empty_case_leans_to_the_most_common_cause_and_asks_where_it_hurts(kb: KnowledgeBase) -> None:
    advice = advise(kb, {})
    assert advice.causes[0].cause.id == "patellofemoral-pain"
    assert advice.triage == "self-care"
    assert advice.missing[0] == "location"


def test_a_sparse_case_leans_to_the_common_cause_of_that_place(kb: KnowledgeBase) -> None:
    assert advise(kb, {"location": "heel.bottom"}).causes[0].cause.id == "plantar-fasciitis"
    assert advise(kb, {"location": "shin.inner"}).causes[0].cause.id == "medial-tibial-stress-syndrome"


def test_a_red_flag_outranks_a_likely_benign_cause(kb: KnowledgeBase) -> None:
    # A clear calf strain after a long flight is still a possible clot.
    advice = advise(kb, {**textbook.CAUSES["calf-strain"], "recent_immobility": True})
    assert advice.causes[0].cause.id == "calf-strain"
    assert advice.triage == "emergency"
    assert advice.red_flags[0].flag.id == "dvt"


def test_emergency_flags_come_before_see_doctor_flags(kb: KnowledgeBase) -> None:
    advice = advise(kb, {"location": "ankle", "signs": ["cannot-bear-weight", "deformity"]})
    assert [raised.flag.triage for raised in advice.red_flags] == ["emergency", "see-doctor"]


def test_a_likely_serious_cause_lifts_the_triage_without_a_red_flag(kb: KnowledgeBase) -> None:
    advice = advise(kb, {"location": "achilles", "onset": "sudden", "signs": ["weak-push-off"],
                         "side": "left"})
    assert advice.causes[0].cause.id == "achilles-rupture"
    assert advice.triage == "urgent"  # a suspected rupture is seen the same day
    assert "likely cause: achilles-rupture" in advice.triage_reasons


def test_compartment_supersedes_nerve_symptoms(kb: KnowledgeBase) -> None:
    flags = [raised.flag.id for raised in advise(kb, textbook.RED_FLAGS["compartment"][0]).red_flags]
    assert "compartment" in flags and "nerve-symptoms" not in flags


@pytest.mark.parametrize("raw", [
    pytest.param({"location": "calf", "pop": True, "signs": ["weak-push-off"]}, id="rupture"),
    pytest.param({"location": "calf", "signs": ["dark-urine"]}, id="rhabdomyolysis"),
])
def test_tips_that_say_keep_running_are_hidden_when_the_runner_must_stop(kb: KnowledgeBase,
                                                                         raw: dict[str, object]) -> None:
    advice = advise(kb, raw)
    assert advice.triage != "self-care"
    for chosen in advice.tips:
        assert chosen.tip.max_triage is None or triage_rank(chosen.tip.max_triage) >= triage_rank(advice.triage)


def test_tips_are_tied_to_the_case(kb: KnowledgeBase) -> None:
    advice = advise(kb, textbook.CAUSES["itb-syndrome"])
    reasons = [chosen.reason for chosen in advice.tips]
    assert any(reason == "for itb-syndrome" for reason in reasons)
    assert {chosen.tip.kind for chosen in advice.tips} == {"now", "prevention"}


def test_missing_lists_unanswered_facts_that_would_change_the_ranking(kb: KnowledgeBase) -> None:
    raw = {"location": "knee.inner"}
    advice = advise(kb, raw)
    assert advice.missing, "a one-fact case should want to know more"
    assert "location" not in advice.missing
    assert "note" not in advice.missing
    # Each listed fact really moves the ranking when answered.
    case = parse_case(raw)
    for fact in advice.missing:
        assert engine.expected_shift(kb, case, fact) > 0.01


def test_a_complete_case_is_missing_less_than_a_sparse_one(kb: KnowledgeBase) -> None:
    sparse = advise(kb, {"location": "knee.inner"})
    full = advise(kb, {**textbook.CAUSES["pes-anserine-bursitis"], "onset": "gradual", "signs": ["lump"],
                       "worse_with": ["stairs-up", "twisting"], "pop": False, "spread": "area"})
    assert engine.expected_shift(kb, parse_case({"location": "knee.inner"}), sparse.missing[0]) > max(
        (engine.expected_shift(kb, full.case, fact) for fact in full.missing), default=0)


@pytest.mark.parametrize(("flag_id", "raw", "level"), textbook.flag_params())
def test_the_tips_for_a_raised_red_flag_are_always_given(kb: KnowledgeBase, flag_id: str, raw: dict[str, object],
                                                         level: str) -> None:
    advice = advise(kb, raw)
    wanted = {tip.id for tip in kb.tips if flag_id in tip.for_flags}
    chosen = [chosen.tip.id for chosen in advice.tips]
    assert wanted <= set(chosen)
    assert chosen[: len(wanted)] == [tip for tip in chosen if tip in wanted]  # and first
