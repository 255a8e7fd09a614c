"""Finding and reading training files: folders, plain and gzipped files, one reader per format.

Only regular files are ever opened (a FIFO or a device could block or never end), nothing
larger than ``MAX_BYTES`` is read, and a file that cannot be used never raises: it is listed
with a one-line reason.
"""

from __future__ import annotations

import gzip
import io
import os
import stat
import zlib
from collections.abc import Callable, Iterable, Iterator

from painadvisor.training.dedupe import merge_duplicates
from painadvisor.training.fit import read_fit
from painadvisor.training.gpx import read_gpx
from painadvisor.training.model import Activity, FileRead, Skipped, UnreadableFile
from painadvisor.training.stravacsv import read_strava_csv
from painadvisor.training.tcx import read_tcx

MAX_BYTES = 256 * 1024 * 1024
Reader = Callable[[bytes, str], tuple[list[Activity], list[str]]]
PathLike = str | os.PathLike[str]


def _no_notes(read: Callable[[bytes, str], list[Activity]]) -> Reader:
    return lambda data, source: (read(data, source), [])


READERS: dict[str, Reader] = {
    ".fit": _no_notes(read_fit), ".gpx": _no_notes(read_gpx), ".tcx": _no_notes(read_tcx), ".csv": read_strava_csv,
}


def read_activities(paths: PathLike | Iterable[PathLike]) -> tuple[list[Activity], list[FileRead], list[Skipped]]:
    """Read every training file in ``paths`` (files, or folders searched recursively).

    Folders are searched for .fit, .gpx, .tcx and .csv files (any case, optionally gzipped as
    in Strava's bulk export).  Returns the activities (sorted by start, the same activity in
    several files counted once), each file read with how many activities it held (before that
    merge), and each file skipped with a one-line reason.  A CSV file some of whose rows could
    not be used is in both lists: read, and skipped with the rows' reason.  Nothing raises.
    """
    found: list[Activity] = []
    files: list[FileRead] = []
    skipped: list[Skipped] = []
    seen: set[tuple[int, int]] = set()
    for path, problem in _candidates(paths):
        if problem:
            skipped.append(Skipped(path, problem))
            continue
        _read_one(path, seen, found, files, skipped)
    return merge_duplicates(found), files, skipped


def _as_list(paths: PathLike | Iterable[PathLike]) -> list[PathLike]:
    if isinstance(paths, str | os.PathLike):
        return [paths]
    return list(paths)


def training_kind(name: str) -> str | None:
    """'.fit', '.gpx', '.tcx' or '.csv' for a file name (any case, optionally gzipped), else None."""
    lower = name.lower().removesuffix(".gz")
    suffix = os.path.splitext(lower)[1]
    return suffix if suffix in READERS else None


def _candidates(paths: PathLike | Iterable[PathLike]) -> Iterator[tuple[str, str]]:
    """Each file to read, with an empty problem, or a path and why it cannot be used."""
    for raw in _as_list(paths):
        path = os.fspath(raw)
        try:
            info = os.stat(path)
        except OSError as error:
            yield path, _os_reason(error)
            continue
        if stat.S_ISDIR(info.st_mode):
            yield from _walk(path)
        elif training_kind(path) is None:
            yield path, "not a training file (expected .fit, .gpx, .tcx or Strava's activities.csv)"
        else:
            yield path, ""


def _walk(folder: str) -> Iterator[tuple[str, str]]:
    """Training files under a folder, in a stable order; symbolic links to folders are not followed."""
    problems: list[tuple[str, str]] = []

    def on_error(error: OSError) -> None:
        problems.append((str(error.filename or folder), _os_reason(error)))

    for root, dirs, names in os.walk(folder, onerror=on_error, followlinks=False):
        dirs.sort()
        for name in sorted(names):
            if training_kind(name) is not None:
                yield os.path.join(root, name), ""
    yield from problems


def _os_reason(error: OSError) -> str:
    return f"cannot be read ({error.strerror or type(error).__name__})"


def _read_one(path: str, seen: set[tuple[int, int]], found: list[Activity], files: list[FileRead],
              skipped: list[Skipped]) -> None:
    kind = training_kind(path) or ""
    try:
        data, identity = read_regular_file(path)
        if identity in seen:
            return
        seen.add(identity)
        if path.lower().endswith(".gz"):
            data = _gunzip(data)
        activities, notes = READERS[kind](data, path)
    except UnreadableFile as error:
        skipped.append(Skipped(path, str(error)))
        return
    except Exception as error:  # noqa: BLE001 - a bad file must never stop the whole log
        skipped.append(Skipped(path, f"could not be read ({type(error).__name__}: {_short(error)})"))
        return
    _record(path, activities, notes, found, files, skipped)


def _record(path: str, activities: list[Activity], notes: list[str], found: list[Activity],
            files: list[FileRead], skipped: list[Skipped]) -> None:
    if notes and not activities:
        skipped.append(Skipped(path, f"no usable rows ({notes[0]})"))
        return
    if notes:
        more = f" and {len(notes) - 1} more" if len(notes) > 1 else ""
        rows = "1 row" if len(notes) == 1 else f"{len(notes)} rows"
        skipped.append(Skipped(path, f"{rows} not used ({notes[0]}{more})"))
    files.append(FileRead(path, len(activities)))
    found.extend(activities)


def _short(error: BaseException) -> str:
    return " ".join(str(error).split())[:120]


def read_regular_file(path: str) -> tuple[bytes, tuple[int, int]]:
    """The bytes of a regular file, and its (device, inode); anything else is refused unopened."""
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            raise UnreadableFile("not a regular file (a folder, FIFO, device or socket)")
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as error:
        raise UnreadableFile(_os_reason(error)) from None
    with open(fd, "rb", closefd=True) as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):  # it changed between the check and the open
            raise UnreadableFile("not a regular file (a folder, FIFO, device or socket)")
        if info.st_size > MAX_BYTES:
            raise UnreadableFile(f"too large ({info.st_size // (1024 * 1024)} MiB; the limit is "
                                 f"{MAX_BYTES // (1024 * 1024)} MiB)")
        try:
            data = handle.read(MAX_BYTES + 1)
        except OSError as error:
            raise UnreadableFile(_os_reason(error)) from None
    if len(data) > MAX_BYTES:
        raise UnreadableFile(f"too large (over {MAX_BYTES // (1024 * 1024)} MiB)")
    return data, (info.st_dev, info.st_ino)


def _gunzip(data: bytes) -> bytes:
    """Strava's bulk export gzips its activity files; never unpack more than ``MAX_BYTES``."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as unpacked:
            out = unpacked.read(MAX_BYTES + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise UnreadableFile(f"damaged gzip file ({_short(error)})") from None
    if len(out) > MAX_BYTES:
        raise UnreadableFile(f"too large once unpacked (over {MAX_BYTES // (1024 * 1024)} MiB)")
    return out
