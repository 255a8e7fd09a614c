"""A training log summed up for the weeks before the pain started.

The key finding it looks for is Frandsen et al.'s single-session spike (Br J Sports Med 2025,
5,205 runners; see ``painadvisor.training.spike``): a run more than 10 % longer than the
longest run of the 30 days before it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from painadvisor.training.derive import derive_all
from painadvisor.training.model import Activity, FileRead, Skipped
from painadvisor.training.spike import Spike, SpikeCheck, find_spike
from painadvisor.training.weeks import WeekTotal, kilometres_by_week, weekly_totals


@dataclass(frozen=True)
class TrainingSummary:
    """What a training log says about the weeks before the pain."""

    pain_start: date
    weeks: tuple[WeekTotal, ...]
    spike_check: SpikeCheck
    derived: dict[str, str | bool] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict)
    files: tuple[FileRead, ...] = ()
    skipped: tuple[Skipped, ...] = ()

    @property
    def spike(self) -> Spike | None:
        """The biggest single-run spike, or None (``spike_check`` says why)."""
        return self.spike_check.spike

    def spike_sentence(self) -> str | None:
        """Plain words for a tip, e.g. 'your 21.0 km run on 9 November 2025 was 62 % longer ...'."""
        return None if self.spike is None else self.spike.sentence()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: weeks, spike (or null), spike_check, derived facts, reasons, files and skipped."""
        return {
            "pain_start": self.pain_start.isoformat(),
            "weeks": [week.to_dict() for week in self.weeks],
            "spike": None if self.spike is None else self.spike.to_dict(),
            "spike_check": self.spike_check.to_dict(),
            "derived": dict(self.derived),
            "reasons": dict(self.reasons),
            "files": [{"path": item.path, "activities": item.activities} for item in self.files],
            "skipped": [{"path": item.path, "reason": item.reason} for item in self.skipped],
        }


def summarise(activities: Iterable[Activity], pain_start: date | None, today: date, *,
              files: Iterable[FileRead] = (), skipped: Iterable[Skipped] = ()) -> TrainingSummary:
    """Sum up the log for the weeks up to ``pain_start`` (``today`` when not given).

    Only activities on or before that day (by local date) count.  ``files`` and ``skipped``,
    from ``read_activities``, are carried into the summary so that ``to_dict`` reports them.
    """
    start = min(pain_start or today, today)
    before = sorted((item for item in activities if item.local_date <= start), key=lambda item: item.start)
    runs = [item for item in before if item.sport == "running" and item.distance_km > 0]
    first_day = min((item.local_date for item in before), default=None)
    check = find_spike(runs, start)
    totals = kilometres_by_week(before, start)
    found = derive_all(runs, first_day, start, check.spike, lambda week: totals.get((week, "running"), 0.0))
    return TrainingSummary(
        pain_start=start, weeks=tuple(weekly_totals(before, start, first_day)), spike_check=check,
        derived={fact: value for fact, (value, _) in found.items()},
        reasons={fact: reason for fact, (_, reason) in found.items()},
        files=tuple(files), skipped=tuple(skipped),
    )
