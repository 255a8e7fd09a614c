"""The consultation history: a real SQLite file every time, never a file that is not ours."""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import stat
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import platformdirs
import pytest

from painadvisor.errors import EXIT_FAILURE, OutputError
from painadvisor.files.paths import default_db_path
from painadvisor.history import store as history
from painadvisor.history.store import History, HistoryError, compare, persistent_from_history

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=UTC)
NOTE = "Genou droit, course de 30 km"  # health data: must never reach an error message
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def knee(severity: int | None = None, **facts: Any) -> dict[str, Any]:
    case: dict[str, Any] = {"location": "knee.outer", "worse_with": ["downhill", "stairs-down"], "note": NOTE}
    if severity is not None:
        case["severity"] = severity
    return {**case, **facts}


def advice(top_cause: str = "itb-syndrome", triage: str = "self-care") -> dict[str, Any]:
    return {"schema_version": "1.0", "triage": triage,
            "causes": [{"id": top_cause, "score": 0.9}, {"id": "patellofemoral-pain", "score": 0.1}]}


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "new" / "folder" / "history.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[History]:
    with History(db_path) as opened:
        yield opened


def one_line_error(raised: pytest.ExceptionInfo[HistoryError], path: Path) -> str:
    message = str(raised.value)
    assert "\n" not in message
    assert message.endswith(f": {path}")
    assert NOTE not in message and "knee" not in message
    assert raised.value.exit_code == EXIT_FAILURE
    return message


# Saving and reading back

def test_a_saved_consultation_reads_back_as_it_was_saved(store: History, db_path: Path) -> None:
    record_id = store.save(knee(5), advice(), "0.9.0", when=NOW)
    record = store.get(record_id)
    assert (record.id, record.version, record.location, record.triage, record.top_cause) == (
        record_id, "0.9.0", "knee.outer", "self-care", "itb-syndrome")
    assert record.case == knee(5) and record.advice == advice()
    assert record.created == NOW and record.created.tzinfo is UTC
    assert db_path.exists() and stat.S_IMODE(db_path.stat().st_mode) == 0o600


def test_records_are_newest_first_whatever_the_order_they_were_saved_in(store: History) -> None:
    middle = store.save(knee(4), advice(), "1", when=NOW - timedelta(days=1))
    newest = store.save(knee(3), advice(), "1", when=NOW)
    oldest = store.save(knee(5), advice(), "1", when=NOW - timedelta(days=2, microseconds=-1))
    assert [record.id for record in store.records()] == [newest, middle, oldest]


def test_times_are_stored_as_iso_8601_utc(store: History, db_path: Path) -> None:
    store.save(knee(), advice(), "1", when=datetime(2024, 6, 1, 14, 0, tzinfo=UTC) .astimezone(
        datetime.now().astimezone().tzinfo))
    with sqlite3.connect(db_path) as raw:
        (created,) = raw.execute("SELECT created FROM consultations").fetchone()
    assert created == "2024-06-01T14:00:00.000000+00:00"
    with pytest.raises(ValueError, match="time zone"):
        store.save(knee(), advice(), "1", when=datetime(2024, 6, 1))


def test_records_survive_closing_and_reopening(db_path: Path) -> None:
    with History(db_path) as first:
        record_id = first.save(knee(5), advice(), "1", when=NOW)
    with History(db_path, create=False) as again:
        assert [record.id for record in again.records()] == [record_id]


def test_a_missing_database_is_an_error_when_not_asked_to_create_it(db_path: Path) -> None:
    with pytest.raises(HistoryError) as raised:
        History(db_path, create=False)
    assert one_line_error(raised, db_path) == f"no history database here: {db_path}"
    assert not db_path.parent.exists()


def test_get_and_delete_name_the_missing_id(store: History, db_path: Path) -> None:
    for action in (store.get, store.delete):
        with pytest.raises(HistoryError) as raised:
            action(42)
        assert one_line_error(raised, db_path) == f"no consultation with id 42: {db_path}"
        assert raised.value.record_id == 42


def test_delete_removes_only_that_consultation(store: History) -> None:
    kept = store.save(knee(5), advice(), "1", when=NOW - timedelta(days=1))
    gone = store.save(knee(4), advice(), "1", when=NOW)
    store.delete(gone)
    assert [record.id for record in store.records()] == [kept]


