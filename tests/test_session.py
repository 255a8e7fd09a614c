"""The interactive consultation: its question order (pure) and the conversation (scripted)."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from rich.console import Console

from painadvisor.cli.session import Session
from painadvisor.engine import advice as engine
from painadvisor.engine.interview import Interview, answer_from_case, replay
from painadvisor.kb import screening
from painadvisor.kb.models import KnowledgeBase
from painadvisor.kb.vocabulary import parse_case

import textbook


def scripted(replies: list[str], note: str | None = None) -> tuple[Session, io.StringIO, list[str]]:
    """A session whose runner types ``replies``, one per prompt, then skips the rest; with ``note``
    it answers the closing note and finishes, else the input ends after ``replies``.
    Returns the session, its screen and the prompts shown."""
    from painadvisor.kb.loader import load_knowledge_base

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


def test_where_it_hurts_is_asked_first_then_the_clinicians_core_then_the_red_flag_screen(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    first = interview.next_question()
    assert first is not None and first.fact == "location"
    interview.answer(first, "calf")
    asked = []
    while (question := interview.next_question()) is not None:
        asked.append(question.id)
        interview.answer(question, None)
    assert asked[:6] == ["side", "age", "duration", "onset", "trend", "worse-with"]
    # For a calf: the warning signs, immobility (a clot), a pop and push-off (a torn tendon), in that order.
    screen = [question for question in asked if question in {"warning-signs", "recent-immobility", "pop", "push-off"}]
    assert screen == ["warning-signs", "recent-immobility", "pop", "push-off"]
    assert asked.index("warning-signs") == 6  # straight after the core
    assert "knee-signs" not in asked  # never the knee-locking question for a calf


@pytest.mark.parametrize(("cause_id", "raw"), textbook.cause_params())
def test_replay_reaches_the_same_leader_as_the_whole_case(kb: KnowledgeBase, cause_id: str,
                                                          raw: dict[str, object]) -> None:
    case = parse_case(raw)
    consultation = replay(kb, case)
    assert engine.rank_causes(kb, consultation.case)[0].cause.id == engine.rank_causes(kb, case)[0].cause.id
    assert len(consultation.asked) <= 20


@pytest.mark.parametrize(("flag_id", "raw", "level"), textbook.flag_params())
def test_replay_never_misses_a_red_flag_the_case_raises(kb: KnowledgeBase, flag_id: str, raw: dict[str, object],
                                                        level: str) -> None:
    consultation = replay(kb, parse_case(raw))
    assert flag_id in [raised.flag.id for raised in consultation.red_flags()]


def test_a_fact_missing_from_the_case_is_answered_dont_know(kb: KnowledgeBase) -> None:
    question = next(question for question in kb.questions if question.id == "trend")
    assert answer_from_case(question, {}) is None
    signs = next(question for question in kb.questions if question.id == "warning-signs")
    assert answer_from_case(signs, {"signs": ("bruising",)}) == ()


def test_back_undoes_the_last_answer(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    location = interview.next_question()
    assert location is not None
    interview.answer(location, "ankle")
    assert interview.back() == location
    assert interview.case == {} and interview.asked == []


def test_a_scripted_conversation_in_words_with_skip_back_and_a_misunderstanding() -> None:
    session, screen, prompts = scripted([
        "calf",                 # where: a word instead of a number on the picture
        "right", "s",           # side in words; age skipped
        "ten-ish x",            # how long: not understood, asked again
        "2 days",               # two days
        "b",                    # back to the days ...
        "b",                    # ... and back to the age
        "thirty four", "3 days",  # age in words; three days
        "s", "s", "s",          # onset, trend and what makes it worse skipped
        "none",                 # warning signs: none
        "no", "s", "yes I can",  # no immobility; pop skipped; can rise on tiptoe
    ], note="")
    session.run()
    text = screen.getvalue()
    assert "Sorry, I did not understand 'ten-ish x'" in text
    assert text.count("How old are you?") == 2  # asked, and again after going back
    case = session.interview.case
    assert case["location"] == "calf" and case["side"] == "right" and case["age"] == 34
    assert case["duration_days"] == 3 and case["recent_immobility"] is False
    assert "trend" not in case and "weak-push-off" in case["signs_absent"]
    assert "Here is what you told me:" in text


def answering(session_of: Callable[[], Session], by_question: dict[str, list[str]],
              at_summary: list[str]) -> Callable[[str], str]:
    """A runner who answers by the question on screen (in order for repeats), else skips."""
    def read_line(prompt: str) -> str:
        if prompt.strip().startswith("Is that right?"):
            return at_summary.pop(0) if at_summary else ""
        if prompt.startswith("Anything else"):
            return ""
        screen = session_of().console.file.getvalue()  # type: ignore[attr-defined]
        current = screen.rsplit("Question ", 1)[-1]
        for words, replies in by_question.items():
            if words in current and replies:
                return replies.pop(0)
        return "s"
    return read_line


def test_an_answer_can_be_changed_at_the_summary(kb: KnowledgeBase) -> None:
    read_line = answering(lambda: session, {"Where does it hurt": ["kneecap"], "Which side": ["left", "right"],
                                            "What makes it worse": ["stairs down and sitting"]}, at_summary=["2", ""])
    session = Session(kb, Console(file=io.StringIO(), width=100, color_system=None), read_line)
    case = session.run()
    assert case["side"] == "right" and case["location"] == "knee.front"
    assert case["worse_with"] == ("stairs-down", "sitting-long")
    assert session.console.file.getvalue().count("Here is what you told me:") == 2  # type: ignore[attr-defined]


def test_b_at_the_note_goes_back_instead_of_becoming_the_note(kb: KnowledgeBase) -> None:
    notes = iter(["b", "first race in May"])

    def read_line(prompt: str) -> str:
        if prompt.startswith("Anything else"):
            return next(notes)
        if prompt.strip().startswith("Is that right?"):
            return ""
        return "heel" if "location" not in session.interview.case and not session.interview.asked else "s"

    screen = io.StringIO()
    session = Session(kb, Console(file=screen, width=100, color_system=None), read_line)
    case = session.run()
    assert case.get("note") == "first race in May"
    assert screen.getvalue().count("Here is what you told me:") >= 2


def test_an_emergency_ends_the_questions() -> None:
    session, screen, prompts = scripted(["calf", "s", "s", "s", "s", "s", "s", "dark urine"])
    case = session.run()
    text = screen.getvalue()
    panel = text.index("GET MEDICAL HELP NOW")
    assert "Dark urine after hard exercise" in text[panel:]
    assert "Question" not in text[panel:]  # nothing more is asked
    assert session.emergency and case["signs"] == ("dark-urine",)
    assert not any(prompt.startswith("Anything else") for prompt in prompts)


def test_the_note_is_asked_last_and_kept_literally() -> None:
    session, _, prompts = scripted(["knee", "left"], note="[bold]race in 3 weeks[/bold]")
    case = session.run()
    assert case["note"] == "[bold]race in 3 weeks[/bold]"
    assert prompts[-1].startswith("Anything else for the report")


def test_every_fact_that_can_raise_a_red_flag_is_asked_by_some_question(kb: KnowledgeBase) -> None:
    assert screening.unscreened(kb.red_flags, kb.questions) == []


def test_a_pack_flag_no_question_asks_fails_rules_check(tmp_path: Path) -> None:
    from painadvisor.errors import RuleError
    from painadvisor.kb.loader import build, builtin_rules_dir, rule_files

    pack = tmp_path / "pack.yaml"
    pack.write_text("red_flags:\n  - id: lace-bite\n    name: Lace bite\n    triage: see-doctor\n"
                    "    message: See a doctor.\n    trigger: {fact: signs_absent, any_of: [fever]}\n"
                    "    sources: [nigg2015]\n")
    with pytest.raises(RuleError, match="red flag 'lace-bite' can be raised by signs_absent = fever, but no question"):
        build(rule_files([builtin_rules_dir(), pack]))


def test_a_flag_from_a_pack_is_screened_without_restating_it(tmp_path: Path) -> None:
    from painadvisor.kb.loader import build, builtin_rules_dir, rule_files

    pack = tmp_path / "pack.yaml"
    pack.write_text("red_flags:\n  - id: forefoot-numb\n    name: Numb forefoot\n    triage: see-doctor\n"
                    "    message: See a doctor.\n    trigger:\n      all:\n"
                    "        - {fact: location, any_of: [foot.forefoot]}\n        - {fact: hills, value: lots}\n"
                    "    sources: [nigg2015]\n")
    kb = build(rule_files([builtin_rules_dir(), pack]))
    consultation = replay(kb, {"location": "foot.forefoot", "hills": "lots"})
    assert "hills" in consultation.asked
    assert "forefoot-numb" in [raised.flag.id for raised in consultation.red_flags()]


def test_none_of_these_fills_the_signs_the_runner_does_not_have(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    signs = next(question for question in kb.questions if question.id == "warning-signs")
    interview.answer(signs, ("limp",))
    assert interview.case["signs"] == ("limp",)
    assert "fever" in interview.case["signs_absent"] and "limp" not in interview.case["signs_absent"]


def test_skipping_where_it_hurts_asks_every_red_flag_question(kb: KnowledgeBase) -> None:
    interview = Interview(kb)
    location = interview.next_question()
    assert location is not None
    interview.answer(location, None)
    asked = []
    while (question := interview.next_question()) is not None:
        asked.append(question.id)
        interview.answer(question, None)
    assert {"recent-immobility", "pop", "warning-signs"} <= set(asked)
    assert {"weak-push-off", "bone-tender", "rapid-swelling"} <= interview.offered["signs"]
