"""painadvisor's cache files: private to this user, written whole or not at all, and read
only when nobody else could have written them."""

from __future__ import annotations

import os
import stat
from contextlib import suppress
from pathlib import Path

_UID = os.getuid() if hasattr(os, "getuid") else None


def cache_dir() -> Path | None:
    if os.environ.get("PAINADVISOR_NO_CACHE", "") not in ("", "0"):
        return None
    override = os.environ.get("PAINADVISOR_CACHE_DIR")
    if override:
        return Path(override)
    from painadvisor.errors import PainAdvisorError
    from painadvisor.files.paths import user_cache_dir

    try:
        return user_cache_dir()
    except PainAdvisorError:
        return None  # no home folder: run without a cache


def read_trusted(path: Path, max_bytes: int) -> bytes | None:
    """The file's bytes if it is a regular file of this user's that nobody else can write."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except (OSError, ValueError):
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode) or info.st_size > max_bytes or info.st_mode & 0o022:
            return None
        if _UID is not None and info.st_uid != _UID:
            return None
        with os.fdopen(os.dup(descriptor), "rb") as stream:
            return stream.read(max_bytes + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)


def write(path: Path, data: bytes, *, prefix: str) -> bool:
    """Write ``data`` to ``path`` atomically (a private temporary file, then a rename); False when
    it could not be written (the program then runs without this cache)."""
    temporary: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        import tempfile

        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f"{prefix}{os.getpid()}-", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
        return True
    except OSError:
        if temporary is not None:
            with suppress(OSError):
                os.unlink(temporary)
        return False
