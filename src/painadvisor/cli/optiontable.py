"""The options of the common commands, declared once.

Typer's commands (``cli/app.py`` through ``cli/options.py``) and the fast path for plain
calls (``cli/entry.py``) are both built from these tables (and, for ``advise``, from the
vocabulary), so they cannot disagree on a name, a default or an environment variable;
``tests/test_entry.py`` checks them against each other for every option and fact.  No
Typer here: the fast path must not import it (Typer builds a pydantic adapter for every
value it parses, which costs more than the whole advice).
"""

from __future__ import annotations

from enum import StrEnum


class Option:
    """One option: ``kind`` is value, path, texts (repeatable), paths (repeatable), switch or
    choice (one of ``choices``, the first is the default)."""

    __slots__ = ("dest", "flags", "kind", "help", "metavar", "envvar", "fast", "choices")

    def __init__(self, dest: str, flags: tuple[str, ...], kind: str, help: str, metavar: str | None = None,  # noqa: A002
                 *, envvar: str | None = None, fast: bool = True, choices: tuple[str, ...] = ()) -> None:
        self.dest, self.flags, self.kind, self.help, self.metavar = dest, flags, kind, help, metavar
        self.envvar, self.fast, self.choices = envvar, fast, choices

    @property
    def default(self) -> object:
        if self.kind == "choice":
            return self.choices[0]
        return False if self.kind == "switch" else None


class Command:
    """A command the fast path may run: its options, its positional arguments (all required),
    and whether every fact of the vocabulary is a flag of it."""

    __slots__ = ("name", "options", "positionals", "facts", "by_dest")

    def __init__(self, name: str, options: tuple[Option, ...], positionals: tuple[str, ...] = (), *,
                 facts: bool = False) -> None:
        self.name, self.options, self.positionals, self.facts = name, options, positionals, facts
        self.by_dest = {option.dest: option for option in options}


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


FORMATS = tuple(member.value for member in OutputFormat)
LIST_FORMATS = tuple(member.value for member in ListFormat)

OUTPUT_FORMAT = Option("output_format", ("--format", "-f"), "choice",
                       "text (for people), json (for scripts) or markdown (a report).", choices=FORMATS)
LIST_FORMAT = Option("output_format", ("--format", "-f"), "choice", "text or json.", choices=LIST_FORMATS)
OUTPUT = Option("output", ("--output", "-o"), "path", "Write the advice to FILE instead of the screen.", "FILE")
FORCE = Option("force", ("--force",), "switch", "Replace FILE if it exists.")
EXPLAIN = Option("explain", ("--explain",), "switch", "Show every point behind every score.")
NO_SAVE = Option("no_save", ("--no-save",), "switch", "Neither use nor keep the local history for this consultation.")
DB = Option("db", ("--db",), "path", "The history database (default: history.db in your data folder).", "PATH",
            envvar="PAINADVISOR_DB")
RULES = Option("rules", ("--rules",), "texts", "An extra rule pack (a folder or file) loaded after the built-in "
               "one; repeatable. PAINADVISOR_RULES holds more (a path list).", "PACK")

ADVISE = Command("advise", (
    Option("case_file", ("--case",), "value", "A case file (YAML or JSON); '-' reads stdin. Flags override it.",
           "FILE"),
    Option("batch", ("--batch",), "value", "JSON lines, one case (or case file name) per line; '-' reads stdin. "
           "Writes one JSON advice per line, never the history; exit 1 if any line failed.", "FILE", fast=False),
    OUTPUT_FORMAT, OUTPUT, FORCE, EXPLAIN, NO_SAVE,
    Option("save", ("--save",), "switch", "Keep this consultation in the history even when the output is JSON, "
           "Markdown, a file or a pipe (by default only text shown on a terminal is kept)."),
    DB, RULES,
    Option("training", ("--training",), "paths", "Your training log: FIT, GPX or TCX files, Strava's "
           "activities.csv, or a folder of them; repeatable. The load before the pain is worked out from it.",
           "PATH"),
), facts=True)
ASK = Command("ask", (
    Option("replay", ("--replay",), "value", "Run the consultation without a terminal, answering from a case file "
           "('-' for stdin).", "FILE"),
    OUTPUT_FORMAT, OUTPUT, FORCE, EXPLAIN, NO_SAVE, DB, RULES,
))
EXPLAIN_CAUSE = Command("explain", (LIST_FORMAT, RULES), ("cause_id",))
CAUSES = Command("causes", (LIST_FORMAT, RULES))
FACTS = Command("facts", (Option("output_format", ("--format", "-f"), "choice", "text, json, or markdown (the "
                                 "vocabulary as a document, like intake.md).", choices=FORMATS), RULES))
SCHEMA = Command("schema", ())
COMMANDS = {command.name: command for command in (ADVISE, ASK, EXPLAIN_CAUSE, CAUSES, FACTS, SCHEMA)}
