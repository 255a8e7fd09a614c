"""The advice on a terminal, with Rich.  Red flags first, in a panel nobody can miss.

Every string that comes from the user or a rule file goes through ``Text`` (never
parsed as markup) after control characters are stripped, so nothing typed can
style, move or hide output.
"""

from __future__ import annotations

import io
import math
import os
import sys
import typing
from collections.abc import Callable, Mapping
from typing import Any, TextIO

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from painadvisor.kb.models import (
    TRIAGE_LEVELS,
    Advice,
    Cause,
    Contribution,
    HistoryNote,
    KnowledgeBase,
    RaisedFlag,
    RankedCause,
)
from painadvisor.kb.vocabulary import FACTS_BY_ID
from painadvisor.render.common import (
    DISCLAIMER,
    TRIAGE_HEADLINES,
    TRIAGE_SUMMARIES,
    describe,
    facts_in_words,
    format_facts,
    percent,
    running_advice,
    shown_causes,
    triage_in_words,
)

TOP_REASONS = 3
BAR_WIDTH = 20
_STYLES = {"emergency": "bold white on red", "urgent": "bold white on dark_orange3",
           "see-doctor": "bold black on yellow", "self-care": "bold green"}
_BORDERS = {"emergency": "red", "urgent": "dark_orange3", "see-doctor": "yellow", "self-care": "green"}


class _Console(Console):
    def on_broken_pipe(self) -> None:
        """The reader went away (``| head``): stop quietly with 141, as other tools do."""
        from painadvisor.errors import quiet_broken_pipe

        raise SystemExit(quiet_broken_pipe())


