"""The console script's fast path for plain `advise` calls gives exactly what the full CLI gives."""

from __future__ import annotations

import subprocess
from enum import StrEnum
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from painadvisor.cli import optiontable
from painadvisor.cli.app import app
from painadvisor.cli.entry import parse, parse_advise, run_fast
from painadvisor.kb.vocabulary import FACTS, Kind


def fact_args(fact_id: str) -> st.SearchStrategy[list[str]]:
    fact = next(item for item in FACTS if item.id == fact_id)
    flag = fact.flag
    if fact.kind is Kind.YES_NO:
        name = fact.id.replace("_", "-")
        return st.sampled_from([[f"--{name}"], [f"--no-{name}"]])
    if fact.kind is Kind.NUMBER:
        return st.integers(-3, 120).map(lambda number: [flag, str(number)])
    if fact.kind is Kind.TEXT:
        return st.text(max_size=30).filter(lambda text: not text.startswith("-")).map(lambda text: [f"{flag}={text}"])
    values = st.sampled_from([*fact.values, "nonsense"])
    if fact.kind is Kind.MANY:
        return st.lists(values, min_size=1, max_size=3).map(lambda chosen: [part for value in chosen
                                                                            for part in (flag, value)])
    return values.map(lambda value: [flag, value])


ARGS = st.lists(st.sampled_from([fact.id for fact in FACTS]), max_size=8, unique=True).flatmap(
    lambda facts: st.tuples(*(fact_args(fact) for fact in facts))).map(
    lambda parts: [word for part in parts for word in part])
FORMAT = st.sampled_from([[], ["--format", "json"], ["-f", "markdown"], ["--format=text"], ["--explain"]])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=ARGS, output=FORMAT)
def test_the_fast_path_answers_exactly_like_the_full_cli(capsys: pytest.CaptureFixture[str], args: list[str],
                                                         output: list[str]) -> None:
    argv = ["advise", *args, *output, "--no-save"]  # each path would otherwise see the other's record
    code = run_fast(argv)
    fast = capsys.readouterr()
    assume(code is not None)  # a value that looks like an option ("-1") goes to the full CLI
    full = CliRunner().invoke(app, argv)
    assert (code, fast.out, fast.err) == (full.exit_code, full.stdout, full.stderr)


@pytest.mark.parametrize("argv", [
    ["advise", "--help"], ["advise", "--locaton", "calf"], ["advise", "--location"], ["advise", "extra"],
    ["advise", "--format", "yaml"], ["advise", "--pop=yes"], ["ask", "--replay"], [], ["--version"],
    ["advise", "--location", "--side", "left"],
])
def test_anything_unusual_goes_to_the_full_cli(argv: list[str]) -> None:
    assert run_fast(argv) is None


def test_values_may_follow_an_equals_sign_and_stdin_is_a_value() -> None:
    options = parse_advise(["--location=calf", "--case", "-", "-o", "out.md", "--signs", "swelling",
                            "--signs=bruising", "--no-pop"])
    assert options == {"case_file": "-", "output_format": "text", "output": Path("out.md"), "force": False,
                       "explain": False, "no_save": False, "save": False, "db": None, "rules": None,
                       "training": None, "flags": {"location": "calf", "signs": ["swelling", "bruising"], "pop": False}}


def _typer_params(name: str, args: list[str]) -> dict[str, object]:
    """What Typer's command ``name`` would be called with (before the facts become a case)."""
    import typer.main

    from painadvisor.cli.app import app

    command = typer.main.get_command(app).commands[name]  # type: ignore[attr-defined]
    with command.make_context(name, list(args)) as context:
        return dict(context.params)


def _calls(command: optiontable.Command) -> list[list[str]]:
    """One call per fact (each kind of value) and per option of the command's table."""
    calls: list[list[str]] = [[]]
    for fact in FACTS if command.facts else ():
        if fact.kind is Kind.YES_NO:
            name = fact.id.replace("_", "-")
            calls += [[f"--{name}"], [f"--no-{name}"]]
        elif fact.kind is Kind.MANY:
            calls.append([fact.flag, fact.values[0], f"{fact.flag}={fact.values[-1]}"])
        elif fact.kind is Kind.ONE:
            calls.append([f"{fact.flag}={fact.values[-1]}"])
        else:
            calls.append([fact.flag, str(fact.minimum if fact.minimum is not None else "text")])
    for option in command.options:
        if not option.fast:
            continue
        if option.kind == "switch":
            calls.append(list(option.flags[-1:]))
        elif option.kind == "choice":
            calls += [[flag, choice] for flag in option.flags for choice in option.choices]
        else:
            calls += [[flag, "some/file"] for flag in option.flags] + [[f"{option.flags[0]}=x", option.flags[0], "y"]]
    positional = {"cause_id": "itb-syndrome"}
    return [[*call, *(positional[name] for name in command.positionals)] for call in calls]


