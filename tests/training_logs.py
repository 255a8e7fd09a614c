"""Writers for synthetic training logs: GPX files (with gpxpy), TCX files and Strava's activities.csv."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path

import gpxpy.gpx

ONE_DEGREE_M = 2 * 3.141592653589793 * 6378137.0 / 360  # gpxpy's metres per degree of latitude
BASE_LAT, BASE_LON = 46.05, 14.50

# The columns of a real Strava bulk export, in its order, repeats included (abridged at the end).
STRAVA_HEADER = [
    "Activity ID", "Activity Date", "Activity Name", "Activity Type", "Activity Description", "Elapsed Time",
    "Distance", "Max Heart Rate", "Relative Effort", "Commute", "Activity Private Note", "Activity Gear",
    "Filename", "Athlete Weight", "Bike Weight", "Elapsed Time", "Moving Time", "Distance", "Max Speed",
    "Average Speed", "Elevation Gain", "Elevation Loss", "Elevation Low", "Elevation High",
]


@dataclass(frozen=True)
class Outing:
    """One synthetic activity."""

    start: datetime  # aware
    km: float
    minutes: float
    sport: str = "running"  # the GPX <type> / Strava "Activity Type" words
    name: str = "Morning Run"
    climb_m: float = 0.0


def at(day: date, hour: int = 7, minute: int = 0, utc_offset_h: float = 0.0) -> datetime:
    """An aware start time on ``day`` at a local hour, in a fixed UTC offset."""
    zone = UTC if utc_offset_h == 0 else timezone(timedelta(hours=utc_offset_h))
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def hill(climb_m: float, i: int, points: int) -> float:
    """Height above the start of point ``i``: one climb to the half-way point and back down."""
    return climb_m * (1 - abs(2 * i / (points - 1) - 1))


def write_gpx(path: Path, outing: Outing, points: int = 40) -> Path:
    """A straight track due north, evenly timed, climbing ``climb_m`` to half-way and back down."""
    gpx = gpxpy.gpx.GPX()
    track = gpxpy.gpx.GPXTrack(name=outing.name)
    track.type = outing.sport
    gpx.tracks.append(track)
    segment = gpxpy.gpx.GPXTrackSegment()
    track.segments.append(segment)
    step_deg = outing.km * 1000 / ONE_DEGREE_M / (points - 1)
    step_s = outing.minutes * 60 / (points - 1)
    for i in range(points):
        elevation = 300.0 + hill(outing.climb_m, i, points)
        segment.points.append(gpxpy.gpx.GPXTrackPoint(
            BASE_LAT + i * step_deg, BASE_LON, elevation=elevation, time=outing.start + timedelta(seconds=i * step_s)))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(gpx.to_xml(), encoding="utf-8")
    return path


def write_history(folder: Path, outings: list[Outing]) -> list[Path]:
    """One GPX file per outing, named by its start."""
    return [write_gpx(folder / f"{o.start:%Y%m%d-%H%M}-{i}.gpx", o) for i, o in enumerate(outings)]


def strava_row(outing: Outing, activity_id: int, km_text: str | None = None) -> list[str]:
    """A row as Strava writes it: UTC date like 'Nov 9, 2025, 7:01:12 AM', km then metres."""
    start = outing.start.astimezone(UTC)
    stamp = f"{start:%b} {start.day}, {start.year}, {int(start.strftime('%I'))}:{start:%M:%S} {start:%p}"
    seconds = f"{outing.minutes * 60:.0f}"
    kind = {"running": "Run", "walking": "Walk", "cycling": "Ride"}.get(outing.sport, outing.sport)
    values = {
        "Activity ID": str(activity_id), "Activity Date": stamp, "Activity Name": outing.name,
        "Activity Type": kind, "Elapsed Time": seconds, "Moving Time": seconds,
        "Elevation Gain": f"{outing.climb_m:.1f}", "Filename": f"activities/{activity_id}.fit.gz",
    }
    row = [values.get(name, "") for name in STRAVA_HEADER]
    distance_columns = [i for i, name in enumerate(STRAVA_HEADER) if name == "Distance"]
    row[distance_columns[0]] = km_text if km_text is not None else f"{outing.km:,.2f}"
    row[distance_columns[1]] = "" if km_text is not None else f"{outing.km * 1000:.1f}"
    return row


def write_strava_csv(path: Path, outings: list[Outing], km_texts: list[str] | None = None) -> Path:
    """An activities.csv in Strava's layout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(STRAVA_HEADER)
        for i, outing in enumerate(outings):
            writer.writerow(strava_row(outing, 1000 + i, km_texts[i] if km_texts else None))
    return path


def write_tcx(path: Path, outing: Outing, sport: str = "Running", points: int = 20) -> Path:
    """A one-lap TCX activity."""
    start = outing.start.astimezone(UTC)
    step_s = outing.minutes * 60 / (points - 1)
    step_m = outing.km * 1000 / (points - 1)
    trackpoints = "".join(
        f"<Trackpoint><Time>{(start + timedelta(seconds=i * step_s)).isoformat().replace('+00:00', 'Z')}</Time>"
        f"<AltitudeMeters>{100 + hill(outing.climb_m, i, points):.2f}</AltitudeMeters>"
        f"<DistanceMeters>{i * step_m:.1f}</DistanceMeters></Trackpoint>"
        for i in range(points)
    )
    stamp = start.isoformat().replace("+00:00", "Z")
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{stamp}</Id><Lap StartTime="{stamp}">'
        f"<TotalTimeSeconds>{outing.minutes * 60:.1f}</TotalTimeSeconds>"
        f"<DistanceMeters>{outing.km * 1000:.1f}</DistanceMeters><Track>{trackpoints}</Track></Lap>"
        f"<Notes>{outing.name}</Notes></Activity></Activities></TrainingCenterDatabase>",
        encoding="utf-8",
    )
    return path
