"""The training-log reader and summary: real files from devices, and histories written in tmp folders."""

from __future__ import annotations

import gzip
import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from painadvisor.kb.vocabulary import FACTS_BY_ID
from painadvisor.training import read_activities, summarise
from painadvisor.training.gpx import gpxpy_read, tree_read
from painadvisor.training.gpxplain import NotPlain, read_plain
from painadvisor.training.stravacsv import parse_date, parse_number

from training_logs import Outing, at, write_gpx, write_history, write_strava_csv, write_tcx

SAMPLES = Path(__file__).parents[2] / "shared" / "training-samples"
needs_samples = pytest.mark.skipif(not SAMPLES.is_dir(), reason=f"no sample folder at {SAMPLES}")

PAIN = date(2025, 11, 12)  # a Wednesday
TODAY = date(2025, 11, 14)


def by_name(items: list, name: str) -> list:
    return [item for item in items if Path(item.path if hasattr(item, "path") else item.source).name == name]


# --- real files --------------------------------------------------------------------------------

READABLE = [
    ("2013-02-06-12-11-14.fit", "running", date(2013, 2, 6), 4.84, 168),
    ("activity-small-fenix2-run.fit", "running", date(2015, 8, 15), 9.01, 64),
    ("garmin-fenix-5-run.fit", "running", date(2017, 6, 11), 0.158, 2),
    ("garmin-fenix-5-walk.fit", "walking", date(2017, 6, 11), 0.068, 1),
    ("garmin-fenix-5-bike.fit", "cycling", date(2017, 6, 12), 0.46, 0),
    ("korita-zbevnica.gpx", "other", date(2010, 10, 3), 14.91, 680),
    ("cerknicko-jezero.gpx", "other", date(2010, 8, 5), 4.58, 216),
    ("track-with-empty-segment.gpx", "other", date(2013, 7, 6), 0.086, 0),
]
SKIPPED = [
    ("Settings.fit", "not an activity (a FIT settings file)"),
    ("activity-settings-corruptheader.fit", "damaged FIT file: bad header"),
    ("activity-unexpected-eof.fit", "truncated FIT file"),
    ("strava-android-app-201.10-b1218918.fit", "damaged FIT file: FIT parsing error @ 7471: local message 11"),
    ("cerknicko-without-times.gpx", "it has no times (5 of 296 points have one)"),
    ("Mojstrovka.gpx", "its times are implausible (starts 1901-12-13)"),
]


@pytest.fixture(scope="module")
def samples() -> tuple[list, list, list]:
    if not SAMPLES.is_dir():
        pytest.skip(f"no sample folder at {SAMPLES}")
    return read_activities(SAMPLES)


@needs_samples
@pytest.mark.parametrize(("name", "sport", "day", "km", "ascent"), READABLE)
def test_sample_activity(samples: tuple, name: str, sport: str, day: date, km: float, ascent: float) -> None:
    activities, files, _ = samples
    [activity] = by_name(activities, name)
    assert (activity.sport, activity.local_date) == (sport, day)
    assert activity.distance_km == pytest.approx(km, rel=0.01)
    assert activity.ascent_m == pytest.approx(ascent, abs=3)
    assert activity.start.tzinfo is UTC
    assert by_name(files, name)[0].activities == 1


@needs_samples
@pytest.mark.parametrize(("name", "reason"), SKIPPED)
def test_sample_skipped(samples: tuple, name: str, reason: str) -> None:
    [skipped] = by_name(samples[2], name)
    assert skipped.reason.startswith(reason)
    assert "\n" not in skipped.reason


@needs_samples
def test_sample_folder_is_fully_accounted_for(samples: tuple) -> None:
    activities, files, skipped = samples
    names = {Path(item.path).name for item in files} | {Path(item.path).name for item in skipped}
    on_disk = {path.name for path in SAMPLES.iterdir() if path.suffix.lower() in (".fit", ".gpx")}
    assert names == on_disk
    assert len(activities) == len(READABLE)
    assert [a.start for a in activities] == sorted(a.start for a in activities)


