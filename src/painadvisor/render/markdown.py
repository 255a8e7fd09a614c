"""The advice as GitHub-flavoured Markdown, to hand to a physiotherapist."""

from __future__ import annotations

import datetime as dt
import re

from painadvisor import __version__
from painadvisor.models import Advice, KnowledgeBase
from painadvisor.render.common import DISCLAIMER, TRIAGE_HEADLINES, TRIAGE_SUMMARIES, format_facts, format_value
from painadvisor.vocabulary import FACTS_BY_ID

SHOWN_CAUSES = 5
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+\-.!|~])")


def escape(text: str) -> str:
    """Literal text in Markdown: specials backslash-escaped, no raw HTML, one line."""
    flat = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    return _SPECIAL.sub(r"\\\1", flat)


def render_markdown(advice: Advice, kb: KnowledgeBase, *, today: dt.date | None = None) -> str:
    today = today or dt.date.today()
    lines = [f"# Running pain report, {today.isoformat()}", "",
             f"Made with painadvisor {__version__}.", "",
             f"## {TRIAGE_HEADLINES[advice.triage]}", "", TRIAGE_SUMMARIES[advice.triage], ""]
    for raised in advice.red_flags:
        lines += [f"- **{escape(raised.flag.name)}** ({raised.flag.triage}): {escape(raised.flag.message)}"]
    if advice.red_flags:
        lines.append("")
    lines += ["## What I told painadvisor", "", "| Question | Answer |", "| --- | --- |"]
    for fact_id, value in advice.case.items():
        lines.append(f"| {escape(FACTS_BY_ID[fact_id].label)} | {escape(format_value(value))} |")
    lines += ["", "## Likely causes", ""]
    for number, ranked in enumerate(advice.causes[:SHOWN_CAUSES], start=1):
        lines += [f"{number}. **{escape(ranked.cause.name)}**: {ranked.score:.0%}", "",
                  f"   {escape(ranked.cause.explanation)}", ""]
        for item in sorted(ranked.because, key=lambda item: -abs(item.weight)):
            reason = item.note or format_facts(item.facts)
            lines.append(f"   - {item.weight:+.1f}: {escape(reason)}")
        if ranked.because:
            lines.append("")
    for kind, title in (("now", "What to do now"), ("prevention", "To stop it coming back")):
        tips = [chosen.tip.text for chosen in advice.tips if chosen.tip.kind == kind]
        if tips:
            lines += [f"## {title}", ""] + [f"- {escape(text)}" for text in tips] + [""]
    if advice.missing:
        lines += ["## What would sharpen this advice", ""]
        lines += [f"- {escape(FACTS_BY_ID[fact].label)}" for fact in advice.missing] + [""]
    lines += ["---", "", f"*{escape(DISCLAIMER)}*", ""]
    return "\n".join(lines)
