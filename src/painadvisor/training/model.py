"""The records a training log is read into: activities, files read and files skipped."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Literal

Sport = Literal["running", "walking", "cycling", "other"]
SPORTS: tuple[Sport, ...] = ("running", "walking", "cycling", "other")


class UnreadableFile(Exception):
    """A reader gives up on one file; ``str(error)`` is the one-line reason shown to the runner."""


@dataclass(frozen=True)
class Activity:
    """One session from a training log.

    ``start`` is timezone-aware UTC.  ``local_date`` is the day the session started where it
    was recorded: from the file's own local time offset when it has one, else the UTC date.
    ``duration_s`` is elapsed time, start to finish; ``moving_s`` excludes pauses when the
    file tells them apart.  ``avg_speed_mps`` is distance over moving time.
    """

    sport: Sport
    start: datetime
    local_date: date
    distance_km: float
    duration_s: float
    moving_s: float | None = None
    ascent_m: float | None = None
    avg_speed_mps: float | None = None
    name: str = ""
    source: str = ""
    utc_offset_s: int | None = None

    @property
    def avg_speed_kmh(self) -> float | None:
        """Average speed in km/h, or None when it is not known."""
        return None if self.avg_speed_mps is None else self.avg_speed_mps * 3.6


@dataclass(frozen=True)
class FileRead:
    """A file that was read, with how many activities it held (before duplicates are merged)."""

    path: str
    activities: int


@dataclass(frozen=True)
class Skipped:
    """A file, or part of one, that was not used, with a one-line reason."""

    path: str
    reason: str


def make_activity(
    *,
    sport: Sport,
    start: datetime,
    distance_m: float,
    duration_s: float,
    moving_s: float | None = None,
    ascent_m: float | None = None,
    avg_speed_mps: float | None = None,
    name: str = "",
    source: str = "",
    utc_offset_s: int | None = None,
) -> Activity:
    """Build an activity from raw units, normalising the start to UTC and working out the local date."""
    start_utc = as_utc(start)
    if utc_offset_s is None and start.tzinfo is not None:
        utc_offset_s = _known_offset(start)
    local = start_utc + timedelta(seconds=utc_offset_s or 0)
    if avg_speed_mps is None:
        seconds = moving_s or duration_s
        avg_speed_mps = distance_m / seconds if seconds and seconds > 0 and distance_m > 0 else None
    return Activity(
        sport=sport, start=start_utc, local_date=local.date(), distance_km=distance_m / 1000.0,
        duration_s=float(duration_s), moving_s=moving_s, ascent_m=ascent_m, avg_speed_mps=avg_speed_mps,
        name=name.strip()[:200], source=source, utc_offset_s=utc_offset_s,
    )


def as_utc(moment: datetime) -> datetime:
    """A naive time is taken as UTC; an aware one is converted to UTC."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _known_offset(moment: datetime) -> int | None:
    """The offset of an aware time, or None when it is plain UTC (which says nothing of local time)."""
    offset = moment.utcoffset()
    if offset is None or offset == timedelta(0):
        return None
    return int(offset.total_seconds())


def check_plausible(start: datetime, duration_s: float) -> None:
    """Refuse times no real activity has: before 1990, far in the future, or spanning days."""
    start_utc = as_utc(start)
    if start_utc.year < 1990:
        raise UnreadableFile(f"its times are implausible (starts {start_utc.date().isoformat()})")
    if start_utc > datetime.now(UTC) + timedelta(days=2):
        raise UnreadableFile(f"its times are in the future (starts {start_utc.date().isoformat()})")
    if duration_s > 2 * 86400:
        days = duration_s / 86400
        raise UnreadableFile(f"it spans {days:.0f} days; it looks like several activities in one file")


def sport_from_words(text: str) -> Sport:
    """Map a free-text sport or activity type ('Run', 'Trail Run', 'biking', 'hike') to a sport."""
    words = text.strip().lower().replace("_", " ").replace("-", " ")
    if not words:
        return "other"
    if any(key in words for key in ("run", "jog")):
        return "running"
    if any(key in words for key in ("walk", "hik", "trek")):
        return "walking"
    if any(key in words for key in ("ride", "cycl", "bik", "bicycl")):
        return "cycling"
    return "other"


def one_line(error: BaseException) -> str:
    """An exception's message as one short line, for the reason a file was skipped."""
    text = " ".join(str(error).split())
    return text[:120] or type(error).__name__