@needs_samples
def test_fit_local_time_offset(samples: tuple) -> None:
    [fenix2] = by_name(samples[0], "activity-small-fenix2-run.fit")
    [fenix5] = by_name(samples[0], "garmin-fenix-5-run.fit")
    [old] = by_name(samples[0], "2013-02-06-12-11-14.fit")
    assert (fenix2.utc_offset_s, fenix5.utc_offset_s, old.utc_offset_s) == (7200, -7 * 3600, None)
    assert fenix2.duration_s == pytest.approx(47 * 60, abs=60)
    assert old.duration_s == pytest.approx(44 * 60, abs=60)


@needs_samples
@pytest.mark.parametrize("name", ["cerknicko-jezero.gpx", "korita-zbevnica.gpx", "track-with-empty-segment.gpx"])
def test_the_three_gpx_readers_agree(name: str) -> None:
    data = (SAMPLES / name).read_bytes()
    reference, plain, tree = gpxpy_read(data), read_plain(data), tree_read(data)
    assert plain.types == tree.types  # gpxpy reads no <type> in a GPX 1.0 track; ours do
    for track in (plain, tree):
        assert track.totals.distance_m == pytest.approx(reference.totals.distance_m, rel=1e-9)
        assert track.totals.ascent_m == pytest.approx(reference.totals.ascent_m, rel=1e-9)
        assert (track.totals.first_time, track.totals.last_time) == (reference.totals.first_time,
                                                                     reference.totals.last_time)
        assert (track.totals.moving_s, track.totals.points) == (reference.totals.moving_s, reference.totals.points)
        assert track.names == reference.names


def test_gpx_that_is_not_plain_reads_the_same(tmp_path: Path) -> None:
    outing = Outing(at(date(2025, 11, 9), 7, utc_offset_h=1), 8.0, 48, name="Run & chat", climb_m=60)
    plain = write_gpx(tmp_path / "plain.gpx", outing).read_text()
    variants = {
        "comment": plain.replace("<trkseg>", "<trkseg><!-- a comment -->"),
        "prefixed": plain.replace("<gpx xmlns=", "<g:gpx xmlns:g=").replace("</gpx>", "</g:gpx>")
                         .replace("<trk", "<g:trk").replace("</trk", "</g:trk").replace("<ele", "<g:ele")
                         .replace("</ele", "</g:ele").replace("<time", "<g:time").replace("</time", "</g:time")
                         .replace("<name", "<g:name").replace("</name", "</g:name").replace("<type", "<g:type")
                         .replace("</type", "</g:type"),
        "latin1": plain.replace('encoding="UTF-8"', 'encoding="ISO-8859-1"'),
    }
    [expected] = read_activities(tmp_path / "plain.gpx")[0]
    assert expected.name == "Run & chat" and expected.utc_offset_s == 3600
    for label, text in variants.items():
        (tmp_path / f"{label}.gpx").write_text(text, encoding="latin-1" if label == "latin1" else "utf-8")
        with pytest.raises(NotPlain):
            read_plain((tmp_path / f"{label}.gpx").read_bytes())
        [activity] = read_activities(tmp_path / f"{label}.gpx")[0]
        assert (activity.start, activity.name, activity.ascent_m) == (expected.start, expected.name, expected.ascent_m)
        assert activity.distance_km == pytest.approx(expected.distance_km, rel=1e-12)


def test_plain_gpx_with_attributes_in_either_order(tmp_path: Path) -> None:
    text = write_gpx(tmp_path / "a.gpx", Outing(at(PAIN), 5, 30)).read_text()
    (tmp_path / "b.gpx").write_text(re.sub(r'lat="([^"]*)" lon="([^"]*)"', r"lon='\2'  lat='\1'", text))
    first, second = (read_plain((tmp_path / name).read_bytes()).totals for name in ("a.gpx", "b.gpx"))
    assert first == second and first.points == 40


def test_broken_plain_gpx_is_skipped(tmp_path: Path) -> None:
    text = write_gpx(tmp_path / "x.gpx", Outing(at(PAIN), 5, 30)).read_text()
    (tmp_path / "x.gpx").write_text(text.replace("</trkpt>", "</trkpoint>", 1))
    [skipped] = read_activities(tmp_path)[2]
    assert skipped.reason.startswith("not valid GPX/XML (broken at line")


# --- finding files -----------------------------------------------------------------------------

