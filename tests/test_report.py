"""The Markdown report, explanations, the causes list and the JSON contract."""

from __future__ import annotations

import copy
import json
import os
import re
import stat
import statistics
from pathlib import Path

import jsonschema
import pytest
from typer.testing import CliRunner

from painadvisor.cli.app import app
from painadvisor.engine import advice as engine
from painadvisor.kb.models import KnowledgeBase
from painadvisor.kb.vocabulary import parse_case
from painadvisor.render.common import DISCLAIMER, shown_causes
from painadvisor.render.markdown import TOP_AGAINST, TOP_FOR, render_markdown
from painadvisor.render.schema import advice_schema

import textbook
from report_cases import (
    NASTY_NOTE,
    NOTES,
    advise,
    body,
    citations,
    html_of,
    ids_in,
    prose,
    pymarkdown_problems,
    references,
    rendered_note,
    text_of,
    vignettes,
    vocabulary_ids,
    with_history,
)


@pytest.mark.parametrize("raw", vignettes())
def test_every_report_passes_the_markdown_linter_and_renders_cleanly(kb: KnowledgeBase, raw: dict[str, object],
                                                                     tmp_path: Path) -> None:
    report = render_markdown(advise(kb, raw, NASTY_NOTE), kb)
    path = tmp_path / "report.md"
    path.write_text(report, encoding="utf-8")
    assert pymarkdown_problems(path) == []
    html = html_of(report)
    assert html.count("<h1>") == 1 and "<table>" in html and "<script>" not in html and "<a href" not in html
    assert rendered_note(report) == " ".join(NASTY_NOTE.split())
    assert "**" not in html and "\\" not in text_of(html)  # no stray markup or escapes left visible


@pytest.mark.parametrize("raw", vignettes())
def test_every_reference_is_cited_and_every_citation_has_a_reference(kb: KnowledgeBase,
                                                                    raw: dict[str, object]) -> None:
    advice = advise(kb, raw)
    report = render_markdown(advice, kb)
    listed, cited = references(report), citations(report)
    assert set(cited) == set(listed) and sorted(listed) == list(range(1, len(listed) + 1))
    assert list(dict.fromkeys(cited)) == sorted(listed)  # numbered in the order the text first cites them
    shown = ({source for ranked in shown_causes(advice) for source in ranked.cause.sources}
             | {source for raised in advice.red_flags for source in raised.flag.sources}
             | {source for chosen in advice.tips for source in chosen.tip.sources})
    expected = [kb.sources[source].title for source in shown if source in kb.sources]
    assert len(listed) == len(expected)
    assert all(any(" ".join(title.split()) in text for text in listed.values()) for title in expected)


@pytest.mark.parametrize("raw", vignettes())
def test_no_internal_id_reaches_the_text_for_people(kb: KnowledgeBase, raw: dict[str, object]) -> None:
    report = render_markdown(with_history(advise(kb, raw)), kb)
    assert ids_in(prose(report), vocabulary_ids(kb)) == []
    assert "?." not in report and " = " not in prose(report)


def test_the_id_check_would_catch_a_leak(kb: KnowledgeBase) -> None:
    leaky = "where it hurts: knee.front; duration_days 21; see-doctor | patellofemoral-pain"
    assert ids_in(leaky, vocabulary_ids(kb)) == ["duration_days", "knee.front", "patellofemoral-pain", "see-doctor"]


@pytest.mark.parametrize("raw", vignettes())
def test_a_report_shows_only_the_strongest_reasons(kb: KnowledgeBase, raw: dict[str, object]) -> None:
    advice = advise(kb, raw)
    causes = body(render_markdown(advice, kb)).split("\n## Likely causes\n", 1)[1].split("\n## ")[0]
    for section in causes.split("\n### ")[1:]:
        reasons = re.findall(r"^- (For|Against) \(", section, re.MULTILINE)
        assert reasons.count("For") <= TOP_FOR and reasons.count("Against") <= TOP_AGAINST


