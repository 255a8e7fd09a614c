"""Weekly distances by sport, in Monday-start weeks of local dates."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from painadvisor.training.model import Activity

MAX_WEEKS = 12  # the weeks shown: up to 12, ending with the week the pain started


@dataclass(frozen=True)
class WeekTotal:
    """Kilometres in one Monday-start week."""

    week_start: date
    run_km: float
    walk_km: float
    ride_km: float

    def to_dict(self) -> dict[str, Any]:
        return {"week_start": self.week_start.isoformat(), "run_km": round(self.run_km, 2),
                "walk_km": round(self.walk_km, 2), "ride_km": round(self.ride_km, 2)}


def monday(day: date) -> date:
    """The Monday that starts the week of ``day``."""
    return day - timedelta(days=day.weekday())


def kilometres_by_week(activities: list[Activity], last_day: date) -> dict[tuple[date, str], float]:
    """(week start, sport) -> km, for activities on or before ``last_day``."""
    totals: dict[tuple[date, str], float] = defaultdict(float)
    for activity in activities:
        if activity.local_date <= last_day:
            totals[(monday(activity.local_date), activity.sport)] += activity.distance_km
    return totals


def weekly_totals(activities: list[Activity], pain_start: date, first_day: date | None) -> list[WeekTotal]:
    """Up to 12 weeks ending with the pain's week; none before the log's first activity.

    The last week counts only the days up to and including ``pain_start``.
    """
    if first_day is None or first_day > pain_start:
        return []
    totals = kilometres_by_week(activities, pain_start)
    last = monday(pain_start)
    first = max(monday(first_day), last - timedelta(weeks=MAX_WEEKS - 1))
    weeks = []
    start = first
    while start <= last:
        weeks.append(WeekTotal(start, totals.get((start, "running"), 0.0), totals.get((start, "walking"), 0.0),
                               totals.get((start, "cycling"), 0.0)))
        start += timedelta(weeks=1)
    return weeks