def test_folders_are_searched_recursively_and_case_insensitively(tmp_path: Path) -> None:
    write_gpx(tmp_path / "a" / "b" / "RUN.GPX", Outing(at(PAIN), 5, 30))
    write_tcx(tmp_path / "a" / "ride.Tcx", Outing(at(PAIN, 12), 20, 50, name="Lunch"), sport="Biking")
    (tmp_path / "notes.txt").write_text("not a log")
    activities, files, skipped = read_activities([tmp_path])
    assert sorted(a.sport for a in activities) == ["cycling", "running"]
    assert len(files) == 2 and skipped == []


def test_gzipped_files_as_in_a_strava_export(tmp_path: Path) -> None:
    plain = write_gpx(tmp_path / "x.gpx", Outing(at(PAIN), 6, 36))
    (tmp_path / "123.gpx.gz").write_bytes(gzip.compress(plain.read_bytes()))
    plain.unlink()
    (tmp_path / "456.fit.gz").write_bytes(b"not gzip at all")
    activities, _, skipped = read_activities(tmp_path)
    assert [round(a.distance_km, 3) for a in activities] == [6.0]
    assert skipped[0].reason.startswith("damaged gzip file")


def test_fifos_and_devices_are_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.gpx")
    (tmp_path / "zero.fit").symlink_to("/dev/zero")
    activities, files, skipped = read_activities([tmp_path, "/dev/null", tmp_path / "missing.gpx"])
    reasons = {Path(item.path).name: item.reason for item in skipped}
    assert reasons["pipe.gpx"].startswith("not a regular file")
    assert reasons["zero.fit"].startswith("not a regular file")
    assert reasons["null"].startswith("not a training file")
    assert reasons["missing.gpx"].startswith("cannot be read")
    assert activities == [] and files == []


def test_bad_files_are_skipped_with_a_reason(tmp_path: Path) -> None:
    (tmp_path / "latin1.csv").write_bytes("Activity Date,Activity Type\nNov 9\xe9".encode("latin-1"))
    (tmp_path / "other.csv").write_text("a,b\n1,2\n")
    (tmp_path / "empty.gpx").write_bytes(b"")
    (tmp_path / "html.gpx").write_text("<html><body>nope</body></html>")
    (tmp_path / "noise.fit").write_bytes(os.urandom(300))
    (tmp_path / "plan.gpx").write_text('<gpx xmlns="http://www.topografix.com/GPX/1/1"><rte><rtept lat="1" lon="2"/>'
                                       "</rte></gpx>")
    (tmp_path / "course.tcx").write_text('<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/'
                                         'TrainingCenterDatabase/v2"><Courses/></TrainingCenterDatabase>')
    activities, files, skipped = read_activities(tmp_path)
    reasons = {Path(item.path).name: item.reason for item in skipped}
    assert reasons["latin1.csv"].startswith("not UTF-8 text")
    assert reasons["other.csv"] == "not a Strava activities.csv (no 'Activity Date' column)"
    assert reasons["empty.gpx"].startswith("not valid GPX/XML")
    assert reasons["html.gpx"] == "not a GPX file"
    assert reasons["noise.fit"].startswith("damaged FIT file")
    assert reasons["plan.gpx"].startswith("it has no track points")
    assert reasons["course.tcx"].startswith("not an activity")
    assert activities == [] and files == []


@needs_samples
def test_truncated_copies_of_a_real_file_never_raise(tmp_path: Path) -> None:
    data = (SAMPLES / "2013-02-06-12-11-14.fit").read_bytes()
    for cut in (0, 1, 13, 14, 100, 1000, 5000, len(data) - 3):
        (tmp_path / f"cut{cut}.fit").write_bytes(data[:cut])
    gpx = (SAMPLES / "cerknicko-jezero.gpx").read_bytes()
    for cut in (10, 500, 5000, 20000):
        (tmp_path / f"cut{cut}.gpx").write_bytes(gpx[:cut])
    activities, files, skipped = read_activities(tmp_path)
    assert activities == [] and files == [] and len(skipped) == 12


def test_gpx_times_gpxpy_understands_but_isoformat_does_not(tmp_path: Path) -> None:
    path = write_gpx(tmp_path / "odd.gpx", Outing(at(date(2025, 1, 5), 7), 5, 30))
    path.write_text(path.read_text().replace("2025-01-05T07:", "2025-1-5T7:"))  # one-digit month, day, hour
    [activity] = read_activities(path)[0]
    assert activity.local_date == date(2025, 1, 5)
    assert activity.distance_km == pytest.approx(5.0)


