"""The local history as a runner and a script meet it: saving, reading back, using it, deleting it."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from painadvisor.cli.app import app
from painadvisor.cli.session import Session
from painadvisor.history.store import History

KNEE = ["--location", "knee.outer", "--when", "after-distance", "--severity", "5"]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "data" / "history.db"
    monkeypatch.setenv("PAINADVISOR_DB", str(path))
    return path


def advise(runner: CliRunner, *args: str):  # noqa: ANN201
    return runner.invoke(app, ["advise", "--save", *args])  # these tests are about the history: keep every one


def test_a_consultation_is_saved_and_read_back(runner: CliRunner, db: Path) -> None:
    first = advise(runner, *KNEE, "--format", "json")
    assert first.exit_code == 0
    assert first.stderr.startswith(f"painadvisor: this consultation is kept in {db} (it never leaves this computer)")
    second = advise(runner, "--location", "heel.bottom", "--format", "json")
    assert second.stderr == ""  # the note about where it is kept comes once
    listed = json.loads(runner.invoke(app, ["history", "--format", "json"]).stdout)
    assert [(item["location"], item["top_cause"]) for item in listed] == [
        ("heel.bottom", "plantar-fasciitis"), ("knee.outer", "itb-syndrome")]
    shown = runner.invoke(app, ["history", "show", str(listed[1]["id"]), "--format", "json"])
    assert json.loads(shown.stdout) == json.loads(first.stdout)


def test_no_save_writes_nothing(runner: CliRunner, db: Path) -> None:
    assert advise(runner, *KNEE, "--no-save").exit_code == 0
    assert not db.exists() and not db.parent.exists()


def test_the_history_table(runner: CliRunner, db: Path) -> None:
    advise(runner, *KNEE)
    result = runner.invoke(app, ["history"])
    assert result.exit_code == 0
    lines = [line.split() for line in result.stdout.splitlines() if line.strip()]
    assert " ".join(lines[0]).startswith("Kept consultations")
    assert lines[1] == ["id", "date", "where", "triage", "top", "cause"]
    row = lines[3]
    assert row[0] == "1" and row[3:] == ["knee.outer", "self-care", "itb-syndrome"]
    assert row[1] == datetime.now().astimezone().date().isoformat()


def test_an_empty_history_says_so(runner: CliRunner, db: Path) -> None:
    assert runner.invoke(app, ["history"]).stdout.startswith("No consultations kept yet")


def test_same_pain_for_two_weeks_raises_persistent_pain_from_history(runner: CliRunner, db: Path) -> None:
    with History(db) as history:
        case = {"location": "knee.outer", "severity": 5}
        history.save(case, {"triage": "self-care", "causes": [{"id": "itb-syndrome"}]}, "0.1.0",
                     when=datetime.now(UTC) - timedelta(days=20))
    result = advise(runner, *KNEE, "--format", "json")
    advice = json.loads(result.stdout)
    assert advice["triage"] == "see-doctor"
    flag = next(flag for flag in advice["red_flags"] if flag["id"] == "persistent-pain")
    assert flag["note"] == "from your history: first recorded 20 days ago, and no better since"
    assert advice["history"]["days_since_first"] == 20 and advice["history"]["change"] == "same"
    text = advise(runner, *KNEE).stdout
    assert "You first asked about this place on" in text and "20 days ago; it is no better now." in text


def test_getting_better_is_not_persistent(runner: CliRunner, db: Path) -> None:
    with History(db) as history:
        history.save({"location": "knee.outer", "severity": 7}, {"triage": "self-care", "causes": []}, "0.1.0",
                     when=datetime.now(UTC) - timedelta(days=20))
    advice = json.loads(advise(runner, *KNEE, "--format", "json").stdout)
    assert advice["history"]["change"] == "better"
    assert "persistent-pain" not in [flag["id"] for flag in advice["red_flags"]]


def test_a_corrupt_database_is_left_untouched_and_the_advice_is_still_given(runner: CliRunner, db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database, it is my diary\n" * 20)
    before = db.read_bytes()
    result = advise(runner, *KNEE, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout)["causes"][0]["id"] == "itb-syndrome"
    assert result.stderr == f"painadvisor: not a painadvisor history database (not SQLite); left untouched: {db}\n"
    assert db.read_bytes() == before
    listing = runner.invoke(app, ["history"])
    assert listing.exit_code == 1 and "left untouched" in listing.stderr and "Traceback" not in listing.output


def test_delete_asks_first_and_scripts_can_say_yes(runner: CliRunner, db: Path) -> None:
    advise(runner, *KNEE)
    advise(runner, *KNEE)
    refused = runner.invoke(app, ["history", "delete", "1"], input="n\n")
    assert refused.exit_code == 1 and len(json.loads(runner.invoke(app, ["history", "-f", "json"]).stdout)) == 2
    assert runner.invoke(app, ["history", "delete", "1"], input="y\n").exit_code == 0
    assert runner.invoke(app, ["history", "delete", "--all", "--yes"]).stderr == "painadvisor: deleted 1 consultation\n"
    assert json.loads(runner.invoke(app, ["history", "-f", "json"]).stdout) == []
    missing = runner.invoke(app, ["history", "delete", "7", "--yes"])
    assert missing.exit_code == 1 and missing.stderr == f"painadvisor: no consultation with id 7: {db}\n"
    both = runner.invoke(app, ["history", "delete", "1", "--all", "--yes"])
    assert both.exit_code == 2


def test_export_writes_json_lines_and_show_renders_markdown(runner: CliRunner, db: Path, tmp_path: Path) -> None:
    advise(runner, *KNEE)
    target = tmp_path / "backup.jsonl"
    assert runner.invoke(app, ["history", "export", str(target)]).exit_code == 0
    rows = [json.loads(line) for line in target.read_text().splitlines()]
    assert len(rows) == 1 and rows[0]["case"]["location"] == "knee.outer"
    assert runner.invoke(app, ["history", "export", str(target)]).exit_code == 1  # never overwritten
    report = runner.invoke(app, ["history", "show", "1", "--format", "markdown"])
    assert report.stdout.startswith("# Running pain report")


def test_the_consultation_offers_last_times_answers(runner: CliRunner, db: Path) -> None:
    advise(runner, *KNEE, "--hills", "lots", "--age", "34", "--pop")
    from painadvisor.history.recall import last_answers
    from painadvisor.kb.loader import load_knowledge_base

    kb = load_knowledge_base()
    screen = io.StringIO()
    replies = iter(["outside of the knee", "y"])
    prompts: list[str] = []

    def read_line(prompt: str) -> str:
        prompts.append(prompt)
        try:
            return next(replies)
        except StopIteration:
            raise EOFError from None

    session = Session(kb, Console(file=screen, width=100, color_system=None), read_line,
                      last_time=lambda location: last_answers(db, location, kb))
    with pytest.raises(EOFError):
        session.run()
    assert prompts[1].startswith(f"You asked about this on {datetime.now(UTC).date().isoformat()}.")
    assert session.interview.case["hills"] == "lots" and session.interview.case["age"] == 34
    assert "severity" not in session.interview.case  # it changes: asked afresh
    assert "pop" not in session.interview.case  # a red-flag question: asked afresh
    assert "The red-flag questions are asked again." in screen.getvalue()
