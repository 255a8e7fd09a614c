"""Six runners talk to the installed `painadvisor ask` in a pseudo-terminal, in their own words only.

Each runner answers by what the question on the screen asks (their answers are words, never
the internal ids), says "not sure" to anything else, and checks that nothing they said was
rejected and that they reach the advice a clinician would give.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
from pathlib import Path

import pexpect
import pytest

SCRIPT = str(Path(sys.executable).with_name("painadvisor"))

RUNNERS = {
    "typical-knee": ({
        "Where does it hurt": "kneecap", "Which side": "left", "How old": "thirty-two",
        "How long ago": "3 weeks", "How did it start": "slowly", "getting better": "about the same",
        "What makes it worse": "stairs down and sitting", "apply right now": "none", "Has your knee": "no",
        "When does it hurt": "after runs", "Did it start with an injury": "no, it just came on",
    }, ["Patellofemoral pain"], "See a doctor or physiotherapist"),
    "heel": ({
        "Where does it hurt": "under the heel", "Which side": "right", "How old": "45",
        "How long ago": "2 months", "How did it start": "gradually", "getting better": "same",
        "What makes it worse": "first steps after sitting", "apply right now": "nothing",
        "When does it hurt": "first steps in the morning", "press along the bone": "no",
        "rested or cut back": "yes",
    }, ["Plantar heel pain", "Plantar fasciitis", "plantar"], None),
    "shin": ({
        "Where does it hurt": "shin splints", "Which side": "both", "How old": "19",
        "How long ago": "10 days", "How did it start": "gradually", "getting better": "getting worse",
        "What makes it worse": "running downhill", "apply right now": "none", "press along the bone": "no",
        "When does it hurt": "start of a run", "eases once you have warmed up": "yeah",
        "training changed": "big increase", "long flight": "no",
    }, ["Shin splints (medial tibial stress syndrome)"], None),
    "calf-after-flight": ({
        "Where does it hurt": "calf", "Which side": "left", "How old": "41", "How long ago": "yesterday",
        "How did it start": "suddenly", "getting better": "worse", "What makes it worse": "walking",
        "apply right now": "swollen calf",
    }, ["GET MEDICAL HELP NOW", "blood clot"], "GET MEDICAL HELP NOW"),
    "child-thigh-limp": ({
        "Where does it hurt": "front of the thigh", "Which side": "right", "How old": "twelve",
        "How long ago": "a month", "How did it start": "gradually", "getting better": "same",
        "What makes it worse": "walking", "apply right now": "limp",
        "Did it start with an injury": "no, it just came on", "long flight": "no",
        "press along the bone": "no",
    }, ["SEE A DOCTOR TODAY", "Slipped"], "SEE A DOCTOR TODAY"),
    "achilles-pop": ({
        "Where does it hurt": "achilles", "Which side": "right", "How old": "44", "How long ago": "today",
        "How did it start": "suddenly", "getting better": "not sure", "What makes it worse": "walking",
        "apply right now": "none", "pop or snap": "yes", "tiptoe": "no, I can't",
        "Did it start with an injury": "no, it just came on", "long flight": "no",
    }, ["SEE A DOCTOR TODAY", "Achilles tendon rupture"], "SEE A DOCTOR TODAY"),
}

QUESTION = re.compile(r"Question (\d+) ·")


def converse(tmp_path: Path, answers: dict[str, str]) -> tuple[str, int]:
    """Run one runner's consultation to the end; the whole screen and the questions asked."""
    env = {**os.environ, "TERM": "dumb", "NO_COLOR": "1", "HOME": str(tmp_path),
           "PAINADVISOR_DB": str(tmp_path / "history.db")}
    child = pexpect.spawn(SCRIPT, ["ask"], env=env, encoding="utf-8", timeout=20, cwd=str(tmp_path),
                          dimensions=(60, 100))
    screen = []
    patterns = [r"Is that right\?.*> ", r"Anything else for the report.*\? ", r"Answer \d+ more question.*\] ",
                r"Save this advice.*\] ", r"Read your training log.*skip: ", r"> ", pexpect.EOF]
    while True:
        index = child.expect(patterns)
        screen.append(child.before + (child.after if isinstance(child.after, str) else ""))
        if index == 6:
            break
        if index in (0, 1, 4):
            child.sendline("")
        elif index in (2, 3):
            child.sendline("n")
        else:
            question = child.before.rsplit("Question ", 1)[-1]
            reply = next((words for key, words in answers.items() if key.lower() in question.lower()), "not sure")
            child.sendline(reply)
    child.close()
    text = "".join(screen)
    assert child.exitstatus == 0, text[-2000:]
    asked = max((int(number) for number in QUESTION.findall(text)), default=0)
    return text, asked


ASKED: dict[str, int] = {}


@pytest.mark.parametrize("runner", list(RUNNERS))
def test_a_runner_in_their_own_words_reaches_the_right_advice(tmp_path: Path, runner: str) -> None:
    answers, expected, headline = RUNNERS[runner]
    text, asked = converse(tmp_path, answers)
    assert "did not understand" not in text and not re.search(r"' could be '", text), text
    assert any(item in text for item in expected[1:] or expected) and expected[0] in text, text[-3000:]
    if headline:
        assert headline in text
    assert not re.search(r"\(--[a-z]", text)  # no command-line flags for the facts inside a conversation
    assert "not a diagnosis" in text.lower()
    ASKED[runner] = asked


def test_how_many_questions_the_six_runners_were_asked() -> None:
    if len(ASKED) < len(RUNNERS):
        pytest.skip("runs after the six conversations")
    # Every clinician's core question is asked (where, side, age, how long, how, trend, what makes
    # it worse) plus the red-flag screen for the place, so the floor is about eight.
    assert statistics.median(ASKED.values()) <= 14, ASKED
