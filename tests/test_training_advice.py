"""The training log joined to the advice: derived facts, the chart, the table and the tip (installed CLI)."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import training_logs as logs

SCRIPT = str(Path(sys.executable).with_name("painadvisor"))


@pytest.fixture
def log_folder(tmp_path: Path) -> Path:
    """Eight weeks of 8, 10 and 12 km runs, then a 21 km run nine days ago, and one broken file."""
    today = dt.date.today()
    outings = [logs.Outing(logs.at(today - dt.timedelta(days=7 * week + 10 - day)), km, km * 5.5)
               for week in range(8, 0, -1) for day, km in ((0, 8.0), (2, 10.0), (5, 12.0))]
    outings.append(logs.Outing(logs.at(today - dt.timedelta(days=9)), 21.0, 120.0, name="Long run"))
    folder = tmp_path / "log"
    folder.mkdir()
    logs.write_history(folder, outings)
    (folder / "broken.fit").write_bytes(b"not a fit file at all")
    return folder


def advise(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([SCRIPT, "advise", "--location", "knee.outer", "--duration-days", "7", *args],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "NO_COLOR": "1", "COLUMNS": "80"},
                          stdin=subprocess.DEVNULL)


def test_derived_facts_feed_the_advice_and_are_labelled(log_folder: Path) -> None:
    result = advise("--training", str(log_folder), "--format", "json")
    assert result.returncode == 0
    assert result.stderr.count("\n") == 1 and "broken.fit: skipped" in result.stderr  # one line, the rest read
    advice = json.loads(result.stdout)
    training = advice["training"]
    assert training["spike"]["distance_km"] == 21.0 and training["spike"]["longest_previous_km"] == 12.0
    assert advice["case"]["load_change"] == "large" and "load_change" in advice["from_training_log"]
    labelled = [item for cause in advice["causes"] for item in cause["because"] if item.get("from_training_log")]
    assert labelled and all("from your training log" in item["note"] for item in labelled)
    spike_tips = [tip for tip in advice["tips"] if tip["id"] == "training-log-spike"]
    assert spike_tips and "21.0 km run" in spike_tips[0]["text"] and "75 % longer" in spike_tips[0]["text"]


def test_what_the_runner_says_overrides_the_log(log_folder: Path) -> None:
    advice = json.loads(advise("--training", str(log_folder), "--load-change", "none", "--format", "json").stdout)
    assert advice["case"]["load_change"] == "none" and "load_change" not in advice["from_training_log"]


def test_the_chart_fits_80_columns_without_colour(log_folder: Path) -> None:
    result = advise("--training", str(log_folder))
    chart = result.stdout.split("Your training (from your log)", 1)[1].split("\n\n", 1)[0]
    assert "<- 21.0 km run, +75%" in chart and "\x1b" not in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80


def test_the_report_has_a_table_of_weeks(log_folder: Path) -> None:
    report = advise("--training", str(log_folder), "--format", "markdown").stdout
    assert "## Your training log" in report and "| week of | running | walking | cycling |" in report


def test_a_missing_training_path_is_a_usage_error() -> None:
    result = advise("--training", "/nowhere/at/all")
    assert result.returncode == 2 and "no such file or folder" in result.stderr and "Traceback" not in result.stderr