# --- Strava CSV --------------------------------------------------------------------------------

def test_strava_numbers_and_dates() -> None:
    assert parse_number("1,234.56") == 1234.56
    assert parse_number("10,02") == pytest.approx(10.02)
    assert parse_number("7.5") == 7.5
    assert parse_number("") is None and parse_number("n/a") is None
    assert parse_date("Nov 9, 2025, 7:01:12 AM") == datetime(2025, 11, 9, 7, 1, 12, tzinfo=UTC)
    assert parse_date("Nov 9, 2025, 7:01:12 PM").hour == 19


def test_strava_csv_sports_and_distances(tmp_path: Path) -> None:
    outings = [Outing(at(PAIN, 7), 10.5, 60), Outing(at(PAIN, 12), 4, 50, sport="walking", name="Dog walk"),
               Outing(at(PAIN, 17), 1021.3, 2000, sport="cycling", name="Audax"),
               Outing(at(PAIN, 20), 3, 20, sport="Weight Training")]
    write_strava_csv(tmp_path / "activities.csv", outings, km_texts=["10.50", "4,00", "1,021.30", "0.00"])
    activities, files, skipped = read_activities(tmp_path)
    assert [(a.sport, round(a.distance_km, 2)) for a in activities] == [
        ("running", 10.5), ("walking", 4.0), ("cycling", 1021.3), ("other", 0.0)]
    assert files[0].activities == 4 and skipped == []


def test_strava_csv_prefers_the_metres_column_and_reports_bad_rows(tmp_path: Path) -> None:
    path = write_strava_csv(tmp_path / "activities.csv", [Outing(at(PAIN), 10.02, 55), Outing(at(PAIN, 9), 5, 30)])
    lines = path.read_text().splitlines()
    lines[2] = lines[2].replace("Nov 12, 2025", "Smarch 40, 2025")
    path.write_text("\n".join(lines) + "\n")
    activities, files, skipped = read_activities(path)
    assert [round(a.distance_km, 3) for a in activities] == [10.02]
    assert files[0].activities == 1
    assert skipped[0].reason.startswith("1 row not used (row 3: unknown date 'Smarch 40, 2025")


# --- histories ---------------------------------------------------------------------------------

def training_block(first: date, last: date, pace_min_per_km: float = 6.0, climb_per_km: float = 0.0) -> list[Outing]:
    """Runs on Mondays (8 km), Wednesdays (10 km) and Saturdays (13 km), walks on Tuesdays, rides on Thursdays."""
    outings = []
    day = first
    while day <= last:
        km = {0: 8.0, 2: 10.0, 5: 13.0}.get(day.weekday())
        if km:
            outings.append(Outing(at(day), km, km * pace_min_per_km, climb_m=km * climb_per_km))
        if day.weekday() == 1:
            outings.append(Outing(at(day, 18), 3.0, 40, sport="walking", name="Evening Walk"))
        if day.weekday() == 3:
            outings.append(Outing(at(day, 17), 20.0, 50, sport="cycling", name="Afternoon Ride"))
        day += timedelta(days=1)
    return outings


@pytest.fixture(scope="module")
def spike_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, list, list]:
    """Ten weeks of steady training, then a 21 km long run on Sunday 9 November 2025."""
    folder = tmp_path_factory.mktemp("spike")
    block = training_block(date(2025, 9, 1), PAIN + timedelta(days=2))
    outings = [o for o in block if o.start.date() != date(2025, 11, 8)]  # no 13 km on Saturday 8 November
    outings.append(Outing(at(date(2025, 11, 9), 8), 21.0, 126, name="Long Run"))
    write_history(folder, outings)
    return read_activities(folder)


def test_spike_is_the_run_that_most_exceeds_the_30_days_before(spike_log: tuple) -> None:
    summary = summarise(spike_log[0], PAIN, TODAY)
    spike = summary.spike
    assert spike is not None
    assert (spike.date, spike.distance_km, spike.longest_previous_km) == (date(2025, 11, 9), pytest.approx(21.0),
                                                                          pytest.approx(13.0))
    assert spike.increase_pct == pytest.approx(61.54, abs=0.01)
    assert spike.category == "30-100%"
    assert summary.spike_sentence() == ("your 21.0 km run on 9 November 2025 was 62 % longer than your longest run "
                                        "of the 30 days before (13.0 km)")
    assert summary.spike_check.status == "found"


