"""What each command does, without Typer: shared by the CLI and the fast path for plain calls."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

from painadvisor.errors import PainAdvisorError


class OutputFormat(StrEnum):
    text = "text"
    json = "json"
    markdown = "markdown"


class ListFormat(StrEnum):
    text = "text"
    json = "json"


def advise(case_file: str | None, flags: dict[str, Any], output_format: OutputFormat, output: Path | None, *,
           force: bool, explain: bool) -> None:
    """Advice for the case in ``case_file`` (if any) with ``flags`` (a checked case) on top."""
    from painadvisor import caseio, engine, knowledge

    case = caseio.merge(caseio.read_case_file(case_file) if case_file else {}, flags)
    kb = knowledge.load_knowledge_base()
    emit(engine.evaluate(kb, case), kb, output_format, output, force=force, explain=explain)


def replay(case_file: str, output_format: OutputFormat, output: Path | None, *, force: bool, explain: bool) -> None:
    """The consultation answered from a case file, for scripts and measurement."""
    from painadvisor import caseio, engine, interview, knowledge

    kb = knowledge.load_knowledge_base()
    consultation = interview.replay(kb, caseio.read_case_file(case_file))
    advice = engine.evaluate(kb, consultation.case)
    emit(advice, kb, output_format, output, force=force, explain=explain, asked=consultation.asked)


def converse(kb: Any, output_format: OutputFormat, output: Path | None, *, force: bool, explain: bool) -> None:
    """The interactive consultation on this terminal, then the advice and the offer of a report."""
    from painadvisor import engine
    from painadvisor.render.terminal import text_console
    from painadvisor.session import Session, terminal_io
    from painadvisor.vocabulary import parse_case

    console = text_console()
    read_line, say = terminal_io(console)
    try:
        case = Session(kb, console, read_line).run()
    except EOFError:
        raise PainAdvisorError("input ended before the consultation was over; nothing was saved") from None
    advice = engine.evaluate(kb, parse_case(case))
    say("")
    emit(advice, kb, output_format, output, force=force, explain=explain)
    if output is None:
        offer_report(advice, kb, read_line, say)


def offer_report(advice: Any, kb: Any, read_line: Any, say: Any) -> None:
    """Ask whether to save the advice as Markdown; never overwrite a file without asking."""
    from datetime import date

    from painadvisor.output import write_atomically
    from painadvisor.render.markdown import render_markdown

    try:
        if read_line("\nSave this advice as a Markdown report for your physio? [y/N] ").strip().lower() not in {
                "y", "yes"}:
            return
        default = Path(f"painadvisor-report-{date.today().isoformat()}.md")
        name = read_line(f"File name [{default}]: ").strip()
        target = Path(name) if name else default
        if target.exists() and read_line(f"{target} exists. Replace it? [y/N] ").strip().lower() not in {"y", "yes"}:
            say("Not saved.")
            return
    except EOFError:
        return
    write_atomically(target, render_markdown(advice, kb), force=True)
    say(f"Saved to {target}")


def emit(advice: Any, kb: Any, output_format: OutputFormat, output: Path | None, *, force: bool,
          explain: bool, asked: list[str] | None = None) -> None:
    """Render the advice and send it to stdout or to the output file."""
    if asked is not None and output_format is OutputFormat.json:
        from painadvisor.render.json import render_json

        text: str | None = render_json(advice, kb, questions_asked=asked, questions_count=len(asked))
    else:
        text = render(advice, kb, output_format, explain=explain, to_file=output is not None)
        if asked is not None and text is not None and output_format is OutputFormat.text:
            text += f"\nQuestions asked ({len(asked)}): {', '.join(asked)}\n"
        elif asked is not None and output_format is OutputFormat.text:
            sys.stdout.write(f"\nQuestions asked ({len(asked)}): {', '.join(asked)}\n")
    if output is None:
        if text is not None:
            sys.stdout.write(text)
        return
    from painadvisor.output import write_atomically

    write_atomically(output, text or "", force=force)
    sys.stderr.write(f"painadvisor: advice written to {output}\n")


def render(advice: Any, kb: Any, output_format: OutputFormat, *, explain: bool, to_file: bool) -> str | None:
    """The advice as text in the chosen format; the terminal format prints directly to stdout."""
    if output_format is OutputFormat.json:
        from painadvisor.render.json import render_json

        return render_json(advice, kb)
    if output_format is OutputFormat.markdown:
        from painadvisor.render.markdown import render_markdown

        return render_markdown(advice, kb)
    from painadvisor.render.terminal import render_terminal, text_console

    console = text_console(to_file=to_file)
    render_terminal(advice, console, explain=explain)
    return console.export_text() if to_file else None


