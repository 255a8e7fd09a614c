"""The advice as a GitHub-flavoured Markdown report, to hand to a physiotherapist.

Pure: a function of the advice and the knowledge base.  Written for people: plain
words, never the rules' ids; every statement that rests on the literature carries a
numbered marker ([1]) for the reference list at the end, and nothing else is listed.
Prose is wrapped at 80 columns so the file reads well as plain text, and text from
the runner or a rule file is escaped only where Markdown would otherwise act on it
(see ``inline`` and ``_guard``), so it stays literal without a rash of backslashes.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from painadvisor.kb.models import Advice, KnowledgeBase, RaisedFlag, RankedCause
from painadvisor.kb.vocabulary import FACTS_BY_ID
from painadvisor.render.common import (
    DISCLAIMER,
    TRIAGE_HEADLINES,
    TRIAGE_SUMMARIES,
    answer_labels,
    percent,
    reason_in_words,
    reference_text,
    running_advice,
    shown_causes,
    triage_in_words,
)
from painadvisor.version import __version__

WIDTH = 80
TOP_FOR = 3  # reasons for each shown cause
TOP_AGAINST = 2  # reasons against it
MAX_AUTHORS = 3  # authors named in a reference before "et al."
TIP_TITLES = (("now", "What to do now"), ("return", "Getting back to running"),
              ("prevention", "To stop it coming back"))

# --- escaping: only what Markdown would act on, where it would act on it --------------

# What GitHub (and markdownlint) turn into links without any markup: kept literal in code spans.
_BARE_LINK = re.compile(r"(?:(?:https?|ftp)://|www\.|mailto:)[^\s<>`|\[\]]+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_LINK_CLOSE = re.compile(r"\][(\[:]")  # what makes a "[" the start of a link, image or definition
_NOT_WS = "a"  # what is assumed beyond the end of a piece of text: the most cautious neighbour
_PLACEHOLDER = "\ue000"  # a space that wrapping must not break (inside a citation marker)


def _is_space(char: str) -> bool:
    return char.isspace()


def _is_punct(char: str) -> bool:
    return unicodedata.category(char)[0] in "PS"


def _can_delimit(text: str, start: int, end: int) -> bool:
    """Whether the run of ``*``, ``_`` or ``~`` at text[start:end] could open or close emphasis
    (CommonMark's flanking rules)."""
    before = text[start - 1] if start > 0 else " "
    after = text[end] if end < len(text) else _NOT_WS
    left = not _is_space(after) and (not _is_punct(after) or _is_space(before) or _is_punct(before))
    right = not _is_space(before) and (not _is_punct(before) or _is_space(after) or _is_punct(after))
    if text[start] != "_":
        return left or right
    return (left and (not right or _is_punct(before))) or (right and (not left or _is_punct(after)))


def _emphasis_escapes(text: str) -> set[int]:
    """Where runs of ``*``, ``_`` or ``~`` start that must be escaped: those that could open or
    close emphasis, and lone ones between spaces too when two or more are left (linters pair them),
    but never a ``_`` inside a word (snake_case)."""
    runs = [(match.start(), match.end()) for match in re.finditer(r"\*+|_+|~+", text)]
    escaped = {start for start, end in runs if _can_delimit(text, start, end)}
    for char in "*_":
        lone = [start for start, end in runs if text[start] == char and start not in escaped
                and not (0 < start and end < len(text) and text[start - 1].isalnum() and text[end].isalnum())]
        if len(lone) >= 2:
            escaped.update(lone)
    return escaped


def _escape_char(text: str, pos: int, *, cell: bool, link_starts: set[int]) -> str:
    char = text[pos]
    after = text[pos + 1] if pos + 1 < len(text) else ""
    if char == "\\":
        return "\\\\" if not after or after.isspace() or (after.isascii() and _is_punct(after)) else char
    if char == "`" or (char == "|" and cell) or (char == "[" and pos in link_starts):
        return "\\" + char
    if char == "<":
        return "\\<" if after.isascii() and (after.isalpha() or after in "/!?") else char
    if char == "&":
        return "\\&" if _ENTITY.match(text, pos) else char
    return char


def inline(text: str, *, cell: bool = False) -> str:
    """Text on one line as literal Markdown: control characters and line breaks become spaces,
    bare links go into code spans, and only what could start markup is escaped (``cell``: also
    the ``|`` that would end a table cell)."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    links = _bare_links(flat)
    closes = [match.start() for match in _LINK_CLOSE.finditer(flat)]
    link_starts = {pos for pos, char in enumerate(flat) if char == "[" and (
        any(close > pos for close in closes) or (flat[pos - 1: pos] == ")" and "]" in flat[pos:]))}  # "(a)[b]"
    shadow = list(flat)  # the text as emphasis sees it: a link's code span is punctuation at each end
    for start, link in links.items():
        shadow[start: start + len(link)] = "`" + "a" * (len(link) - 2) + "`" if len(link) > 1 else "`"
    emphasis = _emphasis_escapes("".join(shadow))
    out: list[str] = []
    pos = 0
    while pos < len(flat):
        if pos in links:
            out.append(f"`{links[pos]}`")
            pos += len(links[pos])
            continue
        char = flat[pos]
        if char in "*_~":
            end = pos
            while end < len(flat) and flat[end] == char:
                end += 1
            run = flat[pos:end]
            out.append("".join("\\" + c for c in run) if pos in emphasis else run)
            pos = end
            continue
        if char == "\\" and pos + 1 in links:
            out.append("\\\\")  # before the backtick that opens the link's code span
        else:
            out.append(_escape_char(flat, pos, cell=cell, link_starts=link_starts))
        pos += 1
    return "".join(out)


def _bare_links(text: str) -> dict[int, str]:
    """Where bare links start in ``text``, and each link; links that touch are one."""
    links: dict[int, str] = {}
    last = -1
    for match in _BARE_LINK.finditer(text):
        link = _trimmed_link(match.group())
        if last >= 0 and last + len(links[last]) == match.start():
            links[last] += link
        elif link:
            links[last := match.start()] = link
    return links


def _trimmed_link(link: str) -> str:
    """A bare link without the punctuation that ends the sentence around it (as GitHub reads it)."""
    while link and (link[-1] in "?!.,:;*_~'\"" or (link[-1] == ")" and link.count(")") > link.count("("))):
        link = link[:-1]
    return link


def code(text: str) -> str:
    """Text as a code span, whatever backticks it holds."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", flat)), default=0) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


