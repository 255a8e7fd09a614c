"""The options of ``advise`` beside the facts, declared once.

Typer's command (``cli/options.py``) and the fast path for plain calls (``cli/entry.py``)
are both built from this table and from the vocabulary, so they cannot disagree on a
name, a default or an environment variable; ``tests/test_entry.py`` checks them against
each other for every option and fact.  No Typer here: the fast path must not import it.
"""

from __future__ import annotations

from typing import NamedTuple


class Option(NamedTuple):
    dest: str  # the command's parameter
    flags: tuple[str, ...]
    kind: str  # value | path | texts (repeatable) | paths (repeatable) | switch | format
    help: str
    metavar: str | None = None
    envvar: str | None = None
    fast: bool = True  # taken by the fast path (else such a call goes to the full CLI)


FORMATS = ("text", "json", "markdown")
DEFAULTS: dict[str, object] = {"value": None, "path": None, "texts": None, "paths": None, "switch": False,
                               "format": "text"}

ADVISE: tuple[Option, ...] = (
    Option("case_file", ("--case",), "value", "A case file (YAML or JSON); '-' reads stdin. Flags override it.",
           "FILE"),
    Option("batch", ("--batch",), "value", "JSON lines, one case (or case file name) per line; '-' reads stdin. "
           "Writes one JSON advice per line, never the history; exit 1 if any line failed.", "FILE", fast=False),
    Option("output_format", ("--format", "-f"), "format", "text (for people), json (for scripts) or markdown "
           "(a report)."),
    Option("output", ("--output", "-o"), "path", "Write the advice to FILE instead of the screen.", "FILE"),
    Option("force", ("--force",), "switch", "Replace FILE if it exists."),
    Option("explain", ("--explain",), "switch", "Show every point behind every score."),
    Option("no_save", ("--no-save",), "switch", "Neither use nor keep the local history for this consultation."),
    Option("save", ("--save",), "switch", "Keep this consultation in the history even when the output is JSON, "
           "Markdown, a file or a pipe (by default only text shown on a terminal is kept)."),
    Option("db", ("--db",), "path", "The history database (default: history.db in your data folder).", "PATH",
           envvar="PAINADVISOR_DB"),
    Option("rules", ("--rules",), "texts", "An extra rule pack (a folder or file) loaded after the built-in one; "
           "repeatable. PAINADVISOR_RULES holds more (a path list).", "PACK"),
    Option("training", ("--training",), "paths", "Your training log: FIT, GPX or TCX files, Strava's "
           "activities.csv, or a folder of them; repeatable. The load before the pain is worked out from it.",
           "PATH"),
)
BY_DEST = {option.dest: option for option in ADVISE}


def default(dest: str) -> object:
    return DEFAULTS[BY_DEST[dest].kind]
