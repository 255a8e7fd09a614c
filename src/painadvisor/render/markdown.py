"""The advice as a GitHub-flavoured Markdown report, to hand to a physiotherapist.

Pure: a function of the advice and the knowledge base.  Prose is wrapped at 80
columns; every piece of user or rule text is escaped so it can neither break the
document's structure nor pass raw HTML through.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Iterable

from painadvisor import __version__
from painadvisor.models import Advice, Contribution, KnowledgeBase, RankedCause
from painadvisor.render.common import (
    DISCLAIMER,
    TRIAGE_HEADLINES,
    TRIAGE_SUMMARIES,
    answer_labels,
    cited_sources,
    format_value,
    percent,
    shown_causes,
)
from painadvisor.vocabulary import FACTS_BY_ID

WIDTH = 80
_INLINE = re.compile(r"([\\`*_\[\]<>|~&])")  # what can start emphasis, code, links, HTML or a cell
_BLOCK_START = re.compile(r"^([#=+>-]|\d+(?=[.)]))")  # what makes a line a heading, list or quote


def escape(text: str) -> str:
    """Literal text in Markdown on one line: inline specials escaped, no raw HTML."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return _guard(_INLINE.sub(r"\\\1", flat))


def _guard(line: str) -> str:
    """Escape what would turn the start of a line into a block (heading, list, quote)."""
    match = _BLOCK_START.match(line)
    if not match:
        return line
    if match.group(1).isdigit():
        return line[: match.end()] + "\\" + line[match.end():]
    return "\\" + line


def _paragraph(text: str, indent: str = "", first: str | None = None) -> list[str]:
    """Escaped text wrapped at WIDTH; no wrapped line can start a block by accident."""
    lead = indent if first is None else first
    wrapped = textwrap.wrap(escape(text), WIDTH - len(indent) - 1, break_long_words=False, break_on_hyphens=False)
    return [(lead if index == 0 else indent) + _guard(line) for index, line in enumerate(wrapped)] or [lead.rstrip()]


def _bullets(items: Iterable[str]) -> list[str]:
    lines: list[str] = []
    for item in items:
        lines += _paragraph(item, indent="  ", first="- ")
    return lines


def render_markdown(advice: Advice, kb: KnowledgeBase, *, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    lines = ["# Running pain report", "", f"{today.isoformat()}, painadvisor {__version__}", ""]
    lines += _triage(advice)
    if advice.history is not None:
        lines += _history(advice)
    lines += _answers(advice, kb)
    lines += ["## Likely causes", ""]
    for number, ranked in enumerate(shown_causes(advice), start=1):
        lines += _cause(number, ranked, ranked.cause.id in advice.rule_out)
    for kind, title in (("now", "What to do now"), ("prevention", "To stop it coming back")):
        tips = [chosen.tip.text for chosen in advice.tips if chosen.tip.kind == kind]
        if tips:
            lines += [f"## {title}", "", *_bullets(tips), ""]
    if advice.missing:
        wanted = [FACTS_BY_ID[fact].label for fact in advice.missing]
        lines += ["## What would sharpen this advice", "", *_bullets(wanted), ""]
    sources = cited_sources(advice, kb)
    if sources:
        lines += ["## Sources", ""]
        for number, source in enumerate(sources, start=1):
            lines += _paragraph(source.citation(), indent="   ", first=f"{number}. ")
        lines.append("")
    lines += ["---", "", *_paragraph(DISCLAIMER), ""]
    return "\n".join(lines)


def _triage(advice: Advice) -> list[str]:
    lines = [f"## {TRIAGE_HEADLINES[advice.triage].capitalize()}", "", *_paragraph(TRIAGE_SUMMARIES[advice.triage]),
             ""]
    if advice.red_flags:
        lines += ["### Red flags", ""]
        for raised in advice.red_flags:
            heading = f"{raised.flag.name} ({raised.flag.triage}): {raised.flag.message}"
            heading += f" ({raised.note})" if raised.note else ""
            lines += _paragraph(heading, indent="  ", first="- ")
        lines.append("")
    names = {ranked.cause.id: ranked.cause.name for ranked in advice.causes}
    serious = [names[reason.split(": ", 1)[1]] for reason in advice.triage_reasons
               if reason.startswith("likely cause: ")]
    if serious:
        lines += [*_paragraph("A likely cause needs a clinician: " + ", ".join(serious) + "."), ""]
    return lines


def _history(advice: Advice) -> list[str]:
    note = advice.history
    assert note is not None
    change = {"better": "better", "same": "no better", "worse": "worse"}[note.change]
    lines = ["## Earlier consultations", "",
             *_paragraph(f"First asked about {note.days_since_first} days ago; {change} since."), "",
             "| Date | Triage | Top cause |", "| --- | --- | --- |"]
    lines += [f"| {earlier.date} | {escape(earlier.triage)} | {escape(earlier.top_cause or '')} |"
              for earlier in note.earlier]
    return [*lines, ""]


def _answers(advice: Advice, kb: KnowledgeBase) -> list[str]:
    labels = answer_labels(kb)
    rows = [row for fact, value in advice.case.items() if fact != "note"
            for row in _rows(escape(FACTS_BY_ID[fact].label), [escape(part) for part in labels(fact, value)])]
    lines = ["## What I told painadvisor", ""]
    if rows:
        lines += ["| Question | Answer |", "| --- | --- |", *rows]
    else:
        lines.append("Nothing yet: every question was skipped.")
    lines.append("")
    note = advice.case.get("note")
    if isinstance(note, str) and note.strip():
        lines += ["### My note", "", *_paragraph(note, indent="> ", first="> "), ""]
    return lines


def _rows(question: str, answers: list[str]) -> list[str]:
    """Table rows for one answer, continued on rows of their own to stay within WIDTH."""
    rows: list[str] = []
    cell: list[str] = []
    for part in answers:
        head = question if not rows else ""
        if cell and len(f"| {head} | {'; '.join([*cell, part])} |") > WIDTH:
            rows.append(f"| {head} | {'; '.join(cell)} |")
            cell = []
        cell.append(part)
    rows.append(f"| {question if not rows else ''} | {'; '.join(cell)} |")
    return rows


def _cause(number: int, ranked: RankedCause, rule_out: bool = False) -> list[str]:
    label = " (to rule out)" if rule_out else ""
    lines = [f"### {number}. {escape(ranked.cause.name)}: {percent(ranked.score)}{label}", "",
             *_paragraph(ranked.cause.explanation), ""]
    supporting = [item for item in ranked.because if item.weight > 0]
    against = [item for item in ranked.because if item.weight < 0]
    for title, items in (("For", supporting), ("Against", against)):
        if items:
            lines += [f"{title}:", "", *_bullets(_reason(item) for item in sorted(items, key=lambda i: -abs(i.weight))),
                      ""]
    return lines


def _reason(item: Contribution) -> str:
    facts = "; ".join(f"{FACTS_BY_ID[fact].label}: {format_value(value)}" for fact, value in item.facts.items())
    why = f"{item.note} ({facts})" if item.note and facts else item.note or facts
    return f"{item.weight:+.1f} points: {why}"