_BLOCK_MARK = re.compile(r"[-+*](?=\s|$)|[#>]")  # "#word" is no heading, but linters say it lacks a space
_TASK = re.compile(r"\[[ xX]\](?=\s|$)")  # GitHub's task list box, at the start of a list item
_ORDERED = re.compile(r"(\d{1,9})([.)])(?=\s|$)")
_RULE_LINE = re.compile(r"([-=]+|([-*_])(?:\s*\2){2,}|~{3,}.*)\s*$")
_DELIMITER_ROW = re.compile(r"[\s|:-]+")


def _guard(line: str, *, first: bool) -> str:
    """Escape what would make a line of prose a block of its own: a heading, list item, quote,
    thematic break, setext underline, fence, table delimiter row or task box.  ``first``: the line starts a
    paragraph (any ordered-list number counts, not only 1)."""
    if "-" in line and "|" in line and _DELIMITER_ROW.fullmatch(line):
        line = line.replace("|", "\\|")
    if _RULE_LINE.match(line) or _BLOCK_MARK.match(line) or (first and _TASK.match(line)):
        return "\\" + line
    ordered = _ORDERED.match(line)
    if ordered and (first or int(ordered.group(1)) == 1):
        return line[: ordered.end(1)] + "\\" + line[ordered.end(1):]
    return line


def paragraph(markup: str, *, first: str = "", indent: str = "") -> list[str]:
    """Inline Markdown (already escaped) wrapped at WIDTH after ``first`` on the first line and
    ``indent`` on the others; no line can turn into a block by accident."""
    wrapped = textwrap.wrap(markup, WIDTH - max(len(first), len(indent)) - 1, break_long_words=False,
                            break_on_hyphens=False)
    lines = [(first if index == 0 else indent) + _guard(line, first=index == 0).replace(_PLACEHOLDER, " ")
             for index, line in enumerate(wrapped)]
    return lines or [first.rstrip()]


def _bullet(markup: str) -> list[str]:
    return paragraph(markup, first="- ", indent="  ")


# --- citations ------------------------------------------------------------------------


