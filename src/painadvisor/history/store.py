"""A private, local record of consultations, in one SQLite file.

The program creates and migrates the schema itself.  Every write is one transaction,
so a write that fails (busy, full disk, read-only folder) loses no earlier record.
A file that is not ours (not SQLite, damaged, another program's tables, or written by
a newer painadvisor) is reported and never written to.  Error messages name the file
and at most a record id, never what the runner told us.
"""

from __future__ import annotations

import errno
import json
import os
import re
import sqlite3
import stat
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from painadvisor.errors import EXIT_USAGE, PainAdvisorError
from painadvisor.files.output import write_atomically

BUSY_TIMEOUT_MS = 5000
SQLITE_HEADER = b"SQLite format 3\x00"
TABLES = frozenset({"consultations", "schema_version"})
PERSISTENT_DAYS = 14
FIRST_TRIES = 20  # records read to find the earliest readable one of a place
MAX_ID = 2**63 - 1  # SQLite's largest integer
_SURROGATE = re.compile("[\ud800-\udfff]")

Change = Literal["better", "same", "worse"]


class HistoryError(PainAdvisorError):
    """The history database cannot be used.  ``str(error)`` is one line ending with its path."""

    def __init__(self, message: str, *, path: Path, record_id: int | None = None) -> None:
        super().__init__(message, path=str(path))
        self.record_id = record_id

    def __str__(self) -> str:
        return f"{self.message}: {self.path}"


