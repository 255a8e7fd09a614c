"""Understanding answers in a runner's own words (the pure parser behind the consultation)."""

from __future__ import annotations

import datetime as dt

import pytest

from painadvisor.engine import answers
from painadvisor.kb.models import Choice, KnowledgeBase, Question

SUNDAY = dt.date(2026, 11, 29)


def question(kb: KnowledgeBase, question_id: str) -> Question:
    return next(item for item in kb.questions if item.id == question_id)


@pytest.mark.parametrize(("reply", "value"), [
    ("knee", "knee"), ("kneecap", "knee.front"), ("Knee cap", "knee.front"), ("shin splints area", "shin.inner"),
    ("outside of the hip", "hip.outer"), ("my calf", "calf"), ("ball of foot", "foot.forefoot"),
    ("hamstring", "thigh.back"), ("back of knee", "knee.back"), ("groin", "hip.groin"), ("heel", "heel"),
    ("between my toes", "foot.toes"), ("sitting bone", "buttock"), ("achilles", "achilles"),
    ("knee.outer", "knee.outer"),
])
def test_where_it_hurts_in_words(kb: KnowledgeBase, reply: str, value: str) -> None:
    found = answers.match_one(reply, list(question(kb, "location").choices))
    assert isinstance(found, Choice) and found.value == value


def test_an_ambiguous_word_offers_the_closest_choices(kb: KnowledgeBase) -> None:
    found = answers.match_one("shin", list(question(kb, "location").choices))
    assert isinstance(found, answers.Ambiguous)
    assert {"shin.inner", "shin.front"} <= {choice.value for choice in found.candidates}
    assert len(found.candidates) <= 3


@pytest.mark.parametrize(("reply", "values"), [
    ("stairs down and sitting", ("stairs-down", "sitting-long")), ("1,3", ("walking", "getting-up")),
    ("1 3", ("walking", "getting-up")), ("none", ()), ("nothing", ()), ("walking, hopping", ("walking", "hopping")),
    ("going down stairs & running downhill", ("stairs-down", "downhill")),
])
def test_several_choices_in_words(kb: KnowledgeBase, reply: str, values: tuple[str, ...]) -> None:
    assert answers.match_many(reply, list(question(kb, "worse-with").choices)) == values


@pytest.mark.parametrize(("reply", "value"), [("yes", True), ("yeah", True), ("y", True), ("Yep", True),
                                              ("no", False), ("nope", False), ("n", False), ("not really", False)])
def test_yes_and_no_in_words(kb: KnowledgeBase, reply: str, value: bool) -> None:
    choices = [Choice(True, "yes"), Choice(False, "no")]
    found = answers.match_one(reply, choices)
    assert isinstance(found, Choice) and found.value is value


@pytest.mark.parametrize(("reply", "days"), [
    ("3 weeks", 21), ("3w", 21), ("three weeks", 21), ("2 months", 60), ("10 days", 10), ("10", 10),
    ("yesterday", 1), ("today", 0), ("a week", 7), ("a couple of days", 2), ("a few days", 3),
    ("a fortnight", 14), ("about 6 weeks ago", 42), ("since Friday", 2), ("since Sunday", 7),
    ("since 2026-11-20", 9), ("1.5 weeks", 10),
])
def test_durations_as_people_say_them(reply: str, days: int) -> None:
    assert answers.parse_duration(reply, SUNDAY) == days


@pytest.mark.parametrize("reply", ["soon", "x weeks", "since forever", "", "²", "①"])
def test_durations_that_make_no_sense_are_not_guessed(reply: str) -> None:
    assert answers.parse_duration(reply, SUNDAY) is None


@pytest.mark.parametrize(("reply", "number"), [("34", 34), ("thirty-four", 34), ("thirty four", 34), ("7/10", 7),
                                               ("seven", 7), ("I am 12", 12), ("12 years old", 12)])
def test_ages_and_pain_scores_in_words_or_numbers(reply: str, number: int) -> None:
    assert answers.parse_number(reply) == number


@pytest.mark.parametrize("reply", ["s", "skip", "not sure", "Don't know", "no idea"])
def test_not_sure_skips(reply: str) -> None:
    assert answers.is_skip(reply)