class Citations:
    """The references cited so far, numbered in the order the text first cites them."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.numbers: dict[str, int] = {}

    def mark(self, source_ids: Iterable[str]) -> str:
        """A marker such as " [1, 3]" for the references behind a statement ("" for none)."""
        numbers: set[int] = set()
        for source in source_ids:
            if source in self.kb.sources:
                numbers.add(self.numbers.setdefault(source, len(self.numbers) + 1))
        return " [" + ("," + _PLACEHOLDER).join(map(str, sorted(numbers))) + "]" if numbers else ""

    def section(self) -> list[str]:
        if not self.numbers:
            return []
        lines = ["## References", ""]
        for source, number in self.numbers.items():
            text = reference_text(self.kb.sources[source], max_authors=MAX_AUTHORS)
            lines += paragraph(inline(text), first=f"{number}. ", indent=" " * len(f"{number}. "))
        return [*lines, ""]


# --- the report -------------------------------------------------------------------------


Labels = Callable[[str, object], list[str]]


def _training(training: Any) -> list[str]:
    """The weekly running distance from the runner's log, as a table, and the single-run spike."""
    lines = ["## Your training log", ""]
    weeks = list(training.get("weeks", []))
    if weeks:
        lines += ["| week of | running | walking | cycling |", "| --- | --- | --- | --- |"]
        lines += [f"| {week['week_start']} | {float(week.get('run_km', 0)):.1f} km | "
                  f"{float(week.get('walk_km', 0)):.1f} km | {float(week.get('ride_km', 0)):.1f} km |"
                  for week in weeks]
        lines.append("")
    sentence = training.get("spike_sentence")
    if sentence:
        lines += [*paragraph(inline(f"The biggest single-run spike: {sentence}.")), ""]
    for reason in (training.get("reasons") or {}).values():
        lines += _bullet(inline(str(reason)))
    if training.get("reasons"):
        lines.append("")
    return lines