def test_weekly_kilometres_by_sport(spike_log: tuple) -> None:
    weeks = summarise(spike_log[0], PAIN, TODAY).to_dict()["weeks"]
    assert [w["week_start"] for w in weeks] == [(date(2025, 9, 1) + timedelta(weeks=n)).isoformat() for n in range(11)]
    assert weeks[0] == {"week_start": "2025-09-01", "run_km": 31.0, "walk_km": 3.0, "ride_km": 20.0}
    assert weeks[-2] == {"week_start": "2025-11-03", "run_km": 39.0, "walk_km": 3.0, "ride_km": 20.0}
    # the pain's week counts up to the pain day (Wednesday), not the ride the day after
    assert weeks[-1] == {"week_start": "2025-11-10", "run_km": 18.0, "walk_km": 3.0, "ride_km": 0.0}


def test_derived_facts_use_the_vocabulary(spike_log: tuple) -> None:
    summary = summarise(spike_log[0], PAIN, TODAY)
    assert summary.derived == {"load_change": "large", "hard_sessions": False, "hills": "none"}
    for fact, value in summary.derived.items():
        assert value in FACTS_BY_ID[fact].values or isinstance(value, bool)
    assert "21.0 km" in summary.reasons["load_change"]


def test_to_dict_is_json_ready(spike_log: tuple) -> None:
    activities, files, skipped = spike_log
    data = json.loads(json.dumps(summarise(activities, PAIN, TODAY, files=files, skipped=skipped).to_dict()))
    assert set(data) >= {"weeks", "spike", "derived", "files", "skipped"}
    assert data["spike"] == {"date": "2025-11-09", "distance_km": 21.0, "longest_previous_km": 13.0,
                             "increase_pct": 61.5, "category": "30-100%"}
    assert len(data["files"]) == len(activities) and data["files"][0]["activities"] == 1
    assert data["skipped"] == []


def test_pain_start_defaults_to_today(spike_log: tuple) -> None:
    assert summarise(spike_log[0], None, PAIN).to_dict() == summarise(spike_log[0], PAIN, TODAY).to_dict()


def test_steady_training_has_no_spike_and_no_load_change(tmp_path: Path) -> None:
    write_history(tmp_path, training_block(date(2025, 9, 1), PAIN))
    summary = summarise(read_activities(tmp_path)[0], PAIN, TODAY)
    assert summary.spike is None and summary.spike_check.status == "none"
    assert summary.spike_check.runs_checked > 20
    assert summary.derived["load_change"] == "none"
    assert summary.spike_sentence() is None


def last_week(*runs: tuple[int, float]) -> list[Outing]:
    """Runs in the week of Monday 3 November 2025, as (days after Monday, km), at 6:00/km."""
    return [Outing(at(date(2025, 11, 3) + timedelta(days=day)), km, km * 6) for day, km in runs]


def test_small_and_large_weekly_rises(tmp_path: Path) -> None:
    base = [o for o in training_block(date(2025, 9, 1), date(2025, 11, 2)) if o.sport == "running"]
    write_history(tmp_path / "less", base + last_week((0, 8), (2, 10), (5, 12.6)))  # 30.6 km against 31 a week: -1 %
    assert summarise(read_activities(tmp_path / "less")[0], PAIN, TODAY).derived["load_change"] == "none"
    # 32 km against 31: +3 %, and no run longer than 13 km
    write_history(tmp_path / "more", base + last_week((0, 9), (2, 11), (4, 3), (5, 9)))
    assert summarise(read_activities(tmp_path / "more")[0], PAIN, TODAY).derived["load_change"] == "small"
    write_history(tmp_path / "big", base + last_week((0, 12), (2, 12), (4, 12), (5, 12)))  # 48 km against 31: +55 %
    summary = summarise(read_activities(tmp_path / "big")[0], PAIN, TODAY)
    assert summary.derived["load_change"] == "large" and summary.spike is None