def test_delete_all_says_how_many_it_deleted(store: History) -> None:
    for severity in range(3):
        store.save(knee(severity), advice(), "1")
    assert store.delete_all() == 3
    assert store.records() == []
    assert store.delete_all() == 0


def test_export_writes_one_json_object_per_line_oldest_first(store: History, tmp_path: Path) -> None:
    first = store.save(knee(5), advice(), "1", when=NOW - timedelta(days=3))
    second = store.save(knee(3), advice("patellofemoral-pain"), "2", when=NOW)
    target = tmp_path / "export.jsonl"
    assert store.export(target) == 2
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert lines == [
        {"id": first, "created": (NOW - timedelta(days=3)).isoformat(), "version": "1", "case": knee(5),
         "advice": advice()},
        {"id": second, "created": NOW.isoformat(), "version": "2", "case": knee(3),
         "advice": advice("patellofemoral-pain")},
    ]
    assert NOTE in target.read_text(encoding="utf-8")  # ensure_ascii=False: the runner's words as typed


def test_export_never_overwrites_a_file(store: History, tmp_path: Path) -> None:
    store.save(knee(5), advice(), "1")
    target = tmp_path / "export.jsonl"
    target.write_text("mine\n", encoding="utf-8")
    with pytest.raises(OutputError, match="file exists"):
        store.export(target)
    assert target.read_text(encoding="utf-8") == "mine\n"


# The schema and its migrations

def build_version_1(path: Path) -> None:
    """A database as the first released schema left it, with two consultations."""
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
        raw.execute("INSERT INTO schema_version VALUES (1)")
        raw.execute("CREATE TABLE consultations (id INTEGER PRIMARY KEY, created TEXT, version TEXT,"
                    " case_json TEXT, advice_json TEXT)")
        raw.executemany("INSERT INTO consultations (created, version, case_json, advice_json) VALUES (?, ?, ?, ?)", [
            ((NOW - timedelta(days=9)).isoformat(timespec="microseconds"), "0.1.0",
             json.dumps(knee(6)), json.dumps(advice())),
            (NOW.isoformat(timespec="microseconds"), "0.1.0",
             json.dumps({"location": "achilles"}), json.dumps(advice("achilles-tendinopathy", "see-doctor"))),
        ])
    raw.close()


def build_version_0(path: Path) -> None:
    """An SQLite file with no tables yet, as a crash right after creating it would leave."""
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE scratch (x)")
        raw.execute("DROP TABLE scratch")
    raw.close()


@pytest.mark.parametrize(("build", "rows"), [
    pytest.param(build_version_0, 0, id="empty-sqlite-file"),
    pytest.param(build_version_1, 2, id="version-1"),
])
def test_every_earlier_schema_is_migrated_to_the_current_one(tmp_path: Path, build: Callable[[Path], None],
                                                             rows: int) -> None:
    path = tmp_path / "history.db"
    build(path)
    with History(path, create=False) as store:
        records = store.records()
    with sqlite3.connect(path) as raw:
        assert raw.execute("SELECT version FROM schema_version").fetchall() == [(history.SCHEMA_VERSION,)]
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        indexes = [row[1] for row in raw.execute("PRAGMA index_list(consultations)")]
    raw.close()
    assert history.SCHEMA_VERSION == 2
    assert indexes == ["consultations_by_location"]
    assert len(records) == rows
    if rows:
        assert [(record.location, record.triage, record.top_cause) for record in records] == [
            ("achilles", "see-doctor", "achilles-tendinopathy"), ("knee.outer", "self-care", "itb-syndrome")]
        assert records[1].case == knee(6) and records[1].created == NOW - timedelta(days=9)


def test_a_version_1_row_with_broken_json_migrates_and_is_skipped_when_read(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    build_version_1(path)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE consultations SET case_json = '{not json' WHERE id = 1")
    raw.close()
    warnings: list[str] = []
    with History(path, warn=warnings.append) as store:
        assert [record.id for record in store.records()] == [2]
        assert [record.id for record in store.records()] == [2]
        with pytest.raises(HistoryError) as raised:
            store.get(1)
        assert store.get(2).location == "achilles"
    assert one_line_error(raised, path) == f"consultation 1 is damaged: {path}"
    assert warnings == [f"skipped 1 damaged consultation (1) in {path}; 'painadvisor history delete ID' removes one"]


def test_a_database_from_a_newer_painadvisor_is_refused_and_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "history.db"
    build_version_1(path)
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE schema_version SET version = 3")
    raw.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError) as raised:
        History(path)
    assert "schema version 3, newer than this painadvisor knows (2); left untouched" in one_line_error(raised, path)
    assert path.read_bytes() == before


