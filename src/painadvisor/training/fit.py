"""FIT activities, read with fitdecode (imported only when a FIT file is read).

Each session in an activity file is one activity (a triathlon file has several).  A file that
fitdecode cannot read to its end (a damaged header, a truncated file, a message it cannot
decode) is skipped as a whole: its totals may be wrong, and the runner is told why.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from painadvisor.training.model import Activity, Sport, UnreadableFile, check_plausible, make_activity, one_line
from painadvisor.training.track import ascent_m

FIT_SPORTS: dict[str, Sport] = {
    "running": "running", "walking": "walking", "hiking": "walking",
    "cycling": "cycling", "e_biking": "cycling",
}


@dataclass
class _FitContent:
    """The few messages an activity summary needs."""

    file_type: str | None = None
    sessions: list[dict[str, Any]] = field(default_factory=list)
    sport: str | None = None
    utc_offset_s: int | None = None
    record_times: list[datetime] = field(default_factory=list)
    record_distances: list[float] = field(default_factory=list)
    record_altitudes: list[float | None] = field(default_factory=list)


def read_fit(data: bytes, source: str) -> list[Activity]:
    """Read one FIT file's bytes into its activities."""
    content = _decode(data)
    if content.file_type not in (None, "activity"):
        raise UnreadableFile(f"not an activity (a FIT {content.file_type} file)")
    if content.sessions:
        activities = [_from_session(session, content, source) for session in content.sessions]
    elif content.record_times:
        activities = [_from_records(content, source)]
    else:
        raise UnreadableFile("not an activity (a FIT file with no sessions or records)")
    return activities


def _decode(data: bytes) -> _FitContent:
    import fitdecode  # type: ignore[import-untyped]  # imported here, to keep painadvisor's start fast

    content = _FitContent()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
                for frame in reader:
                    if isinstance(frame, fitdecode.FitDataMessage):
                        _take(content, frame)
    except fitdecode.FitHeaderError as error:
        raise UnreadableFile(f"damaged FIT file: bad header ({one_line(error)})") from None
    except fitdecode.FitEOFError as error:
        raise UnreadableFile(f"truncated FIT file: it ends early ({one_line(error)})") from None
    except fitdecode.FitCRCError as error:
        raise UnreadableFile(f"damaged FIT file: checksum mismatch ({one_line(error)})") from None
    except fitdecode.FitError as error:
        raise UnreadableFile(f"damaged FIT file: {one_line(error)}") from None
    return content


def _take(content: _FitContent, frame: Any) -> None:
    """Keep what a summary needs from one data message."""
    name = frame.name
    if name == "record":
        _take_record(content, frame)
    elif name == "session":
        content.sessions.append({field.name: field.value for field in frame.fields})
    elif name == "file_id":
        kind = frame.get_value("type", fallback=None)
        content.file_type = str(kind) if kind is not None else None
    elif name == "sport" and content.sport is None:
        content.sport = _text(frame.get_value("sport", fallback=None))
    elif name == "activity":
        content.utc_offset_s = _offset(frame.get_value("timestamp", fallback=None),
                                       frame.get_value("local_timestamp", fallback=None))


def _take_record(content: _FitContent, frame: Any) -> None:
    moment = frame.get_value("timestamp", fallback=None)
    if not isinstance(moment, datetime):
        return
    content.record_times.append(moment)
    distance = frame.get_value("distance", fallback=None)
    if isinstance(distance, int | float):
        content.record_distances.append(float(distance))
    altitude = frame.get_value("enhanced_altitude", fallback=None)
    if altitude is None:
        altitude = frame.get_value("altitude", fallback=None)
    content.record_altitudes.append(float(altitude) if isinstance(altitude, int | float) else None)


def _text(value: object) -> str | None:
    return None if value is None else str(value)


def _offset(utc: object, local: object) -> int | None:
    """The local time offset, from the activity message's timestamp and local_timestamp (15-minute steps)."""
    if not isinstance(utc, datetime) or not isinstance(local, datetime):
        return None
    seconds = (local.replace(tzinfo=None) - utc.replace(tzinfo=None)).total_seconds()
    if abs(seconds) > 14 * 3600:
        return None
    return int(round(seconds / 900) * 900)


def _sport(value: object, fallback: str | None) -> Sport:
    name = _text(value) or fallback or ""
    return FIT_SPORTS.get(name, "other")


def _number(session: dict[str, Any], *names: str) -> float | None:
    for name in names:
        value = session.get(name)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None


def _from_session(session: dict[str, Any], content: _FitContent, source: str) -> Activity:
    start = session.get("start_time")
    if not isinstance(start, datetime):
        start = content.record_times[0] if content.record_times else None
    if start is None:
        raise UnreadableFile("its session has no start time")
    elapsed = _number(session, "total_elapsed_time", "total_timer_time") or 0.0
    check_plausible(start, elapsed)
    moving = _number(session, "total_timer_time")
    distance = _number(session, "total_distance")
    if distance is None:
        distance = content.record_distances[-1] if content.record_distances else 0.0
    ascent = _number(session, "total_ascent")
    if ascent is None:
        ascent = ascent_m(_altitudes_between(content, start, elapsed))
    return make_activity(
        sport=_sport(session.get("sport"), content.sport), start=start, distance_m=distance, duration_s=elapsed,
        moving_s=moving, ascent_m=ascent, avg_speed_mps=_number(session, "enhanced_avg_speed", "avg_speed"),
        source=source, utc_offset_s=content.utc_offset_s,
    )


def _altitudes_between(content: _FitContent, start: datetime, elapsed: float) -> list[float | None]:
    end = start + timedelta(seconds=elapsed)
    return [alt for moment, alt in zip(content.record_times, content.record_altitudes, strict=True)
            if start <= moment <= end]


def _from_records(content: _FitContent, source: str) -> Activity:
    """An activity file without a session message: total its records."""
    start, end = content.record_times[0], content.record_times[-1]
    elapsed = (end - start).total_seconds()
    check_plausible(start, elapsed)
    distance = content.record_distances[-1] if content.record_distances else 0.0
    return make_activity(
        sport=_sport(None, content.sport), start=start, distance_m=distance, duration_s=elapsed,
        ascent_m=ascent_m(content.record_altitudes), source=source, utc_offset_s=content.utc_offset_s,
    )