def render_markdown(advice: Advice, kb: KnowledgeBase, *, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    labels = _plain_labels(kb)
    cite = Citations(kb)
    lines = ["# Running pain report", "", f"{today.isoformat()}, painadvisor {__version__}", ""]
    lines += _overrides(kb)
    lines += _triage(advice, cite)
    lines += _answers(advice, labels)
    if advice.history is not None:
        lines += _history(advice, kb)
    if advice.training is not None:
        lines += _training(advice.training)
    lines += ["## Likely causes", ""]
    for number, ranked in enumerate(shown_causes(advice), start=1):
        lines += _cause(number, ranked, ranked.cause.id in advice.rule_out, labels, cite)
    for kind, title in TIP_TITLES:
        tips = [chosen.tip for chosen in advice.tips if chosen.tip.kind == kind]
        if tips:
            lines += [f"## {title}", ""]
            for tip in tips:
                lines += _bullet(inline(tip.text) + cite.mark(tip.sources))
            lines.append("")
    if advice.missing:
        wanted = "; ".join(FACTS_BY_ID[fact].label for fact in advice.missing if fact in FACTS_BY_ID)
        lines += ["## What would sharpen this advice", "",
                  *paragraph(inline(f"Answers to these would sharpen it: {wanted}.")), ""]
    lines += cite.section()
    lines += ["---", "", *paragraph(inline(DISCLAIMER)), ""]
    return "\n".join(lines)


def _plain_labels(kb: KnowledgeBase) -> Labels:
    """Answers in the questionnaire's words; a value no question names is still never shown as an id."""
    labels = answer_labels(kb)

    def plain(fact: str, part: str) -> str:
        if part not in _values(fact):
            return part  # the questionnaire's words
        for other in FACTS_BY_ID:  # the same value asked about elsewhere (a sign you do not have)
            if other != fact and part in _values(other) and labels(other, part)[0] != part:
                return labels(other, part)[0]
        return re.sub(r"(?<=\w)[-._](?=\w)", " ", part)

    def label(fact: str, value: object) -> list[str]:
        if fact == "duration_days" and value == 1:
            return ["1 day"]
        return [plain(fact, part) for part in labels(fact, value)]

    return label


_ID_LIKE = re.compile(r"(?<![\w.-])[a-z0-9]+(?:[-._][a-z0-9]+)+(?![\w-])")


def _without_ids(text: str) -> str:
    """A rule's note with any vocabulary id it holds (e.g. "no bone-tender") in plain words."""
    def plain(match: re.Match[str]) -> str:
        word = match.group()
        if word in FACTS_BY_ID:
            return FACTS_BY_ID[word].label
        if any(word in fact.values for fact in FACTS_BY_ID.values()):
            return re.sub(r"[-._]", " ", word)
        return word

    return _ID_LIKE.sub(plain, text)


def _values(fact: str) -> tuple[str, ...]:
    known = FACTS_BY_ID.get(fact)
    return known.values if known is not None else ()


def _overrides(kb: KnowledgeBase) -> list[str]:
    """A warning, first of all, when a rule pack has replaced built-in safety rules."""
    replaced: tuple[tuple[str, str], ...] = tuple(getattr(kb, "overrides", ()))
    if not replaced:
        return []
    lines = ["## Warning: built-in safety rules replaced", "",
             *paragraph(inline("This advice was worked out with rule packs that replace some of painadvisor's "
                               "built-in safety rules. Check them before you rely on it:")), ""]
    for rule, where in replaced:
        lines += _bullet(_rule_name(kb, rule) + (f", replaced by {code(where)}" if where else ""))
    return [*lines, ""]


def _rule_name(kb: KnowledgeBase, rule: str) -> str:
    """A replaced rule by its name and kind (its id, as code, when it has no name)."""
    for kind, items in (("red flag", kb.red_flags), ("cause", kb.causes)):
        for item in items:
            if item.id == rule:
                return f"{inline(item.name)} ({kind})"
    return code(rule)


def _triage(advice: Advice, cite: Citations) -> list[str]:
    lines = [f"## {inline(TRIAGE_HEADLINES[advice.triage].capitalize())}", "",
             *paragraph(inline(TRIAGE_SUMMARIES[advice.triage])), ""]
    if advice.red_flags:
        lines += ["### Red flags", ""]
        for raised in advice.red_flags:
            lines += _flag(raised, cite)
    names = {ranked.cause.id: ranked.cause.name for ranked in advice.causes}
    serious = [names[cause] for cause in advice.serious if cause in names]
    if serious:
        lines += [*paragraph(inline("A likely cause needs a clinician: " + ", ".join(serious) + ".")), ""]
    return lines


def _flag(raised: RaisedFlag, cite: Citations) -> list[str]:
    """One red flag: its name and message with their references, then whether to keep running."""
    flag = raised.flag
    text = inline(f"{flag.name}: {flag.message}") + cite.mark(flag.sources)
    if raised.note:
        text += " " + inline(f"({raised.note})")
    lines = [*_bullet(text), ""]
    running = running_advice(flag)
    if running:
        lines += [*paragraph(inline(f"Running: {running}"), first="  ", indent="  "), ""]
    return lines


def _answers(advice: Advice, labels: Labels) -> list[str]:
    rows = [row for fact, value in advice.case.items() if fact != "note" and fact in FACTS_BY_ID
            for row in _rows(inline(FACTS_BY_ID[fact].label, cell=True),
                             [inline(part, cell=True) for part in labels(fact, value)])]
    lines = ["## What I told painadvisor", ""]
    if rows:
        lines += ["| Question | Answer |", "| --- | --- |", *rows]
    else:
        lines.append("Nothing yet: every question was skipped.")
    lines.append("")
    note = advice.case.get("note")
    if isinstance(note, str) and note.strip():
        lines += ["### My note", "", *paragraph(inline(note), first="> ", indent="> "), ""]
    return lines


def _rows(question: str, answers: list[str]) -> list[str]:
    """Table rows for one answer, continued on rows of their own to stay within WIDTH."""
    rows: list[str] = []
    cell: list[str] = []
    for part in answers:
        head = question if not rows else ""
        if cell and len(f"| {head} | {'; '.join([*cell, part])} |") > WIDTH:
            rows.append(_row(head, "; ".join(cell)))
            cell = []
        cell.append(part)
    rows.append(_row(question if not rows else "", "; ".join(cell)))
    return rows


def _row(*cells: str) -> str:
    return "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|"


def _history(advice: Advice, kb: KnowledgeBase) -> list[str]:
    note = advice.history
    assert note is not None
    days = note.days_since_first
    when = "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"
    change = {"better": "better", "same": "no better", "worse": "worse"}.get(note.change, "")
    names = {cause.id: cause.name for cause in kb.causes}
    lines = ["## Earlier consultations", "",
             *paragraph(inline(f"First asked {when}" + (f"; {change} since." if change and days > 0 else "."))), "",
             "| Date | Advice then | Likeliest cause then |", "| --- | --- | --- |"]
    for earlier in note.earlier:
        cause = names.get(earlier.top_cause or "", (earlier.top_cause or "").replace("-", " "))
        lines.append(_row(inline(earlier.date, cell=True), inline(triage_in_words(earlier.triage), cell=True),
                          inline(cause, cell=True) or "none"))
    return [*lines, ""]


def _cause(number: int, ranked: RankedCause, rule_out: bool, labels: Labels, cite: Citations) -> list[str]:
    label = " (to rule out)" if rule_out else ""
    lines = [f"### {number}. {inline(ranked.cause.name)}: {percent(ranked.score)}{label}", "",
             *paragraph(inline(ranked.cause.explanation) + cite.mark(ranked.cause.sources)), ""]
    strongest = sorted(ranked.because, key=lambda item: -abs(item.weight))
    reasons = ([("For", item) for item in strongest if item.weight > 0][:TOP_FOR]
               + [("Against", item) for item in strongest if item.weight < 0][:TOP_AGAINST])
    for side, item in reasons:
        why = _without_ids(reason_in_words(item, labels))
        lines += _bullet(f"{side} ({item.weight:+.1f} points): {inline(why)}")
    return [*lines, ""] if reasons else lines
