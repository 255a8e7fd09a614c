"""Strava's bulk-export ``activities.csv``.

Strava's columns repeat: the first "Distance" is in km (written like ``1,234.56`` or, in
some locales, ``10,02``), a later "Distance" is in metres; the first "Elapsed Time" and
"Moving Time" are seconds.  "Activity Date" is UTC, written like ``Nov 9, 2025, 7:01:12 AM``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from painadvisor.training.model import Activity, Sport, UnreadableFile, check_plausible, make_activity
from painadvisor.training.model import sport_from_words as _sport_from_words

DATE_FORMATS = ("%b %d, %Y, %I:%M:%S %p", "%b %d, %Y %I:%M:%S %p", "%d %b %Y, %H:%M:%S", "%Y-%m-%d %H:%M:%S")
REQUIRED = ("Activity Date", "Activity Type")


class BadRow(Exception):
    """One row cannot be used; the message says why."""


@dataclass(frozen=True)
class Columns:
    """Where each needed value is, by position (the header repeats names)."""

    date: int
    kind: int
    name: int | None
    elapsed: int | None
    moving: int | None
    km: int | None
    metres: int | None
    ascent: int | None


def read_strava_csv(data: bytes, source: str) -> tuple[list[Activity], list[str]]:
    """Read activities.csv; returns the activities and a note for each row that could not be used."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnreadableFile(f"not UTF-8 text (bad byte at position {error.start})") from None
    try:
        return _read_rows(csv.reader(io.StringIO(text, newline="")), source)
    except csv.Error as error:
        raise UnreadableFile(f"not a readable CSV file ({error})") from None


def _read_rows(rows: Iterator[list[str]], source: str) -> tuple[list[Activity], list[str]]:
    header = next(rows, None)
    if header is None:
        raise UnreadableFile("an empty CSV file")
    columns = _columns(header)
    activities: list[Activity] = []
    problems: list[str] = []
    for number, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue
        try:
            activities.append(_row(row, columns, source))
        except (BadRow, UnreadableFile) as error:
            problems.append(f"row {number}: {error}")
    return activities, problems


def _columns(header: list[str]) -> Columns:
    names = [cell.strip() for cell in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        raise UnreadableFile(f"not a Strava activities.csv (no '{missing[0]}' column)")
    distances = [i for i, name in enumerate(names) if name == "Distance"]

    def first(name: str) -> int | None:
        return names.index(name) if name in names else None

    return Columns(
        date=names.index("Activity Date"), kind=names.index("Activity Type"), name=first("Activity Name"),
        elapsed=first("Elapsed Time"), moving=first("Moving Time"),
        km=distances[0] if distances else None, metres=distances[1] if len(distances) > 1 else None,
        ascent=first("Elevation Gain"),
    )


def _cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None and index < len(row) else ""


def parse_number(text: str) -> float | None:
    """A number as Strava writes it: '1,234.56' (comma for thousands) or '10,02' (decimal comma)."""
    text = text.strip().replace("\u00a0", "").replace(" ", "")
    if not text:
        return None
    if "." in text:
        text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None


def parse_date(text: str) -> datetime:
    """Strava's 'Activity Date' (UTC) as an aware datetime."""
    text = text.strip()
    for layout in DATE_FORMATS:
        try:
            return datetime.strptime(text, layout).replace(tzinfo=UTC)
        except ValueError:
            continue
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise BadRow(f"unknown date '{text[:40]}'") from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _distance_m(row: list[str], columns: Columns) -> float:
    metres = parse_number(_cell(row, columns.metres))
    if metres is not None and metres >= 0:
        return metres
    km = parse_number(_cell(row, columns.km))
    if km is not None and km >= 0:
        return km * 1000.0
    raise BadRow("no distance")


def _row(row: list[str], columns: Columns, source: str) -> Activity:
    start = parse_date(_cell(row, columns.date))
    elapsed = parse_number(_cell(row, columns.elapsed))
    moving = parse_number(_cell(row, columns.moving))
    duration = elapsed if elapsed is not None and elapsed > 0 else moving
    if duration is None or duration <= 0:
        raise BadRow("no elapsed or moving time")
    check_plausible(start, duration)
    sport: Sport = _sport_from_words(_cell(row, columns.kind))
    return make_activity(
        sport=sport, start=start, distance_m=_distance_m(row, columns), duration_s=duration,
        moving_s=moving if moving and moving > 0 else None, ascent_m=parse_number(_cell(row, columns.ascent)),
        name=_cell(row, columns.name), source=source,
    )
