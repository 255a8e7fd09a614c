"""The same activity found in several files (a FIT and its Strava CSV row, say) counts once.

Two activities are the same when they start within ``SAME_START_S`` of each other, their
distances differ by at most ``SAME_DISTANCE_SHARE``, and their sports do not disagree.  The
copy from the richest format is kept, with what it lacks filled in from the other.
"""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import timedelta

from painadvisor.training.model import Activity

SAME_START_S = 120
SAME_DISTANCE_SHARE = 0.03
FORMAT_RANK = {".fit": 0, ".tcx": 1, ".gpx": 2, ".csv": 3}  # lower is richer


def merge_duplicates(activities: list[Activity]) -> list[Activity]:
    """Activities sorted by start, each real activity once."""
    kept: list[Activity] = []
    window = timedelta(seconds=SAME_START_S)
    for activity in sorted(activities, key=lambda item: (item.start, _rank(item))):
        index = _find_same(kept, activity, window)
        if index is None:
            kept.append(activity)
        else:
            kept[index] = _merge(kept[index], activity)
    return sorted(kept, key=lambda item: item.start)


def _rank(activity: Activity) -> int:
    name = activity.source.lower().removesuffix(".gz")
    return FORMAT_RANK.get(os.path.splitext(name)[1], len(FORMAT_RANK))


def _find_same(kept: list[Activity], activity: Activity, window: timedelta) -> int | None:
    for index in range(len(kept) - 1, -1, -1):
        other = kept[index]
        if activity.start - other.start > 2 * window:  # a merge may move a kept start by up to a window
            return None
        if is_same(other, activity):
            return index
    return None


def is_same(one: Activity, two: Activity) -> bool:
    """True when two records describe the same outing."""
    if abs((one.start - two.start).total_seconds()) > SAME_START_S:
        return False
    if one.sport != two.sport and "other" not in (one.sport, two.sport):
        return False
    longer = max(one.distance_km, two.distance_km)
    return abs(one.distance_km - two.distance_km) <= SAME_DISTANCE_SHARE * longer


def _merge(first: Activity, second: Activity) -> Activity:
    base, extra = (first, second) if _rank(first) <= _rank(second) else (second, first)
    offset = base.utc_offset_s if base.utc_offset_s is not None else extra.utc_offset_s
    local_date = base.local_date
    if base.utc_offset_s is None and offset is not None:
        local_date = (base.start + timedelta(seconds=offset)).date()
    return replace(
        base,
        sport=base.sport if base.sport != "other" else extra.sport,
        moving_s=base.moving_s if base.moving_s is not None else extra.moving_s,
        ascent_m=base.ascent_m if base.ascent_m is not None else extra.ascent_m,
        avg_speed_mps=base.avg_speed_mps if base.avg_speed_mps is not None else extra.avg_speed_mps,
        name=base.name or extra.name,
        utc_offset_s=offset,
        local_date=local_date,
    )
