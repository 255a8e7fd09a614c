"""The single-session spike: one run much longer than the longest run of the 30 days before it.

Frandsen JSB, et al. How much running is too much? Identifying high-risk running sessions in a
5200-person cohort study. Br J Sports Med 2025;59(17):1203-1210. doi:10.1136/bjsports-2024-109380.
In 5,205 runners followed for 18 months (588,071 Garmin-recorded runs), a single run more than
10 % longer than the longest run of the previous 30 days raised the rate of overuse injury:
hazard rate ratios 1.64 for a >10-30 % spike, 1.52 for >30-100 % and 2.28 for >100 %.  Weekly
comparisons (the acute:chronic workload ratio, week-to-week change) showed no such rise.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Literal

from painadvisor.training.model import Activity

WINDOW_DAYS = 56  # runs checked: the 8 weeks before the pain started, the pain day included
LOOKBACK_DAYS = 30  # each run is compared with the longest run of the 30 days before its day
THRESHOLD_PCT = 10.0

SpikeStatus = Literal["found", "none", "no-baseline", "no-runs"]


@dataclass(frozen=True)
class Spike:
    """The run that most exceeded the longest run of the 30 days before it."""

    date: date
    distance_km: float
    longest_previous_km: float
    increase_pct: float
    category: str

    def sentence(self) -> str:
        """Plain words for a tip."""
        return (f"your {self.distance_km:.1f} km run on {long_date(self.date)} was {self.increase_pct:.0f} % longer "
                f"than your longest run of the 30 days before ({self.longest_previous_km:.1f} km)")

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date.isoformat(), "distance_km": round(self.distance_km, 2),
                "longest_previous_km": round(self.longest_previous_km, 2),
                "increase_pct": round(self.increase_pct, 1), "category": self.category}


@dataclass(frozen=True)
class SpikeCheck:
    """Whether a spike could be looked for, and what was found."""

    status: SpikeStatus
    runs_checked: int
    runs_without_baseline: tuple[date, ...] = ()
    spike: Spike | None = None

    def text(self) -> str:
        """One sentence saying what the check found, or why it could not be made."""
        if self.spike is not None:
            return self.spike.sentence()
        if self.status == "no-runs":
            return "there are no runs in your log in the 8 weeks before the pain started"
        if self.status == "no-baseline":
            return ("there was no earlier run within 30 days of your recent runs to compare them with, "
                    "so a jump in the length of a single run cannot be checked")
        return (f"none of your {self.runs_checked} runs in the 8 weeks before the pain started was more than "
                f"{THRESHOLD_PCT:.0f} % longer than your longest run of the 30 days before it")

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status, "runs_checked": self.runs_checked,
                "runs_without_baseline": [day.isoformat() for day in self.runs_without_baseline],
                "text": self.text()}


def long_date(day: date) -> str:
    """'9 November 2025' (English month names, whatever the machine's locale)."""
    months = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December")
    return f"{day.day} {months[day.month - 1]} {day.year}"


def category(increase_pct: float) -> str:
    """Frandsen 2025's bands: '10-30%', '30-100%' or '>100%'."""
    if increase_pct > 100:
        return ">100%"
    if increase_pct > 30:
        return "30-100%"
    return "10-30%"


def find_spike(runs: list[Activity], pain_start: date) -> SpikeCheck:
    """Check every run of the 8 weeks up to ``pain_start`` against the 30 days before its local date.

    ``runs`` are running activities on or before ``pain_start``, in any order.
    """
    ordered = sorted(runs, key=lambda run: run.local_date)
    days = [run.local_date for run in ordered]
    recent = [run for run in ordered if pain_start - timedelta(days=WINDOW_DAYS - 1) <= run.local_date <= pain_start]
    if not recent:
        return SpikeCheck("no-runs", 0)
    best: Spike | None = None
    checked = 0
    no_baseline: list[date] = []
    for run in recent:
        low = bisect.bisect_left(days, run.local_date - timedelta(days=LOOKBACK_DAYS))
        high = bisect.bisect_left(days, run.local_date)
        longest = max((other.distance_km for other in ordered[low:high]), default=0.0)
        if longest <= 0:
            no_baseline.append(run.local_date)
            continue
        checked += 1
        increase = (run.distance_km / longest - 1) * 100
        if increase > THRESHOLD_PCT and (best is None or increase >= best.increase_pct):
            best = Spike(run.local_date, run.distance_km, longest, increase, category(increase))
    status: SpikeStatus = "found" if best else ("none" if checked else "no-baseline")
    return SpikeCheck(status, checked, tuple(sorted(set(no_baseline))), best)