def test_a_typical_report_fits_on_two_printed_pages(kb: KnowledgeBase) -> None:
    lengths = [len(render_markdown(advise(kb, param.values[0]), kb).splitlines())  # type: ignore[attr-defined]
               for param in vignettes()]
    assert statistics.median(lengths) <= 120, sorted(lengths)  # about 110 lines: two printed pages


@pytest.mark.parametrize("note", list(NOTES.values()), ids=list(NOTES))
def test_a_note_holding_markdown_stays_literal(kb: KnowledgeBase, note: str, tmp_path: Path) -> None:
    report = render_markdown(advise(kb, {"location": "calf"}, note), kb)
    assert rendered_note(report) == " ".join(note.split())
    html = html_of(report)
    assert "<a href" not in html and "<b>" not in html and "<em>" not in html and "<s>" not in html
    path = tmp_path / "report.md"
    path.write_text(report, encoding="utf-8")
    assert pymarkdown_problems(path) == []


def test_escapes_only_where_markdown_would_act(kb: KnowledgeBase) -> None:
    note = "Pain +4.0 <3 weeks> after the 10k, worse at 3*4 km; $5 | C-3PO's 1. (not a list) snake_case"
    report = render_markdown(advise(kb, {"location": "calf"}, note), kb)
    quoted = " ".join(line[2:] for line in report.splitlines() if line.startswith("> "))
    assert quoted == "Pain +4.0 <3 weeks> after the 10k, worse at 3\\*4 km; $5 | C-3PO's 1. (not a list) snake_case"


def test_the_report_puts_triage_and_red_flags_first_and_cites_them(kb: KnowledgeBase) -> None:
    advice = engine.evaluate(kb, parse_case(textbook.RED_FLAGS["dvt"][0]))
    report = render_markdown(advice, kb)
    headings = [line for line in report.splitlines() if line.startswith("#")]
    assert headings[:3] == ["# Running pain report", "## Get medical help now", "### Red flags"]
    flat = " ".join(report.split())
    assert "- Possible blood clot: Get medical help now:" in flat
    assert re.search(r"Do not massage the leg\. \[1(, \d+)*\] Running: Do not run\.", flat)
    assert "## References" in report and "Venous thromboembolic diseases" in flat
    assert flat.endswith(DISCLAIMER)


def test_a_red_flag_says_whether_to_keep_running(kb: KnowledgeBase) -> None:
    advice = engine.evaluate(kb, parse_case(textbook.RED_FLAGS["stress-fracture"][0]))
    flat = " ".join(render_markdown(advice, kb).split())
    flag = next(raised.flag for raised in advice.red_flags if raised.flag.id == "stress-fracture")
    assert f"Running: {' '.join(flag.running.split())}" in flat


def test_causes_to_rule_out_are_labelled(kb: KnowledgeBase) -> None:
    advice = engine.evaluate(kb, parse_case(textbook.RED_FLAGS["dvt"][0]))
    assert advice.rule_out
    names = {ranked.cause.id: ranked.cause.name for ranked in advice.causes}
    report = render_markdown(advice, kb)
    for cause in advice.rule_out:
        assert re.search(rf"^### \d+\. {re.escape(names[cause])}: \S+ \(to rule out\)$", report, re.MULTILINE)


def test_references_give_the_year_once(kb: KnowledgeBase) -> None:
    advice = engine.evaluate(kb, parse_case(textbook.RED_FLAGS["dvt"][0]))
    for text in references(render_markdown(advice, kb)).values():
        years = re.findall(r"\b(?:19|20)\d\d\b", text)
        assert len(years) == len(set(years)) or "consensus" in text.lower(), text
        assert "?." not in text and ".." not in text


def test_the_reference_of_a_question_title_ends_once(kb: KnowledgeBase) -> None:
    from painadvisor.render.common import reference_text

    source = next(source for source in kb.sources.values() if source.title.endswith("?"))
    text = reference_text(source)
    assert f"{source.title} " in text and "?." not in text and text.count(str(source.year)) == 1


