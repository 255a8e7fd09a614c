"""The interactive consultation: its question order (pure) and the conversation (scripted)."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from rich.console import Console

from painadvisor import engine
from painadvisor.interview import Interview, answer_from_case, replay
from painadvisor.models import KnowledgeBase
from painadvisor.session import Session
from painadvisor.vocabulary import parse_case

import textbook


def scripted(replies: list[str], note: str | None = None) -> tuple[Session, io.StringIO, list[str]]:
    """A session whose runner types ``replies``, one per prompt, then skips the rest; with ``note``
    it answers the closing note and finishes, else the input ends after ``replies``.
    Returns the session, its screen and the prompts shown."""
    from painadvisor.knowledge import load_knowledge_base

    screen = io.StringIO()
    console = Console(file=screen, width=100, color_system=None, force_terminal=False)
    prompts: list[str] = []
    lines: Iterator[str] = iter(replies)

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        if note is not None and prompt.startswith("Anything else"):
            return note
        try:
            return next(lines)
        except StopIteration:
            if note is None:
                raise EOFError from None
            return "s"

    return Session(load_knowledge_base(), console, read_line), screen, prompts


def test_where_it_hurts_is_asked_first_then_the_red_flag_screen(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    first = interview.next_question()
    assert first is not None and first.fact == "location"
    interview.answer(first, "calf")
    screened = []
    while (question := interview.next_question()) is not None and question.screens:
        screened.append(question.id)
        interview.answer(question, None)
    # For a calf: the warning signs, how long and which way it is going, immobility, a pop, push-off.
    assert screened == ["warning-signs", "duration", "trend", "recent-immobility", "pop", "push-off"]


@pytest.mark.parametrize(("cause_id", "raw"), textbook.cause_params())
def test_replay_reaches_the_same_leader_as_the_whole_case(kb: KnowledgeBase, cause_id: str,
                                                          raw: dict[str, object]) -> None:
    case = parse_case(raw)
    consultation = replay(kb, case)
    assert engine.rank_causes(kb, consultation.case)[0].cause.id == engine.rank_causes(kb, case)[0].cause.id
    assert len(consultation.asked) <= 16


@pytest.mark.parametrize(("flag_id", "raw", "level"), textbook.flag_params())
def test_replay_never_misses_a_red_flag_the_case_raises(kb: KnowledgeBase, flag_id: str, raw: dict[str, object],
                                                        level: str) -> None:
    consultation = replay(kb, parse_case(raw))
    assert flag_id in [raised.flag.id for raised in consultation.red_flags()]


def test_a_fact_missing_from_the_case_is_answered_dont_know(kb: KnowledgeBase) -> None:
    question = next(question for question in kb.questions if question.id == "trend")
    assert answer_from_case(question, {}) is None
    signs = next(question for question in kb.questions if question.id == "warning-signs")
    assert answer_from_case(signs, {"signs": ("swelling",)}) == ()


def test_back_undoes_the_last_answer(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    location = interview.next_question()
    assert location is not None
    interview.answer(location, "ankle")
    assert interview.back() == location
    assert interview.case == {} and interview.asked == []


def test_a_scripted_conversation_by_number_value_multi_select_skip_and_back() -> None:
    session, screen, prompts = scripted([
        "3", "calf",            # location: group "Shin or calf", then the value itself
        "1 x",                  # warning signs: an invalid answer, re-asked
        "0",                    # warning signs: none
        "2",                    # two days
        "b",                    # back to the days ...
        "b",                    # ... and back to the warning signs
        "none", "3",            # none again; three days
        "s",                    # trend skipped
        "no", "s", "0",         # no immobility; pop skipped; can rise on tiptoe (0: "yes, I can")
    ], note="")
    session.run()
    text = screen.getvalue()
    assert "Sorry, I did not understand '1 x'" in text
    assert text.count("Do any of these apply right now?") == 2  # asked, and again after going back
    assert session.interview.case["location"] == "calf"
    assert session.interview.case["duration_days"] == 3
    assert session.interview.case["recent_immobility"] is False
    assert "trend" not in session.interview.case
    assert prompts[0].startswith("  (number")


def test_an_emergency_is_shown_the_moment_it_is_raised() -> None:
    session, screen, _ = scripted(["3", "3", "7"])  # calf; warning sign 7: dark urine
    with pytest.raises(EOFError):
        session.run()
    text = screen.getvalue()
    panel = text.index("GET MEDICAL HELP NOW")
    assert "Dark urine after hard exercise" in text[panel:]
    assert text.index("How many days ago") > panel  # shown before the next question


def test_the_note_is_asked_last_and_kept_literally() -> None:
    session, _, prompts = scripted(["2", "3"], note="[bold]race in 3 weeks[/bold]")
    case = session.run()
    assert case["note"] == "[bold]race in 3 weeks[/bold]"
    assert prompts[-1].startswith("Anything else for the report")


def _raising_facts(condition: object) -> set[str]:
    """The facts whose answers can make a condition hold (those not only under a 'not')."""
    from painadvisor.models import AllOf, AnyOf, Leaf

    if isinstance(condition, Leaf):
        return {condition.fact}
    if isinstance(condition, AllOf | AnyOf):
        return set().union(*(_raising_facts(part) for part in condition.conditions))
    return set()


def test_every_fact_that_can_raise_a_red_flag_is_asked_by_a_screening_question(kb: KnowledgeBase) -> None:
    for flag in kb.red_flags:
        asked = {question.fact for question in kb.questions if flag.id in question.screens}
        assert _raising_facts(flag.trigger) - {"location"} <= asked, flag.id


def test_skipping_where_it_hurts_asks_every_red_flag_question(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    location = interview.next_question()
    assert location is not None
    interview.answer(location, None)
    asked = []
    while (question := interview.next_question()) is not None and question.screens:
        asked.append(question.id)
        interview.answer(question, None)
    assert {"recent-immobility", "pop", "push-off", "bone-tender"} <= set(asked)