def test_hard_sessions_from_pace_or_a_race_name(tmp_path: Path) -> None:
    base = training_block(date(2025, 9, 1), PAIN)
    write_history(tmp_path / "fast", [*base, Outing(at(date(2025, 11, 4), 12), 5.0, 22.5)])  # 4:30/km vs 6:00/km
    fast = summarise(read_activities(tmp_path / "fast")[0], PAIN, TODAY)
    assert fast.derived["hard_sessions"] is True
    assert "4:30 min/km" in fast.reasons["hard_sessions"] and "6:00 min/km" in fast.reasons["hard_sessions"]
    race = Outing(at(date(2025, 11, 1), 9), 5.0, 30.0, name="Parkrun #212")
    write_strava_csv(tmp_path / "race" / "activities.csv", [*base, race])
    assert summarise(read_activities(tmp_path / "race")[0], PAIN, TODAY).derived["hard_sessions"] is True


@pytest.mark.parametrize(("climb_per_km", "expected"), [(0.0, "none"), (9.0, "some"), (25.0, "lots")])
def test_hills_from_climbing_per_km(tmp_path: Path, climb_per_km: float, expected: str) -> None:
    runs = [o for o in training_block(date(2025, 10, 13), PAIN, climb_per_km=climb_per_km) if o.sport == "running"]
    write_history(tmp_path, runs)
    summary = summarise(read_activities(tmp_path)[0], PAIN, TODAY)
    assert summary.derived["hills"] == expected


def test_hills_from_strava_elevation_gain(tmp_path: Path) -> None:
    runs = [o for o in training_block(date(2025, 10, 13), PAIN, climb_per_km=20) if o.sport == "running"]
    write_strava_csv(tmp_path / "activities.csv", runs)
    assert summarise(read_activities(tmp_path)[0], PAIN, TODAY).derived["hills"] == "lots"


