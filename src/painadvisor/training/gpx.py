"""GPX activities, read by the first of three readers that can take the file.

1. ``gpxplain``: one regular expression over a plain file's points (most files, fastest);
2. ElementTree ``iterparse``: any well-formed GPX 1.0/1.1 with ISO 8601 times;
3. gpxpy: the lenient reference, for times ``datetime.fromisoformat`` refuses or other namespaces.

All three total the points with ``track.add_segment``, so they agree.  A GPX file holds one
activity: its tracks and segments are added together (GPS loggers split one outing into
several tracks).  Routes and waypoints are plans, not activities.
"""

from __future__ import annotations

import io
import warnings
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from typing import Any

from painadvisor.training.gpxplain import NotPlain, TrackData, read_plain
from painadvisor.training.model import Activity, Sport, UnreadableFile, check_plausible, make_activity, one_line
from painadvisor.training.model import sport_from_words as _sport_from_words
from painadvisor.training.track import Segment, add_segment

GPX_NAMESPACES = frozenset({"", "http://www.topografix.com/GPX/1/0", "http://www.topografix.com/GPX/1/1"})
# Strava writes its own numeric activity types into <trk><type> (9 is a run).
STRAVA_TYPE_CODES: dict[str, Sport] = {"1": "cycling", "4": "walking", "9": "running", "10": "walking",
                                       "17": "cycling", "18": "cycling"}
MIN_TIMED_SHARE = 0.5  # at least half the points must carry a time


class _Walk:
    """What the ElementTree reader collects while it walks the file."""

    def __init__(self) -> None:
        self.track = TrackData()
        self.segment = Segment()


def read_gpx(data: bytes, source: str) -> list[Activity]:
    """Read one GPX file's bytes into (at most) one activity."""
    try:
        track = read_plain(data)
    except NotPlain:
        track = _read_any(data)
    return [_to_activity(track, source)]


def _read_any(data: bytes) -> TrackData:
    try:
        return tree_read(data)
    except NotPlain:
        return gpxpy_read(data)
    except ET.ParseError as error:
        raise UnreadableFile(f"not valid GPX/XML ({_parse_error_where(error)})") from None


def _parse_error_where(error: ET.ParseError) -> str:
    line, column = getattr(error, "position", (0, 0))
    return f"broken at line {line}, column {column}"


def _local(tag: str) -> tuple[str, str]:
    """Split '{namespace}name' into (namespace, name)."""
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return namespace, name
    return "", tag


def tree_read(data: bytes) -> TrackData:
    """Walk the XML once with ElementTree, keeping only track points, track names and types."""
    walk = _Walk()
    root_checked = False
    for event, element in ET.iterparse(io.BytesIO(data), events=("start", "end")):
        if not root_checked:
            namespace, name = _local(element.tag)
            if name != "gpx":
                raise UnreadableFile("not a GPX file")
            if namespace not in GPX_NAMESPACES:
                raise NotPlain()
            root_checked = True
            continue
        if event == "end":
            _on_end(walk, element)
    return walk.track


def _on_end(walk: _Walk, element: ET.Element) -> None:
    name = element.tag[element.tag.rfind("}") + 1:]
    if name == "trkpt":
        _add_point(walk.segment, element)
        element.clear()
    elif name == "trkseg":
        add_segment(walk.track.totals, walk.segment)
        walk.segment = Segment()
        element.clear()
    elif name == "trk":
        for child in element:
            child_name = child.tag[child.tag.rfind("}") + 1:]
            if child_name == "name" and child.text and child.text.strip():
                walk.track.names.append(child.text.strip())
            elif child_name == "type" and child.text and child.text.strip():
                walk.track.types.append(child.text.strip())
        element.clear()
    elif name in ("wpt", "rte"):
        element.clear()


def _add_point(segment: Segment, element: ET.Element) -> None:
    try:
        lat = float(element.attrib["lat"])
        lon = float(element.attrib["lon"])
    except (KeyError, ValueError):
        return  # a point without a position adds nothing
    elevation: float | None = None
    moment: datetime | None = None
    for child in element:
        name = child.tag[child.tag.rfind("}") + 1:]
        if name == "ele" and child.text:
            try:
                elevation = float(child.text)
            except ValueError:
                elevation = None
        elif name == "time" and child.text:
            try:
                moment = aware(datetime.fromisoformat(child.text.strip()))
            except ValueError:
                raise NotPlain() from None
    segment.lats.append(lat)
    segment.lons.append(lon)
    segment.eles.append(elevation)
    segment.times.append(moment)


def aware(moment: datetime) -> datetime:
    """A time without a zone is taken as UTC, so that times can always be compared."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def gpxpy_read(data: bytes) -> TrackData:
    """The slow, lenient path: let gpxpy parse, then total its points the same way."""
    import gpxpy  # imported here, to keep painadvisor's start fast
    import gpxpy.gpx

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            parsed: Any = gpxpy.parse(data.decode("utf-8", errors="replace"))
    except gpxpy.gpx.GPXException as error:
        raise UnreadableFile(f"not a readable GPX file ({one_line(error)})") from None
    track = TrackData()
    for gpx_track in parsed.tracks:
        if gpx_track.name:
            track.names.append(str(gpx_track.name).strip())
        if gpx_track.type:
            track.types.append(str(gpx_track.type).strip())
        for gpx_segment in gpx_track.segments:
            segment = Segment()
            for point in gpx_segment.points:
                segment.lats.append(point.latitude)
                segment.lons.append(point.longitude)
                segment.eles.append(point.elevation)
                segment.times.append(None if point.time is None else aware(point.time))
            add_segment(track.totals, segment)
    return track


def _to_activity(track: TrackData, source: str) -> Activity:
    totals = track.totals
    if totals.points == 0:
        raise UnreadableFile("it has no track points (only a route or waypoints?)")
    if totals.first_time is None or totals.last_time is None or totals.timed_points < MIN_TIMED_SHARE * totals.points:
        raise UnreadableFile(f"it has no times ({totals.timed_points} of {totals.points} points have one)")
    elapsed = (totals.last_time - totals.first_time).total_seconds()
    check_plausible(totals.first_time, elapsed)
    if elapsed <= 0:
        raise UnreadableFile("its times do not move on (every point has the same time)")
    speed = totals.timed_distance_m / totals.moving_s if totals.moving_s > 0 else None
    return make_activity(
        sport=_sport(track), start=totals.first_time, distance_m=totals.distance_m, duration_s=elapsed,
        moving_s=totals.moving_s or None, ascent_m=totals.ascent_m, avg_speed_mps=speed,
        name=track.names[0] if track.names else "", source=source,
    )


def _sport(track: TrackData) -> Sport:
    for kind in track.types:
        if kind in STRAVA_TYPE_CODES:
            return STRAVA_TYPE_CODES[kind]
        sport = _sport_from_words(kind)
        if sport != "other":
            return sport
    return _sport_from_words(track.names[0]) if track.names else "other"
