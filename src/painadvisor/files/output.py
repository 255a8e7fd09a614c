"""Writing results to a file: atomically, and never over an existing file unless asked.

The text goes to a temporary file in the target's folder, which then becomes the target
in one step: ``os.link`` (which fails if the target exists, so two writers can never
both "win") or, with ``--force``, ``os.replace``.  The temporary file is removed on
every way out, a signal (SIGTERM, SIGHUP) included; its name carries the writer's
process id, so a later run removes those left by a writer that was killed outright.
"""

from __future__ import annotations

import errno
import os
import re
import signal
import stat
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from painadvisor.errors import EXIT_USAGE, OutputError

TEMP_MARK = ".painadvisor-"  # temporary files: .NAME.painadvisor-PID-RANDOM.tmp
STALE_SECONDS = 60  # a temporary file this old whose writer is gone is removed
ABANDONED_SECONDS = 24 * 3600  # ... and one this old whatever its process id says
_TEMP_NAME = re.compile(r"^\..*\.painadvisor-(\d+)-[^/]*\.tmp$")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK, errno.ENOSYS, errno.EXDEV}
_UID = os.getuid() if hasattr(os, "getuid") else -1
_HANDLED_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class OutputPathError(OutputError):
    """A path that cannot be a file at all (a name too long): wrong input, exit 2."""

    exit_code = EXIT_USAGE


def write_atomically(path: Path, text: str, *, force: bool = False, private: bool = False) -> None:
    """Write ``text`` (as UTF-8) to ``path`` via a temporary file in the same folder.

    Without ``force`` an existing file is never replaced, even by a writer racing this one.
    The file gets the user's usual permissions (reports are made to be shared), or, with
    ``private``, only the user's (a backup of the health history)."""
    write_pieces_atomically(path, (text,), force=force, private=private)


def write_pieces_atomically(path: Path, pieces: Iterable[str], *, force: bool = False, private: bool = False) -> None:
    """``write_atomically`` for text made piece by piece (a batch): each piece is written as it
    comes, so memory stays flat; the file appears, whole, only when the last one is written."""
    _check_target(path, force=force)
    folder = path.parent if str(path.parent) else Path(".")
    remove_stale_temporaries(folder)
    try:
        import tempfile  # only when writing a file

        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name[:64]}{TEMP_MARK}{os.getpid()}-",
                                             suffix=".tmp")
    except OSError as err:
        raise _problem(err, path, "cannot write here") from None
    try:
        with _removed_on_signal(temporary):
            with os.fdopen(handle, "wb") as stream:
                if not private and hasattr(os, "fchmod"):  # mkstemp made it 0600
                    os.fchmod(stream.fileno(), 0o666 & ~_umask())
                for piece in pieces:
                    stream.write(_SURROGATE.sub("\ufffd", piece).encode("utf-8"))  # always valid UTF-8
                stream.flush()
                os.fsync(stream.fileno())
            if force:
                os.replace(temporary, path)
            else:
                _link_exclusively(temporary, path)
    except OSError as err:
        raise _problem(err, path, "cannot write") from None
    finally:
        with suppress(OSError):
            os.unlink(temporary)  # linked (or renamed) already, or failed: either way not left behind


def _umask() -> int:
    """The process's umask: reading it means setting it, so it is put straight back."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def exists(path: Path) -> bool:
    """Whether something is at ``path``, never raising (a name too long, a NUL: False, and
    ``write_atomically`` then says why it cannot write there)."""
    try:
        os.lstat(path)
    except (OSError, ValueError):
        return False
    return True


def _check_target(path: Path, *, force: bool) -> None:
    """Refuse early, before any work: an existing file (without ``force``), a folder, a bad path."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return  # a missing folder is reported when the temporary file cannot be made
    except OSError as err:
        raise _problem(err, path, "cannot write") from None
    except ValueError:
        raise OutputPathError("not a valid file name", path=str(path)) from None
    if stat.S_ISDIR(info.st_mode):
        raise OutputError("is a folder", path=str(path))
    if not force:
        raise OutputError("file exists; use --force to replace it", path=str(path))


def _link_exclusively(temporary: str, path: Path) -> None:
    """Make the finished temporary file the target, failing if the target exists."""
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise OutputError("file exists; use --force to replace it", path=str(path)) from None
    except OSError as err:
        if err.errno not in _NO_LINKS:
            raise
        # No hard links here (some network or FAT file systems): claim the name exclusively with an
        # empty file, then put the finished file in its place.
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:
            raise OutputError("file exists; use --force to replace it", path=str(path)) from None
        os.replace(temporary, path)


def _problem(err: OSError, path: Path, action: str) -> OutputError:
    if err.errno == errno.ENAMETOOLONG:
        return OutputPathError(f"{action}: the file name is too long", path=str(path))
    if err.errno == errno.EISDIR:
        return OutputError("is a folder", path=str(path))
    return OutputError(f"{action}: {err.strerror or err}", path=str(path))


@contextmanager
def _removed_on_signal(temporary: str) -> Iterator[None]:
    """While the temporary file exists, SIGTERM or SIGHUP removes it before the process ends as it
    would have (SIGINT raises KeyboardInterrupt, which the caller's ``finally`` handles)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may set signal handlers
        return
    previous: dict[int, object] = {}

    def remove_then_die(signum: int, frame: FrameType | None) -> None:
        before = previous.get(signum)
        if before is signal.SIG_IGN:
            return
        if callable(before):
            before(signum, frame)  # the program's own handler decides; the caller's finally cleans up
            return
        with suppress(OSError):
            os.unlink(temporary)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    for signum in _HANDLED_SIGNALS:
        with suppress(ValueError, OSError):
            previous[signum] = signal.signal(signum, remove_then_die)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            with suppress(ValueError, OSError, TypeError):
                signal.signal(signum, handler)  # type: ignore[arg-type]


def remove_stale_temporaries(folder: Path, *, pattern: str | re.Pattern[str] = _TEMP_NAME,
                             now: float | None = None) -> int:
    """Remove this user's painadvisor temporary files in ``folder`` left by a writer that is gone
    (killed outright, so nothing could clean up); returns how many went.  Best effort.

    ``pattern`` matches the names of such files, its first group being the writer's process id."""
    now = time.time() if now is None else now
    names = re.compile(pattern) if isinstance(pattern, str) else pattern
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        found = names.match(entry.name)
        if found is None:
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            age = now - info.st_mtime
            if (not stat.S_ISREG(info.st_mode) or info.st_uid != _UID
                    or age < STALE_SECONDS or (age < ABANDONED_SECONDS and _alive(int(found.group(1))))):
                continue
            os.unlink(entry.path)
            removed += 1
        except (OSError, ValueError, OverflowError):
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or cannot tell: leave the file
    return True
