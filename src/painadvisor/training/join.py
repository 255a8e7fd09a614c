"""Joining the runner's training log to the case: derived facts, the chart data and the tip.

The log (``painadvisor.training``) is read only when ``--training`` is given, so start-up
is unchanged.  Facts derived from it fill only what the runner did not say (anything stated
overrides the log), and the advice marks them "from your training log".  Files that cannot
be read are reported on stderr, one line each, and the rest are used.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from painadvisor.errors import UsageError
from painadvisor.kb.models import ChosenTip, Tip
from painadvisor.kb.vocabulary import FACTS_BY_ID, FactValue, parse_value


def read_log(paths: Iterable[Path], case: Mapping[str, FactValue], today: dt.date | None = None) -> dict[str, Any]:
    """The training summary (as JSON-ready data) for the weeks before the pain started."""
    from painadvisor.training import read_activities, summarise

    paths = list(paths)
    for path in paths:
        if not str(path).strip():
            raise UsageError("--training needs a file or folder; '' is not one")
        try:
            if not path.exists():
                raise UsageError(f"{path}: no such file or folder (from --training)")
        except OSError as err:
            raise UsageError(f"{path}: cannot be read: {err.strerror or err}") from None
    today = today or dt.date.today()
    days = case.get("duration_days")
    pain_start = today - dt.timedelta(days=days) if isinstance(days, int) and days < 36500 else None
    activities, files, skipped = read_activities(paths)
    for item in skipped:
        sys.stderr.write(f"painadvisor: {item.path}: skipped: {item.reason}\n")
    summary = summarise(activities, pain_start, today, files=files, skipped=skipped)
    return {**summary.to_dict(), "spike_sentence": summary.spike_sentence()}


def with_log_facts(case: Mapping[str, FactValue], summary: Mapping[str, Any]) -> tuple[dict[str, FactValue],
                                                                                     tuple[str, ...]]:
    """The case with the log's derived facts where the runner said nothing, and which those are."""
    derived: dict[str, FactValue] = {}
    for fact_id, value in summary.get("derived", {}).items():
        if fact_id in FACTS_BY_ID and fact_id not in case:
            derived[fact_id] = parse_value(FACTS_BY_ID[fact_id], value)
    merged = {**case, **derived}
    order = list(FACTS_BY_ID)
    return {fact: merged[fact] for fact in order if fact in merged}, tuple(derived)


def spike_tip(summary: Mapping[str, Any]) -> ChosenTip | None:
    """The prevention tip that names the run behind the spike."""
    sentence = summary.get("spike_sentence")
    if not sentence:
        return None
    text = (f"From your training log: {sentence}. Keep each single run within about 10% of your longest run "
            "of the last 30 days: in 5,205 runners, one run longer than that raised the injury rate, while "
            "weekly mileage rules did not predict injury.")
    tip = Tip(id="training-log-spike", kind="prevention", text=text, sources=("frandsen2025",), priority=0)
    return ChosenTip(tip, "from your training log")
