"""Case facts derived from a training log, in the project's vocabulary.

Each function returns ``(value, reason)`` or None when the log cannot tell.  The values are
those of ``painadvisor.kb.vocabulary``: ``load_change`` none/small/large, ``hard_sessions``
true/false, ``hills`` none/some/lots, ``experience`` new/returning/regular.
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Callable
from datetime import date, timedelta

from painadvisor.training.model import Activity
from painadvisor.training.spike import Spike, long_date
from painadvisor.training.weeks import monday

Derived = tuple[str | bool, str] | None

LOAD_SMALL_MAX_PCT = 10.0  # a rise of the last full week over the 4 before it, up to this, is "small"
RECENT_DAYS = 28  # "the last 4 weeks" before the pain, the pain day included
USUAL_PACE_DAYS = 84  # "usual pace" is the median speed of runs in the 12 weeks before the pain
FAST_FACTOR = 1.15  # a run at least this much faster than the median counts as a hard session
MIN_RUNS_FOR_PACE = 5
MIN_FAST_KM = 1.0  # shorter runs (strides, tests) are not judged by pace
# Hills, in metres climbed per km run.  These cut-offs are our estimates, not from a study:
# 5 m/km is a gently rolling route (a 10 km run with 50 m of climbing), 15 m/km a hilly one.
HILLS_SOME_M_PER_KM = 5.0
HILLS_LOTS_M_PER_KM = 15.0
NEW_DAYS = 182  # about 6 months
GAP_DAYS = 91  # about 3 months
RACE_WORDS = re.compile(r"\b(race|racing|parkrun|time trial|competition)\b|marathon", re.IGNORECASE)


def derive_all(runs: list[Activity], first_day: date | None, pain_start: date, spike: Spike | None,
               week_km: Callable[[date], float]) -> dict[str, tuple[str | bool, str]]:
    """Every fact the log can tell, each with a plain-words reason."""
    found = {
        "load_change": load_change(week_km, first_day, pain_start, spike),
        "hard_sessions": hard_sessions(runs, pain_start),
        "hills": hills(runs, pain_start),
        "experience": experience(runs, first_day, pain_start),
    }
    return {fact: value for fact, value in found.items() if value is not None}


def load_change(week_km: Callable[[date], float], first_day: date | None, pain_start: date,
                spike: Spike | None) -> Derived:
    """The last full week before the pain against the mean of the 4 weeks before it (and any spike)."""
    if spike is not None:
        return "large", spike.sentence()
    last_week = monday(pain_start) - timedelta(days=7)
    earlier = [last_week - timedelta(days=7 * n) for n in range(4, 0, -1)]
    if first_day is None or first_day > earlier[0] + timedelta(days=6):
        return None  # the log does not reach back over the 5 weeks compared
    last = week_km(last_week)
    mean = sum(week_km(start) for start in earlier) / 4
    words = f"{last:.1f} km in the week of {long_date(last_week)}, against {mean:.1f} km a week in the 4 weeks before"
    if mean <= 0:
        return ("large", words) if last > 0 else ("none", words)
    change = (last / mean - 1) * 100
    if change > LOAD_SMALL_MAX_PCT:
        return "large", f"{words} (+{change:.0f} %)"
    if change > 0:
        return "small", f"{words} (+{change:.0f} %)"
    return "none", f"{words} ({change:+.0f} %)"


def _recent(runs: list[Activity], pain_start: date, days: int) -> list[Activity]:
    first = pain_start - timedelta(days=days - 1)
    return [run for run in runs if first <= run.local_date <= pain_start]


def hard_sessions(runs: list[Activity], pain_start: date) -> Derived:
    """A race, or a run much faster than usual, in the last 4 weeks."""
    recent = _recent(runs, pain_start, RECENT_DAYS)
    for run in recent:
        if run.name and RACE_WORDS.search(run.name):
            return True, f"your run on {long_date(run.local_date)} was named '{run.name}'"
    usual = [run.avg_speed_mps for run in _recent(runs, pain_start, USUAL_PACE_DAYS)
             if run.avg_speed_mps and run.distance_km >= MIN_FAST_KM]
    if len(usual) < MIN_RUNS_FOR_PACE or not recent:
        return None
    median = statistics.median(usual)
    fast = [run for run in recent if run.avg_speed_mps and run.distance_km >= MIN_FAST_KM
            and run.avg_speed_mps >= FAST_FACTOR * median]
    if fast:
        run = max(fast, key=lambda item: item.avg_speed_mps or 0.0)
        return True, (f"your {run.distance_km:.1f} km run on {long_date(run.local_date)} averaged "
                      f"{pace(run.avg_speed_mps or 0.0)}, against your usual {pace(median)}")
    return False, f"no run in the last 4 weeks was much faster than your usual {pace(median)}"


def pace(speed_mps: float) -> str:
    """'5:12 min/km' for a speed in m/s."""
    seconds = round(1000 / speed_mps) if speed_mps > 0 else 0
    return f"{seconds // 60}:{seconds % 60:02d} min/km"


def hills(runs: list[Activity], pain_start: date) -> Derived:
    """Metres climbed per km run in the last 4 weeks."""
    recent = _recent(runs, pain_start, RECENT_DAYS)
    total_km = sum(run.distance_km for run in recent)
    known = [run for run in recent if run.ascent_m is not None]
    known_km = sum(run.distance_km for run in known)
    if total_km <= 0 or known_km < 0.5 * total_km:
        return None
    rate = sum(run.ascent_m or 0.0 for run in known) / known_km
    words = f"{rate:.0f} m of climbing per km run over the last 4 weeks"
    if rate > HILLS_LOTS_M_PER_KM:
        return "lots", words
    if rate >= HILLS_SOME_M_PER_KM:
        return "some", words
    return "none", words


def experience(runs: list[Activity], first_day: date | None, pain_start: date) -> Derived:
    """New (first run under 6 months ago), returning (a 3-month break lately) or regular."""
    days = sorted({run.local_date for run in runs if run.local_date <= pain_start})
    if not days or first_day is None:
        return None
    six_months_ago = pain_start - timedelta(days=NEW_DAYS)
    if days[0] > six_months_ago:
        if first_day <= six_months_ago:
            return "new", f"your log goes back to {long_date(first_day)}; its first run is on {long_date(days[0])}"
        return None  # the log is too short to tell
    for before, after in zip(days, days[1:], strict=False):
        if (after - before).days >= GAP_DAYS and after > six_months_ago:
            return "returning", (f"no runs from {long_date(before)} to {long_date(after)} "
                                 f"({(after - before).days // 7} weeks)")
    return "regular", f"you have run since at least {long_date(days[0])} without a 3-month break lately"
