"""What the report tests share: the vignettes, notes that hold Markdown, and ways to read a report."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from pathlib import Path

import pytest
import yaml
from markdown_it import MarkdownIt
from pymarkdown.api import PyMarkdownApi

from painadvisor.engine import advice as engine
from painadvisor.kb.models import Advice, Earlier, HistoryNote, KnowledgeBase
from painadvisor.kb.vocabulary import FACTS, parse_case
from painadvisor.render.common import DISCLAIMER, TRIAGE_HEADLINES, TRIAGE_SUMMARIES
from painadvisor.render.markdown import render_markdown

import textbook
from conftest import REPO

SHARED = REPO.parent / "shared"
CASE_FOLDERS = (SHARED / "cases", SHARED / "cases-v2")

NASTY_NOTE = "Race | in *3* weeks <script>alert(1)</script> [link](http://x) # not a heading\n- nor a list `code`"

# Notes a runner might type, each holding something Markdown or GitHub would act on.
NOTES = {
    "markdown": "**bold** _it_ ~~strike~~ snake_case 2*3*4 a * b x* y _z # h > q 1. one + plus * star",
    "html": "<b>bold</b> <!-- c --> &amp; &copy; &#169; <http://x> <3 weeks> a<b",
    "pipe": "left | right || --- | --- |",
    "bare-url": "see (http://x) and www.example.com, https://example.com/a_b?c=1. or me@example.com",
    "links": "[ref]: http://evil [x][ref] ![img](y) [1]: z [x](y \"t\") [^1]",
    "backslash": "back\\slash \\*x\\* C:\\path\\ trailing\\",
    "fences": "```code``` ~~~ fence ===== --- *** ___",
    "nasty": NASTY_NOTE,
}


def vignettes() -> list[object]:
    """Every shared vignette (v1 and v2) when shared/ is beside the repo, else our textbook cases."""
    found = [pytest.param(yaml.safe_load(path.read_text(encoding="utf-8"))["case"], id=path.stem)
             for folder in CASE_FOLDERS if folder.is_dir() for path in sorted(folder.glob("*.yaml"))
             if path.name != "README.md"]
    return found or [pytest.param(case, id=cause) for cause, case in textbook.CAUSES.items()]


def advise(kb: KnowledgeBase, raw: Mapping[str, object], note: str | None = None) -> Advice:
    case = {fact: value for fact, value in raw.items() if fact != "note"}
    return engine.evaluate(kb, parse_case({**case, "note": note} if note else case))


def with_history(advice: Advice, days: int = 3, change: str = "same") -> Advice:
    """The advice as if the same place had been asked about before (two earlier consultations)."""
    earlier = (Earlier(1, "2024-05-29", "see-doctor", "patellofemoral-pain"),
               Earlier(2, "2024-05-30", "self-care", None))
    return advice._replace(history=HistoryNote(earlier, days, change, False))


HEADING_LINE_LENGTH = 120  # a cause's heading holds its whole name and score (as in report.markdownlint-cli2.yaml)


def pymarkdown_problems(path: Path) -> list[object]:
    """What pymarkdown finds wrong with a Markdown file: its default rules, with the settings of
    report.markdownlint-cli2.yaml (long headings and table rows allowed)."""
    api = PyMarkdownApi()
    api.set_integer_property("plugins.md013.heading_line_length", HEADING_LINE_LENGTH)
    api.set_boolean_property("plugins.md013.tables", False)  # a table row cannot wrap
    result = api.scan_path(str(path))
    return [*result.scan_failures, *result.critical_errors]


def html_of(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").enable("strikethrough").render(markdown)


def text_of(fragment: str) -> str:
    """What a reader sees of rendered HTML: tags dropped, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def rendered_note(report: str) -> str:
    """The runner's note as a reader of the rendered report sees it."""
    quote = re.search(r"<blockquote>(.*?)</blockquote>", html_of(report), re.DOTALL)
    assert quote is not None, "the note is not in a block quote"
    inner = re.sub(r"</?code>", "", quote.group(1))  # a code span (a bare link) reads as its text
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", inner)).split())


def body(report: str) -> str:
    """The report before its reference list."""
    return report.split("\n## References\n", 1)[0]


def references(report: str) -> dict[int, str]:
    """The numbered reference list: number -> text (wrapped lines joined)."""
    if "\n## References\n" not in report:
        return {}
    listed = report.split("\n## References\n", 1)[1].split("\n---\n", 1)[0]
    items = re.findall(r"^(\d+)\. (.*(?:\n {3,}.*)*)", listed, re.MULTILINE)
    return {int(number): " ".join(text.split()) for number, text in items}


def citations(report: str) -> list[int]:
    """Every reference number cited by a marker such as [1] or [2, 5] before the reference list."""
    text = " ".join(body(report).split())
    return [int(number) for marker in re.findall(r"\[(\d+(?:, \d+)*)\]", text) for number in marker.split(", ")]


def prose(report: str) -> str:
    """The text written for people: the report before its references, without code spans."""
    return re.sub(r"(`+).*?\1", " ", body(report), flags=re.DOTALL)


def human_text(kb: KnowledgeBase) -> str:
    """Everything the rules and the report's own wording say to people."""
    parts = [DISCLAIMER, *TRIAGE_HEADLINES.values(), *TRIAGE_SUMMARIES.values(), *(fact.label for fact in FACTS)]
    for cause in kb.causes:
        parts += [cause.name, cause.explanation]
    for flag in kb.red_flags:
        parts += [flag.name, flag.message, flag.running]
    parts += [tip.text for tip in kb.tips]
    for question in kb.questions:
        parts += [question.text, question.help, question.none_label, *(choice.label for choice in question.choices)]
    return "\n".join(parts)


def _word(identifier: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w.-]){re.escape(identifier)}(?![\w-])")


def vocabulary_ids(kb: KnowledgeBase) -> set[str]:
    """Ids that must never reach text for people: fact ids with underscores, dotted or hyphenated
    values, cause and red-flag ids, triage ids; less any that the rules' own wording uses as a word
    (such as "compartment")."""
    ids = {fact.id for fact in FACTS if "_" in fact.id}
    ids |= {str(value) for fact in FACTS for value in fact.values if "." in str(value) or "-" in str(value)}
    ids |= {cause.id for cause in kb.causes} | {flag.id for flag in kb.red_flags} | {"see-doctor"}
    words = human_text(kb)
    return {identifier for identifier in ids if not _word(identifier).search(words)}


def ids_in(text: str, ids: set[str]) -> list[str]:
    return sorted(identifier for identifier in ids if _word(identifier).search(text))


def report(kb: KnowledgeBase, advice: Advice) -> str:
    return render_markdown(advice, kb)