def weekly_runs(first: date, last: date) -> list[Outing]:
    return [Outing(at(first + timedelta(weeks=n)), 8, 48) for n in range((last - first).days // 7 + 1)]


def test_experience_new_returning_regular_or_unknown(tmp_path: Path) -> None:
    def experience(outings: list[Outing], name: str) -> str | None:
        write_strava_csv(tmp_path / name / "activities.csv", outings)
        return summarise(read_activities(tmp_path / name)[0], PAIN, TODAY).derived.get("experience")

    walk = Outing(at(date(2025, 1, 10)), 4, 50, sport="walking", name="Walk")
    assert experience([walk, *weekly_runs(date(2025, 8, 4), PAIN)], "new") == "new"
    assert experience(weekly_runs(date(2025, 8, 4), PAIN), "short") is None  # log too short to tell
    assert experience(weekly_runs(date(2024, 6, 3), date(2025, 2, 24)) + weekly_runs(date(2025, 7, 7), PAIN),
                      "returning") == "returning"
    assert experience(weekly_runs(date(2024, 6, 3), PAIN), "regular") == "regular"
    assert experience(weekly_runs(date(2023, 1, 2), date(2023, 6, 1)) + weekly_runs(date(2024, 1, 1), PAIN),
                      "old-gap") == "regular"


# --- edge cases --------------------------------------------------------------------------------

def test_no_run_in_the_last_30_days_gives_no_spike(tmp_path: Path) -> None:
    runs = [o for o in training_block(date(2025, 8, 4), date(2025, 9, 10)) if o.sport == "running"]
    write_history(tmp_path, [*runs, Outing(at(date(2025, 11, 10)), 12.0, 72)])
    summary = summarise(read_activities(tmp_path)[0], PAIN, TODAY)
    assert summary.spike is None
    assert summary.spike_check.status == "no-baseline"
    assert summary.spike_check.runs_without_baseline == (date(2025, 11, 10),)
    assert "cannot be checked" in summary.to_dict()["spike_check"]["text"]


def test_the_first_run_ever(tmp_path: Path) -> None:
    write_gpx(tmp_path / "first.gpx", Outing(at(PAIN), 5.0, 35))
    summary = summarise(read_activities(tmp_path)[0], PAIN, TODAY)
    assert summary.spike is None and summary.spike_check.status == "no-baseline"
    assert [w.week_start for w in summary.weeks] == [date(2025, 11, 10)]
    assert "experience" not in summary.derived and "load_change" not in summary.derived


def test_no_runs_at_all(tmp_path: Path) -> None:
    write_gpx(tmp_path / "walk.gpx", Outing(at(PAIN), 5.0, 60, sport="walking", name="Walk"))
    summary = summarise(read_activities(tmp_path)[0], PAIN, TODAY)
    assert summary.spike_check.status == "no-runs" and summary.spike is None
    assert summary.weeks[0].walk_km == pytest.approx(5.0) and summary.weeks[0].run_km == 0


def test_several_files_for_one_day(tmp_path: Path) -> None:
    runs = [o for o in training_block(date(2025, 9, 1), date(2025, 11, 2)) if o.sport == "running"]
    runs = [Outing(o.start, min(o.km, 10.0), o.minutes) for o in runs]  # the longest run is 10 km
    write_history(tmp_path, runs)
    write_gpx(tmp_path / "morning.gpx", Outing(at(date(2025, 11, 9), 7), 7.0, 42))
    write_tcx(tmp_path / "evening.tcx", Outing(at(date(2025, 11, 9), 18), 12.0, 72, name="Evening Run"))
    summary = summarise(read_activities(tmp_path)[0], PAIN, TODAY)
    assert summary.spike is not None
    # the evening run is compared with the 30 days before its day, not with the morning's 7 km
    assert (summary.spike.date, summary.spike.distance_km) == (date(2025, 11, 9), pytest.approx(12.0))
    assert summary.spike.increase_pct == pytest.approx(20.0) and summary.spike.category == "10-30%"
    assert summary.to_dict()["weeks"][-2]["run_km"] == 7 + 12


def test_time_zones_and_a_run_crossing_midnight(tmp_path: Path) -> None:
    # Sunday 23:30 in UTC-5, an hour long, is Monday in UTC: it belongs to Sunday, and to the week it started in.
    write_gpx(tmp_path / "late.gpx", Outing(at(date(2025, 11, 9), 23, 30, utc_offset_h=-5), 10.0, 60))
    # Monday 00:30 in UTC+2 is still Sunday in UTC: it belongs to Monday.
    write_gpx(tmp_path / "early.gpx", Outing(at(date(2025, 11, 10), 0, 30, utc_offset_h=2), 5.0, 30))
    early, late = read_activities(tmp_path)[0]
    assert (late.local_date, late.start.date(), late.utc_offset_s) == (date(2025, 11, 9), date(2025, 11, 10), -18000)
    assert (early.local_date, early.start.date(), early.utc_offset_s) == (date(2025, 11, 10), date(2025, 11, 9), 7200)
    weeks = summarise([late, early], PAIN, TODAY).to_dict()["weeks"]
    assert [(w["week_start"], w["run_km"]) for w in weeks] == [("2025-11-03", 10.0), ("2025-11-10", 5.0)]


def test_the_same_activity_as_gpx_and_csv_counts_once(tmp_path: Path) -> None:
    gpx_run = Outing(at(date(2025, 11, 9), 7), 10.0, 60, name="Morning Run")
    write_gpx(tmp_path / "export" / "activities" / "123.gpx", gpx_run)
    csv_run = Outing(gpx_run.start + timedelta(seconds=45), 10.12, 60, name="Morning Run")  # Strava's own numbers
    other = Outing(gpx_run.start + timedelta(seconds=60), 12.0, 60, name="A friend's run")  # too far apart in km
    write_strava_csv(tmp_path / "export" / "activities.csv", [csv_run, other])
    activities, files, _ = read_activities(tmp_path)
    assert [round(a.distance_km, 2) for a in activities] == [10.0, 12.0]
    assert Path(activities[0].source).suffix == ".gpx"
    assert sorted(item.activities for item in files) == [1, 2]
    assert summarise(activities, PAIN, TODAY).weeks[-2].run_km == pytest.approx(22.0)


def test_activities_after_the_pain_started_are_left_out(spike_log: tuple) -> None:
    summary = summarise(spike_log[0], date(2025, 11, 8), TODAY)
    assert summary.spike is None
    assert summary.weeks[-1].week_start == date(2025, 11, 3)


def test_importing_the_package_does_not_import_the_parsers() -> None:
    code = "import sys, painadvisor.training; print(sorted(m for m in ('fitdecode', 'gpxpy') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
