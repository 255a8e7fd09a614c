"""The console script's fast path for plain `advise` calls gives exactly what the full CLI gives."""

from __future__ import annotations

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
    assert options == {"case_file": "-", "output_format": "text", "output": "out.md", "force": False,
                       "explain": False, "no_save": False, "save": False, "db": None, "rules": [], "training": [],
                       "flags": {"location": "calf", "signs": ["swelling", "bruising"], "pop": False}}
