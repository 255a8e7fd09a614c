"""Distance, climbing and moving time from a list of track points (GPX and TCX).

The distance formula and the elevation smoothing are gpxpy's (``gpxpy.geo``), so that the fast
reader agrees with gpxpy, which the benchmark keeps as its reference.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

EARTH_RADIUS_M = 6378137.0
ONE_DEGREE_M = 2 * math.pi * EARTH_RADIUS_M / 360
MOVING_SPEED_MPS = 1 / 3.6  # gpxpy's default: slower than 1 km/h counts as stopped
ASCENT_HYSTERESIS_M = 2.0  # rises smaller than this (after smoothing) are GPS noise


@dataclass
class Segment:
    """The points of one track segment, as parallel lists."""

    lats: list[float] = field(default_factory=list)
    lons: list[float] = field(default_factory=list)
    eles: list[float | None] = field(default_factory=list)
    times: list[datetime | None] = field(default_factory=list)


@dataclass
class TrackTotals:
    """What a set of segments adds up to."""

    distance_m: float = 0.0
    ascent_m: float | None = None
    first_time: datetime | None = None
    last_time: datetime | None = None
    moving_s: float = 0.0
    timed_distance_m: float = 0.0
    points: int = 0
    timed_points: int = 0


def _haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    d_lat = math.radians(lat2 - lat1)
    d_lon = math.radians(lon2 - lon1)
    a = (math.sin(d_lat / 2) ** 2
         + math.cos(math.radians(lat1)) * math.cos(math.radians(lat2)) * math.sin(d_lon / 2) ** 2)
    return EARTH_RADIUS_M * 2 * math.atan2(math.sqrt(a), math.sqrt(1 - a))


def ascent_m(elevations: Sequence[float | None]) -> float | None:
    """Metres climbed: gpxpy's 0.3/0.4/0.3 smoothing, then rises counted past a small hysteresis."""
    known = [e for e in elevations if e is not None]
    if len(known) < 2:
        return None
    smooth = [known[0]]
    smooth.extend(0.3 * known[i - 1] + 0.4 * known[i] + 0.3 * known[i + 1] for i in range(1, len(known) - 1))
    smooth.append(known[-1])
    climbed = 0.0
    low = high = smooth[0]
    for height in smooth[1:]:
        if height > high:
            high = height
        elif height < high - ASCENT_HYSTERESIS_M:
            climbed += high - low
            low = high = height
        if height < low:
            low = high = height
    return climbed + (high - low)


def step_distances_m(lats: Sequence[float], lons: Sequence[float]) -> list[float]:
    """Metres between consecutive points: gpxpy's flat approximation, haversine when points are far apart."""
    cos, radians, sqrt, degree = math.cos, math.radians, math.sqrt, ONE_DEGREE_M
    return [
        sqrt((x := a - c) * x + (y := (b - d) * cos(radians(a))) * y) * degree
        if -0.2 <= a - c <= 0.2 and -0.2 <= b - d <= 0.2 else _haversine_m(a, b, c, d)
        for a, b, c, d in zip(lats, lons, lats[1:], lons[1:], strict=False)
    ]


def add_segment(totals: TrackTotals, segment: Segment) -> None:
    """Add one segment's distance, climbing, timing and points to the running totals."""
    climbed = ascent_m(segment.eles)
    if climbed is not None:
        totals.ascent_m = (totals.ascent_m or 0.0) + climbed
    steps = step_distances_m(segment.lats, segment.lons)
    totals.points += len(segment.lats)
    totals.distance_m += sum(steps)
    times = segment.times
    timed = [moment for moment in times if moment is not None]
    if timed:
        totals.timed_points += len(timed)
        first, last = min(timed), max(timed)
        totals.first_time = first if totals.first_time is None else min(first, totals.first_time)
        totals.last_time = last if totals.last_time is None else max(last, totals.last_time)
    pairs = [(step, (after - before).total_seconds())
             for step, before, after in zip(steps, times, times[1:], strict=False)
             if before is not None and after is not None and after > before]
    totals.timed_distance_m += sum(step for step, _ in pairs)
    totals.moving_s += sum(seconds for step, seconds in pairs if step > MOVING_SPEED_MPS * seconds)
