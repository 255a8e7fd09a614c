#!/usr/bin/env python3
"""Reading a training log: painadvisor's ``read_activities`` against a bare gpxpy parse, side by side.

Writes a folder of GPX activities (``--files``, default 1,000) in a temporary folder, shaped
like a watch's export: GPX 1.1, one track, a point every ``--interval`` seconds (default 2)
for 20 to 70 minutes, with elevation, heart rate and cadence extensions.  Then, for
``--rounds`` rounds (default 3), it times

  A. ``read_activities(folder)`` (finding, reading, totalling, merging duplicates), and
  B. ``gpxpy.parse`` of every file, read from disk (parsing only, no totals),

alternating A, B, A, B, and prints the medians and their ratio.  The target is A under 10 s
for 1,000 files.

    python benchmarks/bench_training.py [--files 1000] [--rounds 3] [--interval 2]
"""

from __future__ import annotations

import argparse
import math
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "src"))

from painadvisor.training import read_activities  # noqa: E402

HEADER = ('<?xml version="1.0" encoding="UTF-8"?>\n'
          '<gpx creator="bench" version="1.1" xmlns="http://www.topografix.com/GPX/1/1" '
          'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">\n'
          ' <metadata><time>{start}</time></metadata>\n <trk>\n  <name>Morning Run</name>\n'
          '  <type>running</type>\n  <trkseg>\n')
POINT = ('   <trkpt lat="{lat:.7f}" lon="{lon:.7f}">\n    <ele>{ele:.1f}</ele>\n    <time>{time}</time>\n'
         '    <extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>'
         '<gpxtpx:cad>{cad}</gpxtpx:cad></gpxtpx:TrackPointExtension></extensions>\n   </trkpt>\n')
FOOTER = "  </trkseg>\n </trk>\n</gpx>\n"


def write_activity(path: Path, start: datetime, minutes: int, interval_s: int, rng: random.Random) -> int:
    """One run on a loop with a hill; returns the number of points written."""
    points = minutes * 60 // interval_s
    speed = rng.uniform(2.6, 3.6)  # m/s
    radius_deg = 0.01
    parts = [HEADER.format(start=_stamp(start))]
    for i in range(points):
        angle = i * interval_s * speed / 1100.0
        parts.append(POINT.format(
            lat=46.05 + radius_deg * math.sin(angle) + rng.gauss(0, 0.00001),
            lon=14.50 + radius_deg * 1.4 * math.cos(angle) + rng.gauss(0, 0.00001),
            ele=300 + 40 * math.sin(angle * 2) + rng.gauss(0, 0.5),
            time=_stamp(start + timedelta(seconds=i * interval_s)), hr=140 + i % 20, cad=85 + i % 5))
    parts.append(FOOTER)
    path.write_text("".join(parts), encoding="utf-8")
    return points


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def make_folder(folder: Path, files: int, interval_s: int) -> tuple[int, int]:
    """The activities, a day or two apart; returns (points, bytes) written."""
    rng = random.Random(16)
    start = datetime(2022, 1, 1, 6, 30, tzinfo=UTC)
    points = 0
    for n in range(files):
        start += timedelta(days=rng.choice((1, 1, 2)), minutes=rng.randint(-30, 30))
        points += write_activity(folder / f"{n:05d}.gpx", start, rng.randint(20, 70), interval_s, rng)
    size = sum(path.stat().st_size for path in folder.iterdir())
    return points, size


def bare_gpxpy(folder: Path) -> int:
    """The reference: gpxpy.parse on every file, nothing more."""
    import gpxpy

    count = 0
    for path in sorted(folder.glob("*.gpx")):
        with path.open(encoding="utf-8") as handle:
            gpxpy.parse(handle)
        count += 1
    return count


def ours(folder: Path) -> int:
    activities, files, skipped = read_activities(folder)
    if skipped:
        raise SystemExit(f"unexpected skipped files: {skipped[:3]}")
    return len(activities)


def timed(run: Callable[[Path], int], folder: Path) -> float:
    start = time.perf_counter()
    run(folder)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--interval", type=int, default=2, help="seconds between track points")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-training-") as name:
        folder = Path(name)
        points, size = make_folder(folder, args.files, args.interval)
        print(f"{args.files} GPX files, {points:,} points ({points // args.files:,} a file), {size / 2**20:.0f} MiB")
        if ours(folder) != args.files or bare_gpxpy(folder) != args.files:  # also warms the file cache
            raise SystemExit("not every file was read")
        runs_a, runs_b = [], []
        for _ in range(args.rounds):
            runs_a.append(timed(ours, folder))
            runs_b.append(timed(bare_gpxpy, folder))
        median_a, median_b = statistics.median(runs_a), statistics.median(runs_b)
        print(f"read_activities: median {median_a:.2f} s ({1000 * median_a / args.files:.1f} ms a file)")
        print(f"gpxpy.parse only: median {median_b:.2f} s ({1000 * median_b / args.files:.1f} ms a file)")
        print(f"ratio read_activities / gpxpy: {median_a / median_b:.2f}; target < 10 s for 1,000 files: "
              f"{'met' if median_a * 1000 / args.files < 10 else 'NOT met'}")


if __name__ == "__main__":
    main()
