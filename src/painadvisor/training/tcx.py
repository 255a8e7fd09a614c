"""TCX (Garmin Training Center XML) activities, read with the standard library's ElementTree.

Each ``<Activity Sport="Running|Biking|Other">`` is one activity.  Its laps give the start
(``StartTime``), moving time (``TotalTimeSeconds``) and distance (``DistanceMeters``); its
trackpoints give the elapsed time and the climbing (``AltitudeMeters``).
"""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime

from painadvisor.training.model import Activity, Sport, UnreadableFile, check_plausible, make_activity
from painadvisor.training.model import sport_from_words as _sport_from_words
from painadvisor.training.track import ascent_m


@dataclass
class _Activity:
    """What one ``<Activity>`` element adds up to."""

    sport: str = ""
    activity_id: str = ""
    lap_starts: list[datetime] = field(default_factory=list)
    lap_seconds: float = 0.0
    lap_metres: float = 0.0
    point_times: list[datetime] = field(default_factory=list)
    point_metres: list[float] = field(default_factory=list)
    altitudes: list[float | None] = field(default_factory=list)
    notes: str = ""


def read_tcx(data: bytes, source: str) -> list[Activity]:
    """Read one TCX file's bytes into its activities."""
    try:
        found = _walk(data)
    except ET.ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        raise UnreadableFile(f"not valid TCX/XML (broken at line {line}, column {column})") from None
    if not found:
        raise UnreadableFile("not an activity (a TCX file with no <Activity>)")
    return [_to_activity(item, source) for item in found]


def _name(tag: str) -> str:
    return tag[tag.rfind("}") + 1:]


def _walk(data: bytes) -> list[_Activity]:
    found: list[_Activity] = []
    current = _Activity()
    first = True
    for event, element in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        name = _name(element.tag)
        if first:
            if name != "TrainingCenterDatabase":
                raise UnreadableFile("not a TCX file")
            first = False
        if event == "start":
            if name == "Activity":
                current = _Activity(sport=element.get("Sport", ""))
            elif name == "Lap":
                _add_lap_start(current, element.get("StartTime", ""))
            continue
        if name == "Trackpoint":
            _add_point(current, element)
            element.clear()
        elif name == "Lap":
            _add_lap_totals(current, element)
            element.clear()
        elif name == "Id" and not current.activity_id:
            current.activity_id = (element.text or "").strip()
        elif name == "Notes":
            current.notes = (element.text or "").strip()
        elif name == "Activity":
            found.append(current)
            element.clear()
    return found


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text else None
    except ValueError:
        return None


def _add_lap_start(current: _Activity, text: str) -> None:
    moment = _time(text)
    if moment is not None:
        current.lap_starts.append(moment)


def _add_lap_totals(current: _Activity, lap: ET.Element) -> None:
    """Add a lap's own totals (its direct children, not its trackpoints')."""
    for child in lap:
        name = _name(child.tag)
        if name == "TotalTimeSeconds":
            current.lap_seconds += _float(child.text) or 0.0
        elif name == "DistanceMeters":
            current.lap_metres += _float(child.text) or 0.0


def _add_point(current: _Activity, point: ET.Element) -> None:
    moment: datetime | None = None
    metres: float | None = None
    altitude: float | None = None
    for child in point:
        name = _name(child.tag)
        if name == "Time":
            moment = _time(child.text)
        elif name == "DistanceMeters":
            metres = _float(child.text)
        elif name == "AltitudeMeters":
            altitude = _float(child.text)
    if moment is not None:
        current.point_times.append(moment)
    if metres is not None:
        current.point_metres.append(metres)
    current.altitudes.append(altitude)


def _sport(text: str) -> Sport:
    return "cycling" if text.strip().lower() == "biking" else _sport_from_words(text)


def _to_activity(item: _Activity, source: str) -> Activity:
    starts = item.lap_starts + item.point_times
    start = min(starts) if starts else _time(item.activity_id)
    if start is None:
        raise UnreadableFile("its activity has no start time")
    end = max(item.point_times) if item.point_times else None
    elapsed = (end - start).total_seconds() if end is not None else item.lap_seconds
    elapsed = max(elapsed, item.lap_seconds)
    check_plausible(start, elapsed)
    distance = item.lap_metres or (max(item.point_metres) if item.point_metres else 0.0)
    return make_activity(
        sport=_sport(item.sport), start=start, distance_m=distance, duration_s=elapsed,
        moving_s=item.lap_seconds or None, ascent_m=ascent_m(item.altitudes), name=item.notes, source=source,
    )
