"""The command line behaves like the CLIs people know (gh, uv, ruff): the installed script, run for real."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = str(Path(sys.executable).with_name("painadvisor"))
KNEE = ["advise", "--location", "knee.outer", "--when", "after-distance", "--worse-with", "downhill"]


def run(*args: str, env: dict[str, str] | None = None, tmp_path: Path | None = None,
        encoding: str = "utf-8") -> subprocess.CompletedProcess[str]:
    base = {**os.environ, "NO_COLOR": "1"}
    if tmp_path is not None:
        base["PAINADVISOR_DB"] = str(tmp_path / "history.db")
    return subprocess.run([SCRIPT, *args], capture_output=True, encoding=encoding, env={**base, **(env or {})},
                          stdin=subprocess.DEVNULL, timeout=60)


def test_short_help_and_version() -> None:
    assert "Usage:" in run("-h").stdout and "Examples:" in run("-h").stdout
    assert run("-V").stdout.startswith("painadvisor ")
    assert "--location" in run("advise", "-h").stdout


def test_shell_completion_is_on() -> None:
    result = run("--show-completion", "bash", env={"SHELL": "/bin/bash"})
    assert result.returncode == 0 and "complete" in result.stdout and "painadvisor" in result.stdout


def test_dash_output_is_standard_output(tmp_path: Path) -> None:
    result = subprocess.run([SCRIPT, *KNEE, "--format", "json", "-o", "-"], capture_output=True, text=True,
                            cwd=tmp_path, timeout=60)
    assert result.returncode == 0 and result.stdout.startswith("{")
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize("env", [{"PYTHONIOENCODING": "cp1252"}, {"LANG": "C", "LC_ALL": "C", "PYTHONUTF8": "0",
                                                                   "PYTHONIOENCODING": "ascii"}])
def test_output_that_cannot_be_encoded_falls_back_to_ascii(env: dict[str, str]) -> None:
    result = run(*KNEE, env=env, encoding="cp1252" if env["PYTHONIOENCODING"] == "cp1252" else "ascii")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and "Iliotibial band syndrome" in result.stdout


def test_a_closed_pipe_exits_quietly() -> None:
    command = f"{SCRIPT} {' '.join(KNEE)} --explain | head -1"
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode in (0, 141) and result.stderr == ""


def test_piped_text_has_no_trailing_spaces() -> None:
    lines = run(*KNEE, "--explain").stdout.splitlines()
    assert len(lines) > 20 and not [line for line in lines if line != line.rstrip()]


def test_scripts_do_not_fill_the_history(tmp_path: Path) -> None:
    assert run(*KNEE, "--format", "json", tmp_path=tmp_path).returncode == 0
    assert run(*KNEE, tmp_path=tmp_path).returncode == 0  # text, but piped: not a person reading
    assert not (tmp_path / "history.db").exists()
    assert run(*KNEE, "--format", "json", "--save", tmp_path=tmp_path).returncode == 0
    with sqlite3.connect(tmp_path / "history.db") as db:
        assert db.execute("SELECT count(*) FROM consultations").fetchone() == (1,)


@pytest.mark.parametrize(("args", "hint"), [
    (["advise", "--location", "knee", "--format", "jsn"], "(did you mean 'json'?)"),
    (["explain", "itb"], "(did you mean 'itb-syndrome'?)"),
    (["advse"], "Did you mean 'advise'?"),
    (["advise", "--location", "kne"], "(did you mean 'knee'?)"),
])
def test_every_mistyped_choice_gets_a_suggestion(args: list[str], hint: str) -> None:
    result = run(*args)
    assert result.returncode == 2 and hint in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("command", [["advise"], ["ask"], ["history"], ["rules", "check"], []])
def test_help_is_readable_at_80_columns(command: list[str]) -> None:
    result = run(*command, "--help", env={"COLUMNS": "80"})
    assert result.returncode == 0
    assert "…" not in result.stdout and max(len(line) for line in result.stdout.splitlines()) <= 80
    if command == ["advise"]:
        assert "calf-swollen-one-side" in result.stdout and "--eases-soon-after-stopping" in result.stdout
