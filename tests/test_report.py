"""The Markdown report, explanations, the causes list and the JSON contract."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest
import yaml
from markdown_it import MarkdownIt
from pymarkdown.api import PyMarkdownApi
from typer.testing import CliRunner

from painadvisor import engine
from painadvisor.cli import app
from painadvisor.models import KnowledgeBase
from painadvisor.render.common import DISCLAIMER
from painadvisor.render.markdown import render_markdown
from painadvisor.render.schema import ADVICE_SCHEMA
from painadvisor.vocabulary import parse_case

import textbook
from conftest import REPO

SHARED_CASES = REPO.parent / "shared" / "cases"
NASTY_NOTE = "Race | in *3* weeks <script>alert(1)</script> [link](http://x) # not a heading\n- nor a list `code`"


def vignettes() -> list[object]:
    """The shared vignettes when they are beside the repo, else our own textbook cases."""
    if SHARED_CASES.is_dir():
        return [pytest.param(yaml.safe_load(path.read_text())["case"], id=path.stem)
                for path in sorted(SHARED_CASES.glob("*.yaml"))]
    return [pytest.param(case, id=cause) for cause, case in textbook.CAUSES.items()]


def html_of(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)


@pytest.mark.parametrize("raw", vignettes())
def test_every_report_passes_the_markdown_linter_and_renders_cleanly(kb: KnowledgeBase, raw: dict[str, object],
                                                                     tmp_path: Path) -> None:
    report = render_markdown(engine.evaluate(kb, parse_case({**raw, "note": NASTY_NOTE})), kb)
    path = tmp_path / "report.md"
    path.write_text(report, encoding="utf-8")
    result = PyMarkdownApi().scan_path(str(path))
    assert (result.scan_failures, result.critical_errors) == ([], [])
    html = html_of(report)
    assert html.count("<h1>") == 1 and "<table>" in html and "<script>" not in html and "<a href" not in html
    literal = "Race | in *3* weeks &lt;script&gt;alert(1)&lt;/script&gt; [link](http://x) # not a heading - nor a list"
    assert literal + " `code`" in " ".join(html.split())
    assert "**" not in html and "\\" not in html  # no stray markup or escapes left visible


def test_the_report_puts_triage_and_red_flags_first_and_names_sources(kb: KnowledgeBase) -> None:
    advice = engine.evaluate(kb, parse_case(textbook.RED_FLAGS["dvt"][0]))
    report = render_markdown(advice, kb)
    headings = [line for line in report.splitlines() if line.startswith("#")]
    assert headings[:3] == ["# Running pain report", "## Get medical help now", "### Red flags"]
    assert "Possible blood clot (emergency): Get medical help now" in report
    assert "## Sources" in report and "Venous thromboembolic diseases" in " ".join(report.split())
    assert " ".join(report.split()).endswith(DISCLAIMER)


def test_answers_are_shown_in_plain_words(kb: KnowledgeBase) -> None:
    report = render_markdown(engine.evaluate(kb, parse_case({"location": "knee.outer", "load_change": "large"})), kb)
    assert "| where it hurts | outside of the knee |" in report
    assert "| recent change in training load | a big increase or one much longer run |" in report


def test_markdown_to_a_file_refuses_to_overwrite_without_force(runner: CliRunner, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("keep me")
    args = ["advise", "--location", "calf", "--format", "markdown", "-o", str(target)]
    refused = runner.invoke(app, args)
    assert refused.exit_code == 1 and target.read_text() == "keep me"
    assert runner.invoke(app, [*args, "--force"]).exit_code == 0
    assert target.read_text().startswith("# Running pain report")


def test_a_failed_write_leaves_nothing_behind(runner: CliRunner, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    result = runner.invoke(app, ["advise", "--location", "calf", "--format", "markdown",
                                 "-o", str(tmp_path / "report.md")])
    assert result.exit_code == 1
    assert result.stderr == f"painadvisor: {tmp_path / 'report.md'}: cannot write: No space left on device\n"
    assert list(tmp_path.iterdir()) == []


def test_a_failed_write_keeps_the_old_file_whole(runner: CliRunner, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "report.md"
    target.write_text("the old report")
    monkeypatch.setattr(os, "fsync", lambda _: (_ for _ in ()).throw(OSError(5, "Input/output error")))
    result = runner.invoke(app, ["advise", "--location", "calf", "--format", "markdown", "-o", str(target),
                                 "--force"])
    assert result.exit_code == 1
    assert target.read_text() == "the old report" and list(tmp_path.iterdir()) == [target]


def test_markup_like_input_stays_literal_in_the_terminal(runner: CliRunner) -> None:
    result = runner.invoke(app, ["advise", "--location", "calf", "--note", "[bold red]x[/] \x1b[31m"])
    assert result.exit_code == 0 and "\x1b" not in result.stdout


@pytest.mark.parametrize("cause_id", list(textbook.CAUSES))
def test_explain_every_cause(runner: CliRunner, kb: KnowledgeBase, cause_id: str) -> None:
    text = runner.invoke(app, ["explain", cause_id])
    assert text.exit_code == 0
    cause = kb.cause(cause_id)
    assert cause.name in text.stdout and "What makes it more likely" in text.stdout and "Sources" in text.stdout
    data = json.loads(runner.invoke(app, ["explain", cause_id, "--format", "json"]).stdout)
    assert len(data["evidence"]) == len(cause.evidence)
    assert [flag["id"] for flag in data["red_flags"]] == list(cause.red_flags)
    assert all(source["citation"] for source in data["sources"])


def test_explain_an_unknown_cause_suggests_one(runner: CliRunner) -> None:
    result = runner.invoke(app, ["explain", "shin-splints"])
    assert result.exit_code == 2
    assert result.stderr.startswith("painadvisor: unknown cause 'shin-splints'")


def test_causes_lists_every_cause_with_its_area(runner: CliRunner, kb: KnowledgeBase) -> None:
    listed = json.loads(runner.invoke(app, ["causes", "--format", "json"]).stdout)
    assert {item["id"] for item in listed} == {cause.id for cause in kb.causes}
    assert all(item["area"] and item["name"] for item in listed)
    assert "achilles-rupture" in runner.invoke(app, ["causes"]).stdout


def test_the_printed_schema_is_the_one_outputs_follow(runner: CliRunner) -> None:
    printed = json.loads(runner.invoke(app, ["schema"]).stdout)
    assert printed == ADVICE_SCHEMA
    jsonschema.Draft202012Validator.check_schema(printed)


@pytest.mark.parametrize(("cause_id", "raw"), textbook.cause_params())
def test_advise_and_replay_json_validate_against_the_schema(runner: CliRunner, tmp_path: Path, cause_id: str,
                                                            raw: dict[str, object]) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps({**raw, "note": NASTY_NOTE}))
    validator = jsonschema.Draft202012Validator(json.loads(runner.invoke(app, ["schema"]).stdout))
    for args in (["advise", "--case"], ["ask", "--replay"]):
        result = runner.invoke(app, [*args, str(case_file), "--format", "json"])
        assert result.exit_code == 0, result.stderr
        validator.validate(json.loads(result.stdout))