# Many painadvisors at once

def save_many(path: str, worker: int, count: int) -> None:
    with History(Path(path)) as store:
        for number in range(count):
            store.save(knee(number % 11, worker=worker), advice(), "1")


def test_eight_processes_saving_at_once_lose_nothing(tmp_path: Path) -> None:
    path = tmp_path / "history.db"  # not created yet: the processes race to create it too
    context = multiprocessing.get_context("spawn")
    started = time.monotonic()
    workers = [context.Process(target=save_many, args=(str(path), worker, 200)) for worker in range(8)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=60)
    assert [process.exitcode for process in workers] == [0] * 8
    with History(path) as store:
        records = store.records()
    assert len(records) == 1600 == len({record.id for record in records})
    assert sorted(record.case["worker"] for record in records) == sorted(list(range(8)) * 200)
    assert time.monotonic() - started < 30


def test_a_locked_database_is_reported_as_busy_after_a_bounded_wait(monkeypatch: pytest.MonkeyPatch,
                                                                   db_path: Path) -> None:
    monkeypatch.setattr(history, "BUSY_TIMEOUT_MS", 200)
    with History(db_path) as store:
        kept = store.save(knee(5), advice(), "1")
        other = sqlite3.connect(db_path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        started = time.monotonic()
        with pytest.raises(HistoryError) as raised:
            store.save(knee(4), advice(), "1")
        waited = time.monotonic() - started
        other.execute("ROLLBACK")
        other.close()
        assert one_line_error(raised, db_path) == (
            f"history database is busy (locked by another painadvisor?): {db_path}")
        assert 0.15 < waited < 3
        assert [record.id for record in store.records()] == [kept]
        store.save(knee(4), advice(), "1")  # free again
        assert len(store.records()) == 2


# A failed write loses nothing

def test_a_full_disk_rolls_the_write_back_and_loses_nothing(store: History, db_path: Path) -> None:
    kept = [store.save(knee(severity), advice(), "1") for severity in range(3)]
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # SQLite's own way to make the disk "full"
    with pytest.raises(HistoryError) as raised:
        store.save(knee(5, note=NOTE * 200), advice(), "1")
    message = one_line_error(raised, db_path)
    assert message == f"cannot save the consultation; nothing was changed (database or disk is full): {db_path}"
    assert sorted(record.id for record in store.records()) == kept
    store._db.execute(f"PRAGMA max_page_count = {pages * 100}")  # room again
    store.save(knee(5, note=NOTE * 200), advice(), "1")
    assert len(store.records()) == 4


def test_a_write_refused_as_read_only_loses_nothing(store: History, db_path: Path) -> None:
    kept = store.save(knee(5), advice(), "1")
    store._db.execute("PRAGMA query_only = ON")  # what a read-only file gives, even for root
    with pytest.raises(HistoryError) as raised:
        store.save(knee(4), advice(), "1")
    assert "nothing was changed (the file or its folder is read-only)" in one_line_error(raised, db_path)
    with pytest.raises(HistoryError):
        store.delete(kept)
    assert [record.id for record in store.records()] == [kept]


@pytest.mark.skipif(IS_ROOT, reason="root writes through file permissions")
def test_a_read_only_database_file_can_be_read_but_not_written(db_path: Path) -> None:
    with History(db_path) as store:
        kept = store.save(knee(5), advice(), "1")
    db_path.chmod(0o400)
    try:
        with History(db_path) as store:
            assert [record.id for record in store.records()] == [kept]
            with pytest.raises(HistoryError, match="read-only"):
                store.save(knee(4), advice(), "1")
    finally:
        db_path.chmod(0o600)
    with History(db_path) as store:
        assert [record.id for record in store.records()] == [kept]


@pytest.mark.skipif(IS_ROOT, reason="root writes through folder permissions")
def test_a_read_only_folder_loses_no_record(db_path: Path) -> None:
    with History(db_path) as store:
        kept = store.save(knee(5), advice(), "1")
    db_path.parent.chmod(0o500)
    try:
        with pytest.raises(HistoryError) as raised, History(db_path) as store:
            store.save(knee(4), advice(), "1")
        assert "(the file or its folder is read-only)" in one_line_error(raised, db_path)
    finally:
        db_path.parent.chmod(0o700)
    with History(db_path) as store:
        assert [record.id for record in store.records()] == [kept]


@pytest.mark.skipif(IS_ROOT, reason="root creates files in any folder")
def test_a_folder_that_cannot_be_written_is_reported(tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    path = locked / "history.db"
    with pytest.raises(HistoryError) as raised:
        History(path)
    assert one_line_error(raised, path) == f"cannot open the history database (Permission denied): {path}"


def test_a_path_that_is_a_folder_or_under_a_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(HistoryError) as raised:
        History(tmp_path)
    assert one_line_error(raised, tmp_path) == f"the history path is a folder, not a file: {tmp_path}"
    (tmp_path / "plain").write_text("x", encoding="utf-8")
    under_a_file = tmp_path / "plain" / "history.db"
    with pytest.raises(HistoryError) as raised:
        History(under_a_file)
    assert one_line_error(raised, under_a_file) == (
        f"cannot open the history database (Not a directory): {under_a_file}")


# Files that are not ours are never touched

def damaged_copy(path: Path) -> None:
    with History(path) as store:
        for severity in range(20):
            store.save(knee(severity), advice(), "1")
    data = bytearray(path.read_bytes())
    data[100:4096] = os.urandom(3996)  # the schema page
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(("write", "expected"), [
    pytest.param(lambda path: path.write_bytes(os.urandom(4096)), "(not SQLite)", id="random-bytes"),
    pytest.param(lambda path: path.write_text("my training log\n", encoding="utf-8"), "(not SQLite)", id="text"),
    pytest.param(lambda path: path.write_bytes(b"SQLite"), "(not SQLite)", id="shorter-than-a-header"),
    pytest.param(lambda path: path.write_bytes(history.SQLITE_HEADER + os.urandom(8192)), "damaged",
                 id="sqlite-header-then-garbage"),
    pytest.param(damaged_copy, "damaged", id="damaged-history"),
])
def test_a_file_that_is_not_a_history_database_is_left_untouched(tmp_path: Path, write: Callable[[Path], None],
                                                                 expected: str) -> None:
    path = tmp_path / "history.db"
    write(path)
    before = sorted(tmp_path.iterdir()), path.read_bytes()
    with pytest.raises(HistoryError) as raised:
        History(path)
    message = one_line_error(raised, path)
    assert expected in message and "left untouched" in message
    assert (sorted(tmp_path.iterdir()), path.read_bytes()) == before


@pytest.mark.parametrize("tables", [
    pytest.param(["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"], id="another-apps-tables"),
    pytest.param(["CREATE TABLE schema_version (version INTEGER)", "INSERT INTO schema_version VALUES (2)",
                  "CREATE TABLE consultations (id INTEGER PRIMARY KEY)", "CREATE TABLE extra (x)"],
                 id="our-tables-and-more"),
])
def test_another_programs_sqlite_database_is_left_untouched(tmp_path: Path, tables: list[str]) -> None:
    path = tmp_path / "history.db"
    with sqlite3.connect(path) as raw:
        for statement in tables:
            raw.execute(statement)
    raw.close()
    before = path.read_bytes()
    with pytest.raises(HistoryError) as raised:
        History(path)
    assert one_line_error(raised, path) == (
        f"not a painadvisor history database (other tables); left untouched: {path}")
    assert path.read_bytes() == before


# The same pain over time

def save_knee_history(store: History, days_ago: int, severity: int = 5) -> int:
    return store.save(knee(severity), advice(), "1", when=NOW - timedelta(days=days_ago))


def test_same_location_keeps_that_location_in_the_last_eight_weeks_oldest_first(store: History) -> None:
    recent = save_knee_history(store, 3)
    older = save_knee_history(store, 20)
    store.save({"location": "achilles", "severity": 5}, advice(), "1", when=NOW - timedelta(days=5))
    save_knee_history(store, 8 * 7 + 1)  # too old
    store.save(knee(5), advice(), "1", when=NOW + timedelta(days=1))  # after "now"
    assert [record.id for record in store.same_location("knee.outer", now=NOW)] == [older, recent]
    assert [record.id for record in store.same_location("knee.outer", now=NOW, weeks=1)] == [recent]


@pytest.mark.parametrize("count", [1, 2, 6, 40])
def test_a_long_history_is_read_as_its_first_and_latest_records_and_says_the_same(store: History,
                                                                                  count: int) -> None:
    from painadvisor.history.recall import SHOWN_EARLIER, history_note

    ids = [save_knee_history(store, 50 - day, severity=day % 10) for day in range(count)]
    store.save({"location": "achilles", "severity": 1}, advice(), "1", when=NOW - timedelta(days=2))
    everything = store.same_location("knee.outer", now=NOW)
    few = store.same_location("knee.outer", now=NOW, last=SHOWN_EARLIER)
    assert [record.id for record in few] == ids[:1] + [item for item in ids[-SHOWN_EARLIER:] if item != ids[0]]
    for case in (knee(3), knee(9), knee(trend="better")):
        assert compare(few, case, NOW) == compare(everything, case, NOW)
        assert persistent_from_history(few, case, NOW) == persistent_from_history(everything, case, NOW)
        note = history_note(case, store, NOW)
        assert note is not None and [earlier.id for earlier in note.earlier] == ids[-SHOWN_EARLIER:]


@pytest.mark.parametrize(("days_ago", "severity_now", "change", "persistent"), [
    pytest.param(20, 5, "same", True, id="20-days-same"),
    pytest.param(20, 7, "worse", True, id="20-days-worse"),
    pytest.param(20, 2, "better", False, id="20-days-better"),
    pytest.param(14, 5, "same", True, id="exactly-14-days"),
    pytest.param(10, 5, "same", False, id="10-days"),
])
def test_a_pain_that_lasts_and_does_not_improve_is_persistent(store: History, days_ago: int, severity_now: int,
                                                              change: str, persistent: bool) -> None:
    first = save_knee_history(store, days_ago)
    last = save_knee_history(store, 1)
    previous = store.same_location("knee.outer", now=NOW)
    progress = compare(previous, knee(severity_now), NOW)
    assert progress is not None
    assert (progress.first.id, progress.last.id) == (first, last)
    assert (progress.days_since_first, progress.change) == (days_ago, change)
    assert persistent_from_history(previous, knee(severity_now), NOW) is persistent


def test_without_severities_the_trend_decides_and_else_it_is_the_same(store: History) -> None:
    store.save(knee(), advice(), "1", when=NOW - timedelta(days=20))
    previous = store.same_location("knee.outer", now=NOW)
    for case, change in [(knee(trend="better"), "better"), (knee(trend="worse"), "worse"), (knee(), "same")]:
        progress = compare(previous, case, NOW)
        assert progress is not None and progress.change == change
    assert persistent_from_history(previous, knee(trend="better"), NOW) is False
    assert persistent_from_history(previous, knee(), NOW) is True


def test_records_of_another_location_are_not_the_same_pain(store: History) -> None:
    store.save({"location": "achilles", "severity": 5}, advice(), "1", when=NOW - timedelta(days=30))
    every_record = store.records()
    assert compare(every_record, knee(5), NOW) is None
    assert persistent_from_history(every_record, knee(5), NOW) is False
    assert compare([], knee(5), NOW) is None
    assert persistent_from_history(every_record, {"severity": 5}, NOW) is False


# Where the database lives

def test_the_database_path_can_be_set_in_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PAINADVISOR_DB", str(tmp_path / "elsewhere.db"))
    assert default_db_path() == tmp_path / "elsewhere.db"


def test_the_database_lives_in_the_user_data_folder(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == Path(platformdirs.user_data_dir("painadvisor")) / "history.db"
    if sys.platform.startswith("linux"):
        assert default_db_path() == tmp_path / "data" / "painadvisor" / "history.db"
        monkeypatch.delenv("XDG_DATA_HOME")
        monkeypatch.setenv("HOME", str(tmp_path / "home"))
        assert default_db_path() == tmp_path / "home" / ".local" / "share" / "painadvisor" / "history.db"


def test_a_damaged_first_record_does_not_hide_how_long_the_pain_has_lasted(store: History, db_path: Path) -> None:
    """The earliest readable record dates the pain, so a persistent pain is still raised."""
    damaged = save_knee_history(store, 40)
    first_readable = save_knee_history(store, 30)
    for days in (9, 8, 7):
        save_knee_history(store, days)
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE consultations SET case_json = '{not json' WHERE id = ?", (damaged,))
    previous = store.same_location("knee.outer", now=NOW, last=5)
    assert previous[0].id == first_readable
    progress = compare(previous, knee(5), NOW)
    assert progress is not None and progress.days_since_first == 30
    assert persistent_from_history(previous, knee(5), NOW) is True
