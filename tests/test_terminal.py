"""The installed `painadvisor ask` in a real pseudo-terminal, as a runner would use it."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

import pexpect
import pytest
from hypothesis import given
from hypothesis import strategies as st

SCRIPT = str(Path(sys.executable).with_name("painadvisor"))
PROMPT = r"> $"


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = {**os.environ, "TERM": "dumb", "COLUMNS": "100", "NO_COLOR": "1", "HOME": str(tmp_path)}
    return pexpect.spawn(SCRIPT, list(args), env=env, encoding="utf-8", timeout=20, cwd=str(tmp_path),
                         dimensions=(40, 100))


def answer(child: pexpect.spawn, reply: str) -> None:
    child.expect(r"> ")
    child.sendline(reply)


def to_the_file_name(child: pexpect.spawn) -> None:
    """Decline to answer more questions, accept the report offer, and wait for the file name."""
    index = child.expect([r"Answer \d+ more question.*\] ", r"Markdown report for your physio\? \[y/N\] "])
    if index == 0:
        child.sendline("n")
        child.expect(r"Markdown report for your physio\? \[y/N\] ")
    child.sendline("y")
    child.expect(r"File name \[.*\].*: ")


def test_a_whole_consultation_reaches_the_advice_and_saves_a_report(tmp_path: Path) -> None:
    import datetime as dt

    import training_logs

    log = tmp_path / "log"
    log.mkdir()
    day = dt.date.today() - dt.timedelta(days=12)
    training_logs.write_history(log, [training_logs.Outing(training_logs.at(day), 10.0, 55.0)])
    child = spawn(tmp_path, "ask")
    child.expect("FRONT")       # the picture of the legs
    answer(child, "7")          # outside of the knee, by its number on the picture
    answer(child, "right")      # which side, by its word
    answer(child, "34")         # age
    answer(child, "ten x")      # how long: not understood
    child.expect("did not understand")
    answer(child, "b")          # back to the age
    child.expect("How old are you")
    answer(child, "34")
    answer(child, "10 days")
    answer(child, "gradually")
    answer(child, "s")          # trend: don't know
    answer(child, "running downhill")
    answer(child, "4,x")        # warning signs: invalid
    child.expect("did not understand")
    answer(child, "none")
    while child.expect([r"\) > ", r"Is that right\?.*> "]) == 0:
        child.sendline("s")     # don't know, for whatever else it asks
    child.sendline("")          # the summary is right
    child.expect(r"Enter to skip, b to go back\)\? ")
    child.sendline("race in 3 weeks | *really*")
    child.expect(r"Read your training log.*skip: ")
    child.sendline(str(log))
    child.expect(r"Read \d+ activities")
    child.expect("Iliotibial band syndrome")
    child.expect("Your training")
    child.expect("not a diagnosis")
    to_the_file_name(child)
    child.sendline("knee.md")
    child.expect("Saved to knee.md")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    report = (tmp_path / "knee.md").read_text()
    assert "Iliotibial band syndrome" in report and "race in 3 weeks" in report


def test_an_existing_report_is_not_replaced_without_asking_and_another_name_is_offered(tmp_path: Path) -> None:
    (tmp_path / "knee.md").write_text("my old report\n")
    child = spawn(tmp_path, "ask")
    answer(child, "knee")
    while child.expect([r"\) > ", r"Is that right\?.*> "]) == 0:
        child.sendline("s")
    child.sendline("")
    child.expect(r"Enter to skip, b to go back\)\? ")
    child.sendline("")
    child.expect(r"Read your training log.*skip: ")
    child.sendline("")
    to_the_file_name(child)
    child.sendline("knee.md")
    child.expect(r"knee.md exists. Replace it\? \[y/N\] ")
    child.sendline("n")
    child.expect(r"File name \[.*\].*: ")  # asked again, not given up
    child.sendline("knee2.md")
    child.expect("Saved to knee2.md")
    child.expect(pexpect.EOF)
    child.close()
    assert (tmp_path / "knee.md").read_text() == "my old report\n" and (tmp_path / "knee2.md").exists()


def test_the_body_map_fits_80_columns_in_plain_ascii() -> None:
    from painadvisor.render.bodymap import REGIONS, body_map

    picture = body_map()
    assert picture.isascii() and max(len(line) for line in picture.splitlines()) <= 80
    for number in REGIONS:  # every number is on the picture and in the legend
        assert re.search(rf"(?<!\d){number}(?!\d)", picture.split("\n\n")[0]), number
        assert f"{number:>2}. " in picture
    golden = Path(__file__).with_name("golden") / "bodymap.txt"
    if os.environ.get("PAINADVISOR_UPDATE_GOLDEN"):
        golden.write_text(picture)
    assert picture == golden.read_text()


def test_the_body_map_shows_under_term_dumb(tmp_path: Path) -> None:
    child = spawn(tmp_path, "ask")
    child.expect(r"\(number or words")
    screen = child.before
    child.sendintr()
    child.expect(pexpect.EOF)
    assert "FRONT (right leg)" in screen and "26. deep in the knee joint" in screen
    assert "\x1b" not in screen  # no escape codes under TERM=dumb


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
    child.expect(r"> ")
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


@given(rows=st.lists(st.tuples(st.sampled_from(["1.", "12.", "", "•"]), st.sampled_from(["99%", "+4.0", "=12.34", ""]),
                               st.text(alphabet=st.sampled_from("ab █\n-"), max_size=90)), min_size=1, max_size=4),
       width=st.integers(min_value=14, max_value=120))
def test_the_light_grid_draws_what_rich_tables_draw(rows: list[tuple[str, str, str]], width: int) -> None:
    """The advice's columns are laid out by hand (Rich's tables were most of the rendering time);
    the result is the table's, line for line (trailing spaces aside)."""
    import io

    from rich.console import Console

    from painadvisor.render.terminal import _Grid

    grid = _Grid(3, 6)
    for row in rows:
        grid.add_row(*row)
    drawn = []
    for renderable in (grid, grid._table()):
        console = Console(file=io.StringIO(), width=width, color_system=None, highlight=False)
        console.print(renderable)
        drawn.append([line.rstrip() for line in console.file.getvalue().splitlines()])  # type: ignore[attr-defined]
    assert drawn[0] == drawn[1]