@pytest.mark.parametrize("env", [{}, {"PAINADVISOR_DB": "~/elsewhere.db"}, {"PAINADVISOR_DB": ""}])
@pytest.mark.parametrize("name", sorted(optiontable.COMMANDS))
def test_the_fast_path_and_typer_read_every_option_fact_and_variable_alike(
        name: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PAINADVISOR_DB", raising=False)
    for variable, value in env.items():
        monkeypatch.setenv(variable, value)
    command = optiontable.COMMANDS[name]
    for args in _calls(command):
        fast = parse(command, args)
        assert fast is not None, args
        typer_side = _typer_params(name, args)
        for dest in [option.dest for option in command.options if option.fast] + list(command.positionals):
            expected = typer_side[dest]
            if isinstance(expected, tuple):  # Click's repeatable option: a tuple, empty when not given
                expected = list(expected) or None
            assert fast[dest] == (str(expected) if isinstance(expected, StrEnum) else expected), (args, dest)
        if command.facts:
            typer_flags = {key: list(value) if isinstance(value, tuple) else value for key, value in typer_side.items()
                           if key not in command.by_dest and value is not None and value != ()}
            assert typer_flags == fast["flags"], args
        else:
            assert set(typer_side) == set(command.by_dest) | set(command.positionals)  # no option outside the table


@pytest.mark.parametrize("args", [["explain"], ["explain", "a", "b"], ["causes", "--format", "yaml"],
                                  ["facts", "-f"], ["causes", "--help"], ["schema", "--rules", "x"]])
def test_a_call_the_fast_path_cannot_read_goes_to_typer(args: list[str]) -> None:
    assert run_fast(args) is None


@pytest.mark.parametrize("argv", [
    ["explain", "itb-syndrome"], ["explain", "--format", "json", "itb-syndrome"], ["explain", "itb"],
    ["causes"], ["causes", "-f", "json"], ["facts", "--format=markdown"], ["facts", "-f", "json"], ["schema"],
    ["ask", "--replay", "/nonexistent/case.yaml"],
])
def test_each_routed_command_answers_exactly_like_the_full_cli(capsys: pytest.CaptureFixture[str],
                                                               argv: list[str]) -> None:
    code = run_fast(argv)
    fast = capsys.readouterr()
    assert code is not None
    full = CliRunner().invoke(app, argv)
    assert (code, fast.out, fast.err) == (full.exit_code, full.stdout, full.stderr)


@pytest.mark.parametrize("extra", [[], ["--note", "-x"]], ids=["fast-path", "typer"])
def test_a_history_path_from_the_environment_means_the_same_file_on_both_paths(tmp_path: Path,
                                                                             extra: list[str]) -> None:
    """PAINADVISOR_DB='~/h.db' is the same file whichever parser reads the call, and 'history' finds it."""
    import json
    import os
    import subprocess
    import sys

    env = {**os.environ, "HOME": str(tmp_path), "PAINADVISOR_DB": "~/h.db", "PAINADVISOR_CACHE_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "painadvisor"]
    done = subprocess.run([*command, "advise", "--location", "calf", "--save", "--format", "json", *extra],
                          capture_output=True, text=True, env=env, cwd=tmp_path, check=False)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "h.db").is_file() and not (tmp_path / "~").exists()
    listed = subprocess.run([*command, "history", "--format", "json"], capture_output=True, text=True, env=env,
                            cwd=tmp_path, check=True)
    assert [record["location"] for record in json.loads(listed.stdout)] == ["calf"]


def _console_script(args: list[str], tmp_path: Path, **kwargs: object) -> subprocess.CompletedProcess[str]:
    import os
    import subprocess
    import sys

    env = {**os.environ, "HOME": str(tmp_path), "PAINADVISOR_CACHE_DIR": str(tmp_path / "cache")}
    return subprocess.run([sys.executable, "-m", "painadvisor", *args], text=True, env=env, cwd=tmp_path,
                          check=False, **kwargs)  # type: ignore[call-overload]


@pytest.mark.parametrize("args", [["facts", "--format", "json"], ["facts", "-fjson"],
                                  ["advise", "--location", "knee", "--note", "-x", "--format", "json"]],
                         ids=["fast-path", "typer", "typer-advise"])
def test_a_reader_that_goes_away_is_exit_141_on_both_paths(tmp_path: Path, args: list[str]) -> None:
    import os
    import subprocess
    import sys

    read, write = os.pipe()
    os.close(read)  # nobody will read
    env = {**os.environ, "HOME": str(tmp_path), "PAINADVISOR_CACHE_DIR": str(tmp_path / "cache")}
    process = subprocess.run([sys.executable, "-m", "painadvisor", *args], stdout=write, stderr=subprocess.PIPE,
                             env=env, text=True, check=False, timeout=60)
    os.close(write)
    assert process.returncode == 141 and process.stderr == ""


def test_a_closed_standard_error_is_no_failure(tmp_path: Path) -> None:
    import subprocess

    done = _console_script(["causes", "--format", "json"], tmp_path, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 0


def test_a_short_option_with_an_equals_sign_means_what_typer_says(tmp_path: Path) -> None:
    assert parse_advise(["--location", "knee", "-o=out.txt"]) is None  # the full CLI decides
    assert parse_advise(["--location", "knee", "-f=json"]) is None
