"""Where painadvisor keeps its files: the user's data and cache folders.

On Linux and the BSDs these follow the XDG base directory spec, read straight from
the environment (this is on the start-up path of every run); elsewhere platformdirs
knows the conventions.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP = "painadvisor"


def _xdg(variable: str, fallback: str) -> Path:
    value = os.environ.get(variable, "")
    if os.path.isabs(value):
        return Path(value)
    try:
        return Path.home() / fallback
    except (RuntimeError, KeyError, OSError):  # no HOME and no entry in the password database
        from painadvisor.errors import UsageError

        raise UsageError(f"cannot find your home folder: set HOME or {variable}") from None


def user_data_dir() -> Path:
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return _xdg("XDG_DATA_HOME", ".local/share") / APP
    import platformdirs

    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def user_cache_dir() -> Path:
    if sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        return _xdg("XDG_CACHE_HOME", ".cache") / APP
    import platformdirs

    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def default_db_path() -> Path:
    """``$PAINADVISOR_DB`` if set, else ``history.db`` in the user's data folder."""
    override = os.environ.get("PAINADVISOR_DB")
    if override:
        return Path(override).expanduser()
    return user_data_dir() / "history.db"


def builtin_rules_dir() -> Path:
    """The rules shipped in the wheel, or the repository's ``rules/`` in a checkout."""
    package = Path(__file__).resolve().parents[1]
    packaged = package / "rules"
    return packaged if packaged.is_dir() else package.parents[1] / "rules"


def db_path(option: Path | None) -> Path:
    """``--db``, else ``$PAINADVISOR_DB``, else the user's data folder."""
    return option.expanduser() if option is not None else default_db_path()