class _TrimmedLines(io.TextIOBase):
    """A text stream that drops the spaces Rich pads lines with, for pipes and files."""

    def __init__(self, target: TextIO) -> None:
        self.target, self.pending = target, ""

    def write(self, text: str) -> int:
        lines = (self.pending + text).split("\n")
        self.pending = lines.pop()
        if lines:
            self.target.write("".join(line.rstrip(" ") + "\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        if self.pending.strip(" ") == "":
            self.pending = ""
        self.target.flush()

    def isatty(self) -> bool:
        return False

    @property
    def encoding(self) -> str:  # type: ignore[override]
        return getattr(self.target, "encoding", "utf-8") or "utf-8"


def text_console(*, to_file: bool = False) -> Console:
    """stdout, coloured only on a terminal without NO_COLOR; or a recorder for a file.  On a
    pipe, lines carry no trailing spaces."""
    if to_file:
        return _Console(file=io.StringIO(), record=True, width=100, color_system=None,
                        force_terminal=False, highlight=False)
    piped = not sys.stdout.isatty()
    stream = _TrimmedLines(sys.stdout) if piped else None
    if os.environ.get("NO_COLOR") or piped:
        return _Console(file=typing.cast(TextIO, stream), highlight=False, color_system=None)  # plain text
    return _Console(highlight=False)


def clean(text: str) -> Text:
    """User or rule text as literal Rich text: no markup, no control characters."""
    return Text("".join(ch if ch.isprintable() or ch == "\n" else "?" for ch in text))


Labels = Callable[[str, object], list[str]]


def render_terminal(advice: Advice, console: Console, *, explain: bool = False, conversation: bool = False,
                    overrides: tuple[tuple[str, str], ...] = (), labels: Labels | None = None) -> None:
    """The advice on a terminal; ``labels`` (from ``render.common.answer_labels``) words the facts."""
    console.print(_triage_panel(advice, overrides, labels))
    console.print()
    if advice.history is not None:
        for line in _history_lines(advice.history):
            console.print(line)
        console.print()
    console.print(Text("Likely causes", style="bold underline"))
    console.print(_cause_table(shown_causes(advice), set(advice.rule_out), explain=explain, labels=labels))
    console.print()
    for kind, title in (("now", "What to do now"), ("prevention", "To stop it coming back")):
        tips = [chosen.tip.text for chosen in advice.tips if chosen.tip.kind == kind]
        if tips:
            console.print(Text(title, style="bold underline"))
            console.print(_bullets(tips))
            console.print()
    if advice.training is not None:
        for row in training_lines(advice.training):
            console.print(Text(row, style="bold underline") if row == TRAINING_TITLE else Text(row))
        console.print()
    if advice.missing:
        console.print(Text("To sharpen this advice, tell me:", style="bold"))
        console.print(_bullets([FACTS_BY_ID[fact].label if conversation else
                                f"{FACTS_BY_ID[fact].label} ({FACTS_BY_ID[fact].flag})" for fact in advice.missing]))
        console.print()
    console.print(Text(DISCLAIMER, style="italic"))


TRAINING_TITLE = "Your training (from your log)"
CHART_WIDTH = 24


def training_lines(training: Mapping[str, Any]) -> list[str]:
    """Weekly running distance as bars (the spike's week marked), then what was taken from the log."""
    weeks = list(training.get("weeks", []))
    spike = training.get("spike") or None
    lines = [TRAINING_TITLE]
    top = max((float(week["run_km"]) for week in weeks), default=0.0)
    for week in weeks:
        start = str(week["week_start"])
        km = float(week["run_km"])
        bar = "#" * round(CHART_WIDTH * km / top) if top else ""
        mark = ""
        if spike and start <= str(spike["date"]) < _plus_days(start, 7):
            mark = f"  <- {float(spike['distance_km']):.1f} km run, +{float(spike['increase_pct']):.0f}%"
        lines.append(f"  week of {start}  {km:5.1f} km  {bar}{mark}".rstrip())
    if not weeks:
        lines.append("  No runs found before the pain started.")
    check = training.get("spike_check") or {}
    if not spike and check.get("sentence"):
        lines.append(f"  {check['sentence']}")
    for reason in (training.get("reasons") or {}).values():
        lines.append(f"  * {reason}")
    files = training.get("files") or []
    skipped = training.get("skipped") or []
    lines.append(f"  Read {len(files)} file(s)" + (f", skipped {len(skipped)}." if skipped else "."))
    return lines


def _plus_days(day: str, days: int) -> str:
    import datetime as dt

    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


class _Grid:
    """Rows of right-aligned cells of fixed widths, then one cell wrapped in the width left: what
    ``Table.grid(padding=(0, 1))`` draws for these columns, at a fraction of its cost (the tables
    were most of the time spent rendering the advice).  A cell wider than its column makes it
    fall back to the table."""

    def __init__(self, *widths: int) -> None:
        self.widths = widths
        self.rows: list[tuple[Text, ...]] = []

    def add_row(self, *cells: str | Text) -> None:
        self.rows.append(tuple(cell if isinstance(cell, Text) else Text(cell) for cell in cells))

    def __rich_console__(self, console: Console, options: Any) -> Any:
        if any(cell.cell_len > width for row in self.rows for cell, width in zip(row, self.widths, strict=False)):
            yield self._table()
            return
        rest = max(options.max_width - sum(self.widths) - len(self.widths), 1)
        for row in self.rows:
            *cells, last = row
            lines = last.wrap(console, rest, overflow="ellipsis") if last.plain else [Text()]
            for number, line in enumerate(lines):
                out = Text()
                for width, cell in zip(self.widths, cells, strict=True):
                    out.append(" " * (width - cell.cell_len if number == 0 else width))
                    if number == 0:
                        out.append_text(cell)
                    out.append(" ")
                out.append_text(line)
                out.rstrip()
                yield out

    def _table(self) -> Table:
        grid = Table.grid(padding=(0, 1))
        for width in self.widths:
            grid.add_column(width=width, justify="right")
        grid.add_column(ratio=1)
        for row in self.rows:
            grid.add_row(*row)
        return grid


def _bullets(items: list[str]) -> _Grid:
    grid = _Grid(3)
    for item in items:
        grid.add_row("•", clean(item))
    return grid


def render_red_flags(red_flags: list[RaisedFlag], console: Console, labels: Labels | None = None) -> None:
    """Red flags on their own, the moment an answer raises them."""
    level = max((raised.flag.triage for raised in red_flags), key=TRIAGE_LEVELS.index)
    title = Text(f" {TRIAGE_HEADLINES[level]} ", style=_STYLES[level])
    console.print(Panel(Group(*_flag_lines(red_flags, labels)), title=title, title_align="left",
                        border_style=_BORDERS[level], box=box.HEAVY))


def _flag_lines(red_flags: list[RaisedFlag] | tuple[RaisedFlag, ...], labels: Labels | None = None) -> list[Text]:
    parts: list[Text] = []
    for raised in red_flags:
        heading = Text("⚠ ", style="bold").append_text(clean(raised.flag.name)).append("  ")
        heading.append(f"[{triage_in_words(raised.flag.triage)}]", style=_STYLES[raised.flag.triage])
        parts += [Text(""), heading, clean(raised.flag.message)]
        running = running_advice(raised.flag)
        if running:
            parts.append(Text("Running: ", style="bold").append_text(clean(running)))
        if raised.facts:
            parts.append(Text("because you said: ", style="dim").append_text(clean(_facts(raised.facts, labels))))
        if raised.note:
            parts.append(Text(raised.note, style="dim"))
    return parts[1:]


def _triage_panel(advice: Advice, overrides: tuple[tuple[str, str], ...] = (), labels: Labels | None = None) -> Panel:
    level = advice.triage
    parts: list[Text] = [Text(TRIAGE_SUMMARIES[level])]
    for flag_id, path in overrides:  # a user's pack replaced a built-in safety rule: never silently
        parts += [Text(""), Text("Warning: the built-in red flag ", style="bold red").append_text(clean(flag_id))
                  .append(" was replaced by ", style="bold red").append_text(clean(path))
                  .append(", so this advice may miss what it would have caught.", style="bold red")]
    if advice.red_flags:
        parts += [Text(""), *_flag_lines(advice.red_flags, labels)]
    names = {ranked.cause.id: ranked.cause.name for ranked in advice.causes}
    for cause_id in advice.serious:
        parts.append(Text(""))
        parts.append(Text(f"A likely cause needs a clinician: {names.get(cause_id, cause_id)}.", style="bold"))
    title = Text(f" {TRIAGE_HEADLINES[level]} ", style=_STYLES[level])
    heavy = box.HEAVY if level != "self-care" else box.ROUNDED
    return Panel(Group(*parts), title=title, title_align="left", border_style=_BORDERS[level], box=heavy)


def _cause_table(causes: list[RankedCause], rule_out: set[str], *, explain: bool,
                 labels: Labels | None = None) -> _Grid:
    """The ranked causes, each with its score bar and its reasons, in one grid."""
    grid = _Grid(3, 6)
    for number, ranked in enumerate(causes, start=1):
        name = Text(ranked.cause.name, style="bold").append("  ").append_text(_bar(ranked.score))
        if ranked.cause.id in rule_out:
            name.append("  to rule out", style="bold red")
        grid.add_row(f"{number}.", Text(percent(ranked.score), style="bold"), name)
        for weight, reason, style in _reasons(ranked, explain=explain, labels=labels):
            grid.add_row("", Text(weight, style=style), reason)
    return grid


def _reasons(ranked: RankedCause, *, explain: bool, labels: Labels | None = None) -> list[tuple[str, Text, str]]:
    """(points, why, style) rows: the top reasons for, or with ``explain`` every point."""
    items: list[Contribution] = sorted(ranked.because, key=lambda item: -abs(item.weight))
    if not explain:
        items = [item for item in items if item.weight > 0][:TOP_REASONS]
    rows = [(f"{item.weight:+.1f}", _reason_text(item, explain, labels), "green" if item.weight > 0 else "red")
            for item in items]
    if explain:
        rows.insert(0, (f"{ranked.base_points:+.2f}", Text("how common it is among injured runners"), "dim"))
        rows.append((f"={ranked.points:.2f}", Text("points in all; the score is its share among all causes"),
                     "dim"))
    return rows


def _reason_text(item: Contribution, explain: bool = False, labels: Labels | None = None) -> Text:
    """Why a point counted, in words; with --explain also the exact facts (ids and values)."""
    line = clean(item.note or _facts(item.facts, labels))
    if explain and item.facts:
        line.append_text(Text(" (", style="dim").append_text(clean(format_facts(item.facts))).append(")", style="dim"))
    return line


def _facts(facts: Mapping[str, object], labels: Labels | None) -> str:
    return facts_in_words(facts, labels) if labels is not None else format_facts(facts)


def _bar(score: float) -> Text:
    filled = round(score * BAR_WIDTH)
    return Text("█" * filled, style="cyan").append("░" * (BAR_WIDTH - filled), style="dim")


def render_explanation(cause: Cause, kb: KnowledgeBase, console: Console) -> None:
    """``painadvisor explain``: what a cause is, what moves it and by how much, and why."""
    console.print(Text(cause.name, style="bold underline").append(f"  ({cause.id}, {cause.area})", style="dim"))
    console.print(clean(cause.explanation))
    console.print()
    level = "" if cause.level == "self-care" else f"; when likely, the advice says: {TRIAGE_HEADLINES[cause.level]}"
    console.print(Text(f"How common: {cause.base_rate:.1%} of running injuries "
                       f"({math.log(cause.base_rate * 100):+.2f} points to start with){level}"))
    for title, items in (("What makes it more likely", [item for item in cause.evidence if item.weight > 0]),
                         ("What makes it less likely", [item for item in cause.evidence if item.weight < 0])):
        if items:
            console.print()
            console.print(Text(title, style="bold"))
            grid = Table.grid(padding=(0, 1))
            grid.add_column(width=6, justify="right")
            grid.add_column(ratio=1)
            for item in sorted(items, key=lambda item: -abs(item.weight)):
                why = clean(describe(item.condition))
                if item.note:
                    why.append_text(Text(f" ({item.note})", style="dim"))
                grid.add_row(Text(f"{item.weight:+.1f}", style="green" if item.weight > 0 else "red"), why)
            console.print(grid)
    flags = {flag.id: flag for flag in kb.red_flags}
    if cause.red_flags:
        console.print()
        console.print(Text("Red flags to watch for", style="bold"))
        console.print(_bullets([f"{flags[flag_id].name} ({flags[flag_id].triage}): {flags[flag_id].message}"
                                for flag_id in cause.red_flags]))
    tips = [tip.text for tip in kb.tips if cause.id in tip.for_causes]
    if tips:
        console.print()
        console.print(Text("Tips", style="bold"))
        console.print(_bullets(tips))
    console.print()
    console.print(Text("Sources", style="bold"))
    console.print(_bullets([kb.sources[source].citation() for source in cause.sources]))
    console.print()
    console.print(Text(DISCLAIMER, style="italic"))


def render_cause_list(kb: KnowledgeBase, console: Console) -> None:
    table = Table(box=box.SIMPLE, pad_edge=False)
    table.add_column("id")
    table.add_column("name")
    table.add_column("body area")
    for cause in sorted(kb.causes, key=lambda cause: (cause.area, cause.id)):
        table.add_row(clean(cause.id), clean(cause.name), clean(cause.area))
    console.print(table)
    console.print(Text("Details: painadvisor explain CAUSE_ID. " + DISCLAIMER, style="italic"))


def render_history(records: list[dict[str, object]], db: object, console: Console) -> None:
    """``painadvisor history``: the kept consultations, newest first."""
    if not records:
        console.print(Text(f"No consultations kept yet (history: {db})."))
        return
    table = Table(box=box.SIMPLE, pad_edge=False, title="Kept consultations", title_justify="left")
    for column in ("id", "date", "where", "triage", "top cause"):
        table.add_column(column)
    for record in records:
        from datetime import datetime

        when = datetime.fromisoformat(str(record["date"])).astimezone().strftime("%Y-%m-%d %H:%M")
        table.add_row(clean(str(record["id"])), when,
                      *(clean(str(record[key] or "")) for key in ("location", "triage", "top_cause")))
    console.print(table)
    console.print(Text(f"Kept only on this computer, in {db}.", style="dim"))
    console.print(Text("Details: painadvisor history show ID. Delete: painadvisor history delete ID (or --all).",
                       style="italic"))


def _history_lines(note: HistoryNote) -> list[Text]:
    first = note.earlier[0].date if note.earlier else "?"
    change = {"better": "better", "same": "no better", "worse": "worse"}[note.change]
    lines = [Text(f"You first asked about this place on {first}, {note.days_since_first} days ago; "
                  f"it is {change} now.", style="bold")]
    for earlier in note.earlier:
        lines.append(Text(f"  {earlier.date}  #{earlier.id}  {earlier.triage}  ").append_text(
            clean(earlier.top_cause or "")))
    return lines
