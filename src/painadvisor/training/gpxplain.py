"""The fast reader for plain GPX, the kind watches and apps write.

Plain means: UTF-8, the GPX 1.0 or 1.1 namespace as the default (no prefixes), no comments,
CDATA or DOCTYPE, and every ``<trkpt>`` matched by one regular expression.  The GPX schema
fixes the order of a point's children (``ele`` first, then ``time``), which is what lets one
expression take them.  The file is still checked to be well-formed XML, by expat alone (no
tree is built).  Anything else raises ``NotPlain`` and goes to the ElementTree reader.
"""

from __future__ import annotations

import html
import re
import xml.parsers.expat
from dataclasses import dataclass, field
from datetime import UTC, datetime

from painadvisor.training.model import UnreadableFile
from painadvisor.training.track import Segment, TrackTotals, add_segment

GPX_NAMESPACES = (b"http://www.topografix.com/GPX/1/0", b"http://www.topografix.com/GPX/1/1")
NOT_PLAIN_MARKS = (b"<!", b":trk")  # comments, CDATA or DOCTYPE; prefixed track elements
_VALUE = r"""\s*=\s*["']([^"'<]*)["']"""
POINT = re.compile(
    rf"<trkpt\s+(lat|lon){_VALUE}\s+(lat|lon){_VALUE}\s*(?:/>|>\s*(?:<ele>([^<]*)</ele>\s*)?(?:<time>([^<]*)</time>)?)"
)
ENCODING = re.compile(r"""^<\?xml[^>]*encoding\s*=\s*["']([^"']+)["']""")
TRACK_NAME = re.compile(r"<name>([^<]*)</name>")
TRACK_TYPE = re.compile(r"<type>([^<]*)</type>")
LINK = re.compile(r"<link\b.*?</link>", re.DOTALL)


class NotPlain(Exception):
    """This reader cannot take the file; a more general one will."""


@dataclass
class TrackData:
    """What a GPX reader collects: totals over every segment, and the tracks' names and types."""

    totals: TrackTotals = field(default_factory=TrackTotals)
    names: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)


def read_plain(data: bytes) -> TrackData:
    """Read a plain GPX file, or raise NotPlain (or UnreadableFile when it is not well-formed XML)."""
    text = _plain_text(data)
    _check_well_formed(data)
    track = TrackData()
    for chunk in text.split("<trk>")[1:]:
        _read_track(chunk, track)
    if track.totals.points != text.count("<trkpt"):
        raise NotPlain()
    return track


def _plain_text(data: bytes) -> str:
    head = data[:2000]
    if not any(b'xmlns="' + namespace + b'"' in head for namespace in GPX_NAMESPACES):
        raise NotPlain()
    if any(mark in data for mark in NOT_PLAIN_MARKS):
        raise NotPlain()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotPlain() from None
    declared = ENCODING.match(text)
    if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
        raise NotPlain()
    return text


def _check_well_formed(data: bytes) -> None:
    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(data, True)
    except xml.parsers.expat.ExpatError as error:
        raise UnreadableFile(f"not valid GPX/XML (broken at line {error.lineno}, column {error.offset})") from None


def _read_track(chunk: str, track: TrackData) -> None:
    """One ``<trk>``: its name and type (before its first segment), then each segment."""
    end = chunk.find("</trk>")
    body = chunk if end < 0 else chunk[:end]
    parts = body.split("<trkseg")
    header = LINK.sub("", parts[0])
    for pattern, found in ((TRACK_NAME, track.names), (TRACK_TYPE, track.types)):
        match = pattern.search(header)
        if match and match.group(1).strip():
            found.append(html.unescape(match.group(1)).strip())
    for part in parts[1:]:
        add_segment(track.totals, _segment(part))


def _segment(part: str) -> Segment:
    matches = POINT.findall(part)
    try:
        lats = [float(m[1]) if m[0] == "lat" else float(m[3]) for m in matches]
        lons = [float(m[3]) if m[0] == "lat" else float(m[1]) for m in matches]
        eles = [float(m[4]) if m[4] else None for m in matches]
        times = [_time(m[5]) if m[5] else None for m in matches]
    except ValueError:
        raise NotPlain() from None
    if any(m[0] == m[2] for m in matches):
        raise NotPlain()
    # every <ele> and <time> of the segment must be a point's own, in the schema's order
    if part.count("<ele>") != len(eles) - eles.count(None) or part.count("<time>") != len(times) - times.count(None):
        raise NotPlain()
    return Segment(lats, lons, eles, times)


def _time(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
