"""Writing results to a file: atomically, and never over an existing file unless asked."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from painadvisor.errors import OutputError


def write_atomically(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` via a temporary file in the same folder, then rename."""
    if path.exists() and not force:
        raise OutputError("file exists; use --force to replace it", path=str(path))
    if path.is_dir():
        raise OutputError("is a folder", path=str(path))
    folder = path.parent if str(path.parent) else Path(".")
    try:
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=".tmp")
    except OSError as err:
        raise OutputError(f"cannot write here: {err.strerror or err}", path=str(path)) from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException as err:
        Path(temporary).unlink(missing_ok=True)
        if isinstance(err, OSError):
            raise OutputError(f"cannot write: {err.strerror or err}", path=str(path)) from None
        raise
