"""The installed `painadvisor ask` in a real pseudo-terminal, as a runner would use it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

SCRIPT = str(Path(sys.executable).with_name("painadvisor"))
PROMPT = r"> $"


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "dumb", "COLUMNS": "100", "NO_COLOR": "1", "HOME": str(tmp_path)}
    return pexpect.spawn(SCRIPT, list(args), env=env, encoding="utf-8", timeout=20, cwd=str(tmp_path),
                         dimensions=(40, 100))


def answer(child: pexpect.spawn, reply: str) -> None:
    child.expect(r"> ")
    child.sendline(reply)


def test_a_whole_consultation_reaches_the_advice_and_saves_a_report(tmp_path: Path) -> None:
    child = spawn(tmp_path, "ask")
    answer(child, "2")          # group: Knee
    answer(child, "3")          # outside of the knee
    answer(child, "right")      # which side, by its word
    answer(child, "34")         # age
    answer(child, "ten")        # days: invalid
    child.expect("whole number")
    answer(child, "b")          # back to the age
    child.expect("How old are you")
    answer(child, "34")
    answer(child, "10")         # ten days
    answer(child, "1")          # gradually
    answer(child, "s")          # trend: don't know
    answer(child, "4,x")        # warning signs: invalid
    child.expect("did not understand")
    answer(child, "0")          # none
    while child.expect([r"> ", r"Enter to skip\)\? "]) == 0:
        child.sendline("s")     # don't know, for whatever else it asks
    child.sendline("race in 3 weeks | *really*")
    child.expect("Iliotibial band syndrome")
    child.expect("not a diagnosis")
    child.expect(r"Markdown report for your physio\? \[y/N\] ")
    child.sendline("y")
    child.expect(r"File name \[.*\]: ")
    child.sendline("knee.md")
    child.expect("Saved to knee.md")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    report = (tmp_path / "knee.md").read_text()
    assert "Iliotibial band syndrome" in report and r"race in 3 weeks \| \*really\*" in report


def test_ctrl_c_mid_way_exits_130_without_a_traceback(tmp_path: Path) -> None:
    child = spawn(tmp_path, "ask")
    answer(child, "3")
    child.expect(r"> ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before
    assert "interrupted" in child.before
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_bare_painadvisor_starts_the_consultation(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect("Where does it hurt most")
    child.sendeof()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert "nothing was saved" in child.before and "Traceback" not in child.before


@pytest.mark.parametrize("args", [["ask"], []])
def test_without_a_terminal_it_points_to_advise(args: list[str]) -> None:
    import subprocess

    result = subprocess.run([SCRIPT, *args], capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=30)
    assert result.returncode == 2
    assert result.stderr == (
        "painadvisor: the interactive consultation needs a terminal; in scripts use 'painadvisor advise' "
        "with flags or --case FILE, or 'painadvisor ask --replay FILE'\n")


def test_no_color_in_a_terminal_gives_text_without_any_escape_codes(tmp_path: Path) -> None:
    env = {**os.environ, "TERM": "xterm-256color", "NO_COLOR": "1", "HOME": str(tmp_path), "COLUMNS": "100"}
    child = pexpect.spawn(SCRIPT, ["advise", "--location", "calf", "--recent-immobility", "--no-save"], env=env,
                          encoding="utf-8", timeout=20, dimensions=(40, 100))
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "GET MEDICAL HELP NOW" in child.before and "\x1b[" not in child.before
