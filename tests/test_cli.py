"""The one-shot CLI, driven as a user would: flags, case files, formats and every user error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from painadvisor.cli.app import app
from painadvisor.kb.vocabulary import FACTS_BY_ID
from painadvisor.version import __version__

import intake

ITB_FLAGS = ["--location", "knee.outer", "--side", "right", "--onset", "gradual", "--when", "after-distance",
             "--worse-with", "downhill", "--worse-with", "stairs-down", "--duration-days", "10",
             "--load-change", "large"]


def run(runner: CliRunner, *args: str, input: str | None = None):  # noqa: ANN201 - the Result type is private
    return runner.invoke(app, list(args), input=input)


def advise_json(runner: CliRunner, *args: str, input: str | None = None) -> dict:
    """The advice JSON for these arguments, leaving the history alone (tests of it are elsewhere)."""
    result = run(runner, "advise", *args, "--format", "json", "--no-save", input=input)
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def test_flags_give_ranked_causes_with_reasons(runner: CliRunner) -> None:
    advice = advise_json(runner, *ITB_FLAGS)
    assert advice["causes"][0]["id"] == "itb-syndrome"
    assert advice["triage"] == "self-care"
    assert advice["case"]["worse_with"] == ["stairs-down", "downhill"]
    assert advice["causes"][0]["because"][0] == {
        "facts": {"location": "knee.outer"}, "weight": 4.5, "note": "pain on the outside of the knee"}


def test_json_has_the_contract_fields_in_a_stable_order(runner: CliRunner) -> None:
    advice = advise_json(runner, *ITB_FLAGS)
    assert list(advice) == ["schema_version", "painadvisor_version", "case", "triage", "triage_reasons",
                            "red_flags", "causes", "tips", "missing", "history", "training",
                            "from_training_log", "overrides",
                            "sources", "disclaimer"]
    assert set(advice["causes"][0]) >= {"id", "name", "score", "because"}
    assert set(advice["tips"][0]) >= {"id", "text"}
    assert "not a diagnosis" in advice["disclaimer"]


def test_repeated_and_comma_separated_flags_mean_the_same(runner: CliRunner) -> None:
    one = advise_json(runner, "--location", "calf", "--signs", "bruising,swelling")
    two = advise_json(runner, "--location", "calf", "--signs", "swelling", "--signs", "bruising")
    assert one == two


@pytest.mark.parametrize("fact_id", list(intake.facts()))
def test_every_fact_of_the_contract_has_a_flag(runner: CliRunner, fact_id: str) -> None:
    kind, values = intake.facts()[fact_id]
    flag = "--" + fact_id.replace("_", "-")
    if kind == "yes/no":
        args = [flag]
        expected: object = True
    elif kind.startswith("whole number"):
        args, expected = [flag, "10"], 10
    elif values:
        args = [part for value in values for part in (flag, value)]
        expected = values if kind == "any of" else values[-1]
    else:
        args, expected = [flag, "my own words"], "my own words"
    where = [] if fact_id == "location" else ["--location", "knee"]  # advice needs at least where it hurts
    assert advise_json(runner, *args, *where)["case"][fact_id] == expected


def test_no_flag_turns_a_yes_no_fact_off(runner: CliRunner) -> None:
    assert advise_json(runner, "--no-pop", "--location", "calf")["case"]["pop"] is False


def test_case_file_yaml_json_and_stdin_agree(runner: CliRunner, tmp_path: Path) -> None:
    case = {"location": "heel.bottom", "when": ["morning-first-steps"], "pain_type": "sharp"}
    (tmp_path / "case.json").write_text(json.dumps(case))
    (tmp_path / "case.yaml").write_text("location: heel.bottom\nwhen: [morning-first-steps]\npain_type: sharp\n")
    from_json = advise_json(runner, "--case", str(tmp_path / "case.json"))
    from_yaml = advise_json(runner, "--case", str(tmp_path / "case.yaml"))
    from_stdin = advise_json(runner, "--case", "-", input=json.dumps(case))
    assert from_json == from_yaml == from_stdin
    assert from_json["causes"][0]["id"] == "plantar-fasciitis"


def test_flags_override_the_case_file(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "case.yaml").write_text("location: knee.front\nsigns: [swelling]\n")
    advice = advise_json(runner, "--case", str(tmp_path / "case.yaml"), "--location", "knee.outer")
    assert advice["case"] == {"location": "knee.outer", "signs": ["swelling"]}


def test_a_shared_vignette_file_is_read_as_its_case(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "v.yaml").write_text("id: x\nstory: s\ncase:\n  location: achilles\nexpect:\n  cause: doms\n")
    assert advise_json(runner, "--case", str(tmp_path / "v.yaml"))["case"] == {"location": "achilles"}


@pytest.mark.parametrize(("args", "content", "code", "message"), [
    pytest.param(["--location", "knea"], None, 2,
                 "painadvisor: --location: 'knea' is not an allowed value (did you mean 'knee'?); "
                 f"allowed: {', '.join(FACTS_BY_ID['location'].values)}\n", id="bad-flag-value"),
    pytest.param(["--severity", "11"], None, 2,
                 "painadvisor: --severity: '11' is not a whole number from 0 to 10\n", id="number-out-of-range"),
    pytest.param(["--severity", "bad"], None, 2,
                 "painadvisor: --severity: 'bad' is not a whole number from 0 to 10\n", id="not-a-number"),
    pytest.param(["--locaton", "calf"], None, 2,
                 "painadvisor: No such option: --locaton (Possible options: --location)\n", id="unknown-flag"),
    pytest.param(["--case", "CASE"], "locaton: calf\n", 2,
                 "painadvisor: CASE:1: unknown fact 'locaton' (did you mean 'location'?); known facts: "
                 f"{', '.join(FACTS_BY_ID)}\n", id="unknown-fact-in-file"),
    pytest.param(["--case", "CASE"], "location: calf\nside: lft\n", 2,
                 "painadvisor: CASE:2: side: 'lft' is not an allowed value (did you mean 'left'?); "
                 "allowed: left, right, both\n", id="unknown-value-in-file"),
    pytest.param(["--case", "CASE"], "location: [calf\n", 2,
                 "painadvisor: CASE:2: invalid YAML: did not find expected ',' or ']'\n",
                 id="invalid-yaml"),
    pytest.param(["--case", "CASE"], "- calf\n", 2,
                 "painadvisor: CASE: a case file must be a mapping of facts, such as 'location: knee.outer'\n",
                 id="not-a-mapping"),
    pytest.param(["--case", "CASE"], "", 2, "painadvisor: CASE: the case file is empty\n", id="empty-file"),
    pytest.param(["--case", "NOWHERE"], None, 2, "painadvisor: NOWHERE: no such file\n", id="missing-file"),
    pytest.param(["--case", "DIR"], None, 2, "painadvisor: DIR: is a folder, not a file\n", id="folder"),
    pytest.param(["--case", "CASE"], "location: calf\nlocation: ankle\n", 2,
                 "painadvisor: CASE:2: duplicate key 'location'\n", id="duplicate-key"),
    pytest.param(["--case", "CASE"], '{"location": "calf",}', 2,
                 "painadvisor: CASE:1: invalid JSON: Expecting property name enclosed in double quotes\n",
                 id="invalid-json"),
])
def test_user_errors_are_one_line_on_stderr_with_an_exit_code(
        runner: CliRunner, tmp_path: Path, args: list[str], content: str | None, code: int, message: str) -> None:
    case_file = tmp_path / "case.yaml"
    if content is not None:
        case_file.write_text(content)
    paths = {"CASE": str(case_file), "NOWHERE": str(tmp_path / "nowhere.yaml"), "DIR": str(tmp_path)}
    args = [paths.get(arg, arg) for arg in args]
    result = run(runner, "advise", *args)
    assert result.exit_code == code
    assert result.stdout == ""
    expected = message
    for name, path in paths.items():
        expected = expected.replace(f" {name}", f" {path}")
    assert result.stderr == expected
    assert "Traceback" not in result.output


def test_non_utf8_and_binary_case_files_are_refused(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "latin1.yaml").write_bytes("note: caf\xe9\n".encode("latin-1"))
    (tmp_path / "binary.yaml").write_bytes(b"\x00\x01\x02")
    latin = run(runner, "advise", "--case", str(tmp_path / "latin1.yaml"))
    binary = run(runner, "advise", "--case", str(tmp_path / "binary.yaml"))
    assert (latin.exit_code, binary.exit_code) == (2, 2)
    assert latin.stderr.endswith("latin1.yaml:1: is not UTF-8 text\n")
    assert binary.stderr.endswith("binary.yaml: looks like a binary file, not text\n")


def test_text_output_puts_red_flags_first_and_ends_with_the_disclaimer(runner: CliRunner) -> None:
    result = run(runner, "advise", "--location", "calf", "--recent-immobility", "--pain-type", "ache")
    assert result.exit_code == 0
    text = result.stdout
    assert text.index("GET MEDICAL HELP NOW") < text.index("Possible blood clot") < text.index("Likely causes")
    assert "not a diagnosis" in text.strip().splitlines()[-2] + text.strip().splitlines()[-1]
    assert "\x1b[" not in text  # not a terminal: no colour codes


def test_user_text_cannot_inject_markup_or_escape_codes(runner: CliRunner) -> None:
    note = "[red]boom[/red] \x1b[2J"
    result = run(runner, "advise", "--location", "calf", "--note", note, "--format", "markdown")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "[red]boom[/red]" in result.stdout  # kept literally: no link target, so nothing to escape


def test_explain_shows_every_contribution(runner: CliRunner) -> None:
    result = run(runner, "advise", *ITB_FLAGS, "--explain")
    assert "how common it is among injured runners" in result.stdout
    assert "points in all" in result.stdout
    assert "+4.5" in result.stdout


def test_output_file_is_written_and_not_overwritten_without_force(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "advice.json"
    first = run(runner, "advise", *ITB_FLAGS, "--format", "json", "-o", str(target))
    assert first.exit_code == 0 and first.stdout == ""
    assert json.loads(target.read_text())["causes"][0]["id"] == "itb-syndrome"
    target.write_text("my own notes")
    again = run(runner, "advise", *ITB_FLAGS, "--format", "json", "-o", str(target))
    assert again.exit_code == 1
    assert again.stderr == f"painadvisor: {target}: file exists; use --force to replace it\n"
    assert target.read_text() == "my own notes"
    forced = run(runner, "advise", *ITB_FLAGS, "--format", "json", "-o", str(target), "--force")
    assert forced.exit_code == 0 and target.read_text().startswith("{")


def test_unwritable_output_is_a_one_line_error(runner: CliRunner, tmp_path: Path) -> None:
    result = run(runner, "advise", "--location", "calf", "-o", str(tmp_path / "no" / "such" / "dir" / "a.txt"))
    assert result.exit_code == 1
    assert result.stderr.startswith("painadvisor: ") and result.stderr.count("\n") == 1


def test_text_output_to_a_file_is_plain(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "advice.txt"
    assert run(runner, "advise", *ITB_FLAGS, "-o", str(target)).exit_code == 0
    text = target.read_text()
    assert "Iliotibial band syndrome" in text and "\x1b[" not in text


def test_version_and_help(runner: CliRunner) -> None:
    assert run(runner, "--version").stdout == f"painadvisor {__version__}\n"
    help_text = run(runner, "advise", "--help").stdout
    assert "--location" in help_text and "Examples" in help_text and "--worse-with" in help_text