class HistoryInputError(HistoryError):
    """The history was asked for something that cannot exist: a path or an id out of range (exit 2)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Record:
    id: int
    created: datetime  # aware, UTC
    version: str  # the painadvisor version that gave the advice
    location: str | None
    triage: str
    top_cause: str | None
    case: dict[str, Any]
    advice: dict[str, Any]


@dataclass(frozen=True)
class Progress:
    days_since_first: int
    first: Record
    last: Record
    change: Change


# The schema: one step per version, each run in its own transaction.

def _create_tables(db: sqlite3.Connection) -> None:
    db.execute("CREATE TABLE schema_version (version INTEGER NOT NULL)")
    db.execute("CREATE TABLE consultations (id INTEGER PRIMARY KEY, created TEXT, version TEXT,"
               " case_json TEXT, advice_json TEXT)")


def _add_summary_columns(db: sqlite3.Connection) -> None:
    for column in ("location", "triage", "top_cause"):
        db.execute(f"ALTER TABLE consultations ADD COLUMN {column} TEXT")
    rows = db.execute("SELECT id, case_json, advice_json FROM consultations").fetchall()
    for record_id, case_json, advice_json in rows:
        summary = _summary(_loads_or_empty(case_json), _loads_or_empty(advice_json))
        db.execute("UPDATE consultations SET location = ?, triage = ?, top_cause = ? WHERE id = ?",
                   (*summary, record_id))
    db.execute("CREATE INDEX consultations_by_location ON consultations (location, created)")


MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (_create_tables, _add_summary_columns)
SCHEMA_VERSION = len(MIGRATIONS)

_COLUMNS = "id, created, version, location, triage, top_cause, case_json, advice_json"
_SUMMARY_COLUMNS = "id, created, version, location, triage, top_cause, case_json, '{}'"  # the advice left out


def warn_on_stderr(message: str) -> None:
    sys.stderr.write(f"painadvisor: {message}\n")


class History:
    """The consultations stored in one file; use as a context manager.

    Damaged rows are skipped wherever many are read (and reported once, through ``warn``),
    so one bad row never blocks the rest.  A file or folder others can read or write is
    made private when it is opened (reported through ``warn`` when that is impossible).
    """

    def __init__(self, path: Path, *, create: bool = True, warn: Callable[[str], None] = warn_on_stderr) -> None:
        self.path = Path(path)
        self._warn = warn
        self._reported: set[int] = set()
        if _prepare_file(self.path, create=create):
            _inspect(self.path)  # read-only: nothing is written to a file that is not ours
        self._db = _connect(self.path, "rw")
        self._db.text_factory = _text  # text that is not UTF-8 is read, not refused
        try:
            self._migrate()
        except sqlite3.Error as err:
            self._db.close()
            raise _problem(err, self.path, "cannot open the history database") from None
        except BaseException:
            self._db.close()
            raise
        _make_private(self.path, warn)

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def save(self, case: Mapping[str, Any], advice: Mapping[str, Any], version: str, *,
             when: datetime | None = None) -> int:
        """Store one consultation and return its id."""
        row = (_stamp(when or datetime.now(UTC)), version, _dumps(case), _dumps(advice), *_summary(case, advice))
        with self._transaction("cannot save the consultation"):
            cursor = self._db.execute(
                "INSERT INTO consultations (created, version, case_json, advice_json, location, triage, top_cause)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)", row)
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def records(self, *, with_advice: bool = True) -> list[Record]:
        """Every consultation, newest first (``with_advice=False``: without the advice, which is large)."""
        return self._select("ORDER BY created DESC, id DESC", columns=None if with_advice else _SUMMARY_COLUMNS)

    def get(self, record_id: int) -> Record:
        _check_id(record_id, self.path)
        found = self._select("WHERE id = ?", (record_id,), skip_damaged=False)
        if not found:
            raise HistoryError(f"no consultation with id {record_id}", path=self.path, record_id=record_id)
        return found[0]

    def delete(self, record_id: int) -> None:
        _check_id(record_id, self.path)
        with self._transaction(f"cannot delete consultation {record_id}"):
            deleted = self._db.execute("DELETE FROM consultations WHERE id = ?", (record_id,)).rowcount
            if not deleted:
                raise HistoryError(f"no consultation with id {record_id}", path=self.path, record_id=record_id)

    def delete_all(self) -> int:
        with self._transaction("cannot delete the consultations"):
            return self._db.execute("DELETE FROM consultations").rowcount

    def export(self, target: Path) -> int:
        """Write every consultation, oldest first, as JSON lines; never over an existing file."""
        oldest_first = self._select("ORDER BY created, id")
        write_atomically(target, "".join(_export_line(record) for record in oldest_first), force=False,
                         private=True)
        return len(oldest_first)

    def same_location(self, location: str, *, now: datetime | None = None, weeks: int = 8,
                      last: int | None = None) -> list[Record]:
        """The consultations for ``location`` in the ``weeks`` weeks up to ``now``, oldest first.

        With ``last``, only the first of them and the ``last`` latest: all that the advice needs
        (when it started, how it was last time), read through the index, however long the history."""
        until = _utc(now or datetime.now(UTC))
        since = until - timedelta(weeks=weeks)
        where = "WHERE location = ? AND created >= ? AND created <= ?"
        window = (location, _stamp(since), _stamp(until))
        if last is None:
            return self._select(f"{where} ORDER BY created, id", window, columns=_SUMMARY_COLUMNS)
        # The earliest readable record (a damaged one is skipped, as everywhere), and the latest.
        first = self._select(f"{where} ORDER BY created, id LIMIT ?", (*window, FIRST_TRIES),
                             columns=_SUMMARY_COLUMNS)[:1]
        if not first:  # nothing readable among the first tries: read them all
            first = self._select(f"{where} ORDER BY created, id", window, columns=_SUMMARY_COLUMNS)[:1]
        latest = self._select(f"{where} ORDER BY created DESC, id DESC LIMIT ?", (*window, last),
                              columns=_SUMMARY_COLUMNS)[::-1]
        return first + [record for record in latest if not first or record.id != first[0].id]

    def _select(self, clause: str, parameters: tuple[object, ...] = (), *, columns: str | None = None,
                skip_damaged: bool = True) -> list[Record]:
        try:
            rows = self._db.execute(f"SELECT {columns or _COLUMNS} FROM consultations {clause}", parameters).fetchall()
        except sqlite3.Error as err:
            raise _problem(err, self.path, "cannot read the history database") from None
        records, damaged = [], []
        for row in rows:
            try:
                records.append(self._record(row))
            except HistoryError as err:
                if not skip_damaged or err.record_id is None:
                    raise
                damaged.append(err.record_id)
        self._report_damaged(damaged)
        return records

    def _record(self, row: tuple[Any, ...]) -> Record:
        record_id, created, version, location, triage, top_cause, case_json, advice_json = row
        try:
            return Record(record_id, datetime.fromisoformat(created).astimezone(UTC), str(version),
                          _optional_text(location), str(triage or ""), _optional_text(top_cause),
                          _loads(case_json), _loads(advice_json))
        except (TypeError, ValueError, OverflowError, RecursionError):
            raise HistoryError(f"consultation {record_id} is damaged", path=self.path,
                               record_id=record_id) from None

    def _report_damaged(self, damaged: list[int]) -> None:
        """Say once which consultations were skipped as damaged (they stay in the file)."""
        new = sorted(record_id for record_id in set(damaged) if record_id not in self._reported)
        if not new:
            return
        self._reported.update(new)
        ids = ", ".join(str(record_id) for record_id in new[:10]) + (" ..." if len(new) > 10 else "")
        self._warn(f"skipped {len(new)} damaged consultation{'s' if len(new) != 1 else ''} ({ids}) in {self.path}; "
                   "'painadvisor history delete ID' removes one")

    @contextmanager
    def _transaction(self, action: str) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` ... ``COMMIT``; anything that fails rolls the whole write back."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
            yield
            self._db.execute("COMMIT")
        except BaseException as err:
            if self._db.in_transaction:
                with suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
            if isinstance(err, sqlite3.Error):
                raise _problem(err, self.path, f"{action}; nothing was changed") from None
            raise

    def _migrate(self) -> None:
        up_to_date = _stored_version(self._db, self.path) == SCHEMA_VERSION  # refuses a file that is not ours
        self._db.execute("PRAGMA journal_mode = WAL")
        if up_to_date:
            return  # opening takes no write lock
        while True:
            with self._transaction("cannot update the history database"):
                version = _stored_version(self._db, self.path)  # again: another process may have migrated
                if version == SCHEMA_VERSION:
                    return
                MIGRATIONS[version](self._db)
                self._db.execute("DELETE FROM schema_version")
                self._db.execute("INSERT INTO schema_version (version) VALUES (?)", (version + 1,))


# Progress of the same pain over several consultations.

def compare(previous: list[Record], case: Mapping[str, Any], now: datetime) -> Progress | None:
    """How the pain in ``case`` compares with earlier records of the same location, if any."""
    earlier = _same_pain(previous, case, _utc(now))
    if not earlier:
        return None
    first, last = earlier[0], earlier[-1]
    return Progress((_utc(now) - first.created).days, first, last, _change(last.case, case))


def persistent_from_history(previous: list[Record], case: Mapping[str, Any], now: datetime) -> bool:
    """The same pain was first recorded ``PERSISTENT_DAYS`` or more ago and is not getting better."""
    progress = compare(previous, case, now)
    return progress is not None and progress.days_since_first >= PERSISTENT_DAYS and progress.change != "better"


def _same_pain(previous: list[Record], case: Mapping[str, Any], now: datetime) -> list[Record]:
    location = case.get("location")
    same = [record for record in previous if location and record.location == location and record.created <= now]
    return sorted(same, key=lambda record: (record.created, record.id))


def _change(before: Mapping[str, Any], after: Mapping[str, Any]) -> Change:
    old, new = _severity(before), _severity(after)
    if old is not None and new is not None:
        return "better" if new < old else "worse" if new > old else "same"
    trend = after.get("trend")
    return "better" if trend == "better" else "worse" if trend == "worse" else "same"


def _severity(case: Mapping[str, Any]) -> int | None:
    value = case.get("severity")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


# Opening: the file, its header, its contents.

def exists(path: Path) -> bool:
    """Whether something is at ``path`` (like ``Path.exists``), but a path that can never be a
    history database (a name too long, a NUL byte) is a one-line ``HistoryInputError``."""
    try:
        os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return False
    except OSError as err:
        raise _os_problem(err, path) from None
    except ValueError:
        raise HistoryInputError("not a valid path for the history database", path=path) from None
    return True


def _prepare_file(path: Path, *, create: bool) -> bool:
    """Check or create the file; True when it holds something to inspect before writing.

    Only a regular file is ever opened, and without blocking: a FIFO or a device is refused."""
    try:
        try:
            info = os.stat(path)
        except FileNotFoundError:
            if not create:
                raise HistoryError("no history database here", path=path) from None
            _create_private(path)
            return False
        if stat.S_ISDIR(info.st_mode):
            raise HistoryError("the history path is a folder, not a file", path=path)
        if not stat.S_ISREG(info.st_mode):
            raise HistoryError("the history path is not a regular file (a FIFO, socket or device); left untouched",
                               path=path)
        from painadvisor.files.reading import read_regular_file

        header = read_regular_file(path, len(SQLITE_HEADER))
        if header and header != SQLITE_HEADER:
            raise HistoryError("not a painadvisor history database (not SQLite); left untouched", path=path)
        return bool(header)
    except OSError as err:
        raise _os_problem(err, path) from None
    except ValueError:
        raise HistoryInputError("not a valid path for the history database", path=path) from None


def _os_problem(err: OSError, path: Path) -> HistoryError:
    if err.errno == errno.ENAMETOOLONG:
        return HistoryInputError("cannot use this path for the history database (file name too long)", path=path)
    if err.errno == errno.EINVAL:  # read_regular_file: not a regular file
        return HistoryError("the history path is not a regular file (a FIFO, socket or device); left untouched",
                            path=path)
    return HistoryError(f"cannot open the history database ({err.strerror or err})", path=path)


def _check_id(record_id: int, path: Path) -> None:
    if not 0 < record_id <= MAX_ID:
        raise HistoryInputError(f"no consultation with id {record_id} (ids are whole numbers from 1 to {MAX_ID})",
                                path=path, record_id=None)


def _make_private(path: Path, warn: Callable[[str], None]) -> None:
    """The history file (and its -wal and -shm files) readable by the user only, and its folder
    writable by nobody else: tightened when they are not (a folder only when it holds nothing
    but the history), reported when that is impossible."""
    problems = []
    ours = {path.name, f"{path.name}-wal", f"{path.name}-shm", f"{path.name}-journal"}
    for name in sorted(ours):
        with suppress(FileNotFoundError):
            item = path.with_name(name)
            mode = stat.S_IMODE(os.stat(item).st_mode)
            if mode & 0o077 and not _chmod(item, mode & 0o700):
                problems.append(f"{item} can be read by others")
    with suppress(FileNotFoundError):
        folder = path.absolute().parent
        mode = stat.S_IMODE(os.stat(folder).st_mode)
        if mode & 0o022 and not mode & stat.S_ISVTX:  # others could swap the file (a sticky folder stops that)
            if not (_only(folder, ours) and _chmod(folder, mode & 0o700)):
                problems.append(f"its folder {folder} can be written by others")
    if problems:
        warn(f"the history is not private and could not be made so: {'; '.join(problems)}")


def _only(folder: Path, names: set[str]) -> bool:
    """The folder holds nothing but these names (so it is the history's own folder)."""
    try:
        return set(os.listdir(folder)) <= names
    except OSError:
        return False


def _chmod(path: Path, mode: int) -> bool:
    try:
        os.chmod(path, mode)
    except OSError:
        return False
    return True


def _create_private(path: Path) -> None:
    """An empty file only the user can read, in folders created as needed."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except FileExistsError:  # a file stands where a folder should be
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR)) from None
    with suppress(FileExistsError):  # another painadvisor may be creating it too
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _inspect(path: Path) -> None:
    """Read-only checks of an existing file: intact, our tables, a schema version we know."""
    sidecars = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    ours = [sidecar for sidecar in sidecars if not sidecar.exists()]
    try:
        _inspect_read_only(path)
    except HistoryError:
        _remove_empty_wal(ours)  # reading a WAL file creates them: leave the folder as it was
        raise


def _inspect_read_only(path: Path) -> None:
    db = _connect(path, "ro")
    try:
        problems = db.execute("PRAGMA quick_check").fetchall()
        if problems != [("ok",)]:
            raise HistoryError("the history database is damaged; left untouched", path=path)
        _stored_version(db, path)
    except sqlite3.Error as err:
        raise _problem(err, path, "cannot read the history database") from None
    finally:
        db.close()


def _remove_empty_wal(created: list[Path]) -> None:
    """Remove the -wal and -shm files this check created, unless something was written to them."""
    wal = [sidecar for sidecar in created if sidecar.name.endswith("-wal")]
    with suppress(OSError):
        if all(sidecar.stat().st_size == 0 for sidecar in wal if sidecar.exists()):
            for sidecar in created:
                sidecar.unlink(missing_ok=True)


def _stored_version(db: sqlite3.Connection, path: Path) -> int:
    """The schema version (0 for an empty database); a file that is not ours is an error."""
    names = {name for (name,) in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite^_%' ESCAPE '^'")}
    if not names:
        return 0
    if not TABLES <= names:
        raise HistoryError("not a painadvisor history database (other tables); left untouched", path=path)
    rows = db.execute("SELECT version FROM schema_version").fetchall()
    if len(rows) != 1 or not isinstance(rows[0][0], int) or rows[0][0] < 1:
        raise HistoryError("the history database has no valid schema version; left untouched", path=path)
    version: int = rows[0][0]
    if version > SCHEMA_VERSION:
        raise HistoryError(f"the history database has schema version {version}, newer than this painadvisor"
                           f" knows ({SCHEMA_VERSION}); left untouched", path=path)
    if names != TABLES:
        raise HistoryError("not a painadvisor history database (other tables); left untouched", path=path)
    return version


def _connect(path: Path, mode: Literal["ro", "rw"]) -> sqlite3.Connection:
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True,
                             timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
    except sqlite3.Error as err:
        raise _problem(err, path, "cannot open the history database") from None
    return db


def _problem(err: sqlite3.Error, path: Path, action: str) -> HistoryError:
    """One line for an SQLite error; SQLite's messages hold no values from the case."""
    code = (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
        return HistoryError("history database is busy (locked by another painadvisor?)", path=path)
    if code in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB):
        return HistoryError("the history database is damaged or not SQLite; left untouched", path=path)
    reason = "the file or its folder is read-only" if code == sqlite3.SQLITE_READONLY else str(err)
    return HistoryError(f"{action} ({reason})", path=path)


# Values in and out of the database.

def _summary(case: Mapping[str, Any], advice: Mapping[str, Any]) -> tuple[str | None, str, str | None]:
    """The columns kept beside the JSON: location, triage and the leading cause."""
    location = case.get("location")
    triage = advice.get("triage")
    causes = advice.get("causes")
    top = causes[0] if isinstance(causes, list) and causes and isinstance(causes[0], dict) else {}
    top_cause = top.get("id")
    return (location if isinstance(location, str) else None, triage if isinstance(triage, str) else "",
            top_cause if isinstance(top_cause, str) else None)


def _export_line(record: Record) -> str:
    entry = {"id": record.id, "created": record.created.isoformat(), "version": record.version,
             "case": record.case, "advice": record.advice}
    return json.dumps(entry, ensure_ascii=False) + "\n"


def _dumps(document: Mapping[str, Any]) -> str:
    """JSON text that is always valid UTF-8: a lone surrogate (a byte that was not UTF-8) becomes U+FFFD."""
    text = json.dumps(dict(document), sort_keys=False, ensure_ascii=False)
    return _SURROGATE.sub("\ufffd", text)


def _text(data: bytes) -> str:
    """A text column as read: bytes that are not UTF-8 become U+FFFD instead of failing the read."""
    return data.decode("utf-8", "replace")


def _optional_text(value: object) -> str | None:
    if value is not None and not isinstance(value, str):
        raise TypeError("not text")
    return value


def _loads(text: object) -> dict[str, Any]:
    document = json.loads(text) if isinstance(text, str) else None
    if not isinstance(document, dict):
        raise ValueError("not a JSON object")
    return document


def _loads_or_empty(text: object) -> dict[str, Any]:
    try:
        return _loads(text)
    except ValueError:
        return {}


def _utc(moment: datetime) -> datetime:
    if moment.utcoffset() is None:
        raise ValueError("a time without a time zone is ambiguous; pass an aware datetime")
    return moment.astimezone(UTC)


def _stamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a fixed width, so the text sorts in time order."""
    return _utc(moment).isoformat(timespec="microseconds")
