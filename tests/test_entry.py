"""The console script's fast path for plain `advise` calls gives exactly what the full CLI gives."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from painadvisor.cli.app import app
from painadvisor.cli.entry import parse_advise, run_fast
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
    ["advise", "--format", "yaml"], ["advise", "--pop=yes"], ["ask"], [], ["--version"],
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


def _typer_params(args: list[str]) -> dict[str, object]:
    """What Typer's ``advise`` command would be called with (before the facts become a case)."""
    import typer.main

    from painadvisor.cli.app import app

    command = typer.main.get_command(app).commands["advise"]  # type: ignore[attr-defined]
    with command.make_context("advise", list(args)) as context:
        return dict(context.params)


def _fact_args() -> list[list[str]]:
    """One call per fact (each kind of value), and one per option of the table."""
    from painadvisor.cli import optiontable
    from painadvisor.kb.vocabulary import FACTS, Kind

    calls: list[list[str]] = []
    for fact in FACTS:
        if fact.kind is Kind.YES_NO:
            name = fact.id.replace("_", "-")
            calls += [[f"--{name}"], [f"--no-{name}"]]
        elif fact.kind is Kind.MANY:
            calls.append([fact.flag, fact.values[0], f"{fact.flag}={fact.values[-1]}"])
        elif fact.kind is Kind.ONE:
            calls.append([f"{fact.flag}={fact.values[-1]}"])
        else:
            calls.append([fact.flag, str(fact.minimum if fact.minimum is not None else "text")])
    for option in optiontable.ADVISE:
        if not option.fast:
            continue
        if option.kind == "switch":
            calls.append(list(option.flags[-1:]))
        elif option.kind == "format":
            calls += [[flag, "json"] for flag in option.flags]
        else:
            calls += [[flag, "some/file"] for flag in option.flags] + [[f"{option.flags[0]}=x", option.flags[0], "y"]]
    return calls


@pytest.mark.parametrize("env", [{}, {"PAINADVISOR_DB": "~/elsewhere.db"}, {"PAINADVISOR_DB": ""}])
def test_the_fast_path_and_typer_read_every_option_fact_and_variable_alike(
        env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    from painadvisor.cli import optiontable

    for name in ("PAINADVISOR_DB",):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for args in [[], *_fact_args()]:
        fast = parse_advise(args)
        assert fast is not None, args
        typer_side = _typer_params(args)
        for option in optiontable.ADVISE:
            if option.fast:
                expected = typer_side[option.dest]
                if isinstance(expected, tuple):  # Click's repeatable option: a tuple, empty when not given
                    expected = list(expected) or None
                assert fast[option.dest] == (str(expected) if option.kind == "format" else expected), (args, option)
        typer_flags = {key: value for key, value in typer_side.items()
                       if key not in optiontable.BY_DEST and value is not None and value != ()}
        assert {key: list(value) if isinstance(value, tuple) else value for key, value in typer_flags.items()} == \
            fast["flags"], args