@pytest.mark.parametrize(("authors", "year", "published", "expected"), [
    pytest.param("A B, C D, E F, G H", 2001, "J Run 2001;1:2-3", "A B, C D, E F, et al. Title? J Run 2001;1:2-3.",
                 id="year-in-journal"),
    pytest.param("A B, C D, et al.", 2001, "NICE guideline NG1", "A B, C D, et al. (2001). Title? NICE guideline NG1.",
                 id="year-not-in-journal"),
])
def test_a_reference_reads_as_one(authors: str, year: int, published: str, expected: str) -> None:
    from painadvisor.kb.models import Source
    from painadvisor.render.common import reference_text

    assert reference_text(Source("x", authors, year, "Title?", published), max_authors=3) == expected


def test_answers_are_shown_in_plain_words(kb: KnowledgeBase) -> None:
    report = render_markdown(engine.evaluate(kb, parse_case({"location": "knee.outer", "load_change": "large"})), kb)
    assert "| where it hurts | outside of the knee |" in report
    assert "| recent change in training load | a big increase or one much longer run |" in report


def test_history_comes_after_the_answers_in_words(kb: KnowledgeBase) -> None:
    report = render_markdown(with_history(advise(kb, {"location": "knee.front"}), days=3), kb)
    headings = [line for line in report.splitlines() if line.startswith("## ")]
    assert headings.index("## Earlier consultations") == headings.index("## What I told painadvisor") + 1
    assert "First asked 3 days ago; no better since." in report
    assert "| 2024-05-29 | see a doctor or physiotherapist within days | Patellofemoral pain" in report
    assert "| 2024-05-30 | self-care | none |" in report


@pytest.mark.parametrize(("days", "words"), [pytest.param(0, "First asked today.", id="today"),
                                             pytest.param(1, "First asked yesterday; better since.", id="yesterday")])
def test_history_says_when_in_words(kb: KnowledgeBase, days: int, words: str) -> None:
    report = render_markdown(with_history(advise(kb, {"location": "knee.front"}), days=days, change="better"), kb)
    assert words in report and "0 days" not in report


def test_replaced_safety_rules_are_warned_of_first(kb: KnowledgeBase) -> None:
    replaced = copy.copy(kb)
    object.__setattr__(replaced, "overrides", (("dvt", "/home/me/my-pack.yaml:12"),))
    report = render_markdown(engine.evaluate(kb, parse_case({"location": "calf"})), replaced)
    headings = [line for line in report.splitlines() if line.startswith("## ")]
    assert headings[0] == "## Warning: built-in safety rules replaced"
    assert "- Possible blood clot (red flag), replaced by `/home/me/my-pack.yaml:12`" in report
    assert "## Warning" not in render_markdown(engine.evaluate(kb, parse_case({"location": "calf"})), kb)


def test_a_cause_with_markdown_in_its_rule_text_stays_literal(kb: KnowledgeBase) -> None:
    advice = engine.evaluate(kb, parse_case({"location": "calf"}))
    top = advice.causes[0]
    top.cause = top.cause._replace(name="Calf *thing* | <b>x</b>", explanation="# Not a heading [a](b)")
    html = html_of(render_markdown(advice, kb))
    assert "Calf *thing* | &lt;b&gt;x&lt;/b&gt;: " in html and "# Not a heading [a](b)" in html


def test_a_written_report_is_readable_by_others_under_the_usual_umask(runner: CliRunner, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        result = runner.invoke(app, ["advise", "--location", "calf", "--format", "markdown", "--no-save",
                                     "-o", str(tmp_path / "report.md")])
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.stderr
    assert stat.S_IMODE((tmp_path / "report.md").stat().st_mode) == 0o644


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

    monkeypatch.setattr(os, "fsync", disk_full)
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
    assert printed == advice_schema()
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
