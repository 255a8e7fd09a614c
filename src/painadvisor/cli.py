"""The command line: parse, call the core, render, and map errors to exit codes (here only)."""

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from painadvisor import __version__
from painadvisor.errors import EXIT_FAILURE, EXIT_INTERRUPTED, PainAdvisorError
from painadvisor.options import (
    ExplainOption,
    ForceOption,
    FormatOption,
    ListFormat,
    OutputFormat,
    OutputOption,
    with_fact_options,
)

EXAMPLES = """
Examples:

  painadvisor advise --location knee.outer --side right --onset gradual --when after-distance \
--worse-with downhill --worse-with stairs-down --duration-days 10 --load-change large

  painadvisor advise --case my-knee.yaml --format json

  painadvisor advise --case my-knee.yaml --trend worse -o report.md --format markdown
"""


class PainAdvisorGroup(TyperGroup):
    """Runs the commands and turns every error into one line on stderr and an exit code."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as err:  # Click's usage errors (Typer vendors Click)
            code = _fail(err.format_message(), err.exit_code)
        except PainAdvisorError as err:
            code = _fail(str(err), err.exit_code)
        except (typer.Abort, KeyboardInterrupt):
            code = EXIT_INTERRUPTED
        except BrokenPipeError:
            code = EXIT_FAILURE
        code = code if isinstance(code, int) else 0
        if code == EXIT_INTERRUPTED:  # Typer turns Ctrl-C into a silent exit 130
            sys.stderr.write("\npainadvisor: interrupted\n")
        if standalone_mode:
            sys.exit(code)
        return code


def _fail(message: str, code: int) -> int:
    first, *rest = message.splitlines() or [""]
    sys.stderr.write(f"painadvisor: {first}\n")
    for line in rest:  # a broken knowledge base lists every problem, one per line
        sys.stderr.write(f"painadvisor: {line}\n")
    return code


app = typer.Typer(
    cls=PainAdvisorGroup,
    help="Advice for runners in pain: likely causes, red flags and what to do. Not a diagnosis.",
    invoke_without_command=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"painadvisor {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Advice for runners in pain: likely causes, red flags and what to do. Not a diagnosis.

    Run without a command for the interactive consultation.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(ask)


@app.command(epilog=EXAMPLES)
@with_fact_options
def advise(
    case_file: Annotated[str | None, typer.Option(
        "--case", metavar="FILE", help="A case file (YAML or JSON); '-' reads stdin. Flags override it.")] = None,
    output_format: FormatOption = OutputFormat.text,
    output: OutputOption = None,
    force: ForceOption = False,
    explain: ExplainOption = False,
    *,
    flags: dict[str, Any],
) -> None:
    """Rank the likely causes of your pain, raise red flags and give tips.

    Describe the pain with one flag per fact, or a case file, or both. Every fact is
    optional; the advice says what else it would like to know.
    """
    from painadvisor import caseio, engine, knowledge

    case = caseio.merge(caseio.read_case_file(case_file) if case_file else {}, flags)
    kb = knowledge.load_knowledge_base()
    _emit(engine.evaluate(kb, case), kb, output_format, output, force=force, explain=explain)


@app.command()
def ask(
    replay: Annotated[str | None, typer.Option(
        "--replay", metavar="FILE",
        help="Run the consultation without a terminal, answering from a case file ('-' for stdin).")] = None,
    output_format: FormatOption = OutputFormat.text,
    output: OutputOption = None,
    force: ForceOption = False,
    explain: ExplainOption = False,
) -> None:
    """A short conversation: where it hurts, then only the questions that matter, then the advice.

    Red-flag questions for the place that hurts are always asked. With --replay the same
    conversation answers itself from a case file (a fact missing there is "don't know"),
    and the JSON gains questions_asked and questions_count.
    """
    from painadvisor import caseio, engine, interview, knowledge

    kb = knowledge.load_knowledge_base()
    if replay is not None:
        consultation = interview.replay(kb, caseio.read_case_file(replay))
        advice = engine.evaluate(kb, consultation.case)
        _emit(advice, kb, output_format, output, force=force, explain=explain, asked=consultation.asked)
        return
    from painadvisor.session import require_terminal

    require_terminal(sys.stdin.isatty())
    _converse(kb, output_format, output, force=force, explain=explain)


@app.command()
def explain(
    cause_id: Annotated[str, typer.Argument(metavar="CAUSE_ID", help="A cause id, as listed by 'painadvisor causes'.")],
    output_format: Annotated[ListFormat, typer.Option("--format", "-f", help="text or json.")] = ListFormat.text,
) -> None:
    """What a cause is, which facts raise or lower it and by how much, its red flags, tips and sources."""
    from painadvisor import knowledge
    from painadvisor.errors import UsageError
    from painadvisor.vocabulary import suggest

    kb = knowledge.load_knowledge_base()
    known = [cause.id for cause in kb.causes]
    if cause_id not in known:
        raise UsageError(f"unknown cause '{cause_id}'{suggest(cause_id, known)}; see 'painadvisor causes'")
    cause = kb.cause(cause_id)
    if output_format is ListFormat.json:
        from painadvisor.render.json import dump, explanation_to_dict

        sys.stdout.write(dump(explanation_to_dict(cause, kb)))
        return
    from painadvisor.render.terminal import render_explanation, text_console

    render_explanation(cause, kb, text_console())


@app.command()
def causes(
    output_format: Annotated[ListFormat, typer.Option("--format", "-f", help="text or json.")] = ListFormat.text,
) -> None:
    """List every cause painadvisor knows: id, name and body area."""
    from painadvisor import knowledge

    kb = knowledge.load_knowledge_base()
    if output_format is ListFormat.json:
        from painadvisor.render.json import causes_to_list, dump

        sys.stdout.write(dump(causes_to_list(kb)))
        return
    from painadvisor.render.terminal import render_cause_list, text_console

    render_cause_list(kb, text_console())


@app.command()
def schema() -> None:
    """Print the JSON Schema of the advice JSON (--format json of advise and ask)."""
    from painadvisor.render.schema import render_schema

    sys.stdout.write(render_schema())


def _converse(kb: Any, output_format: OutputFormat, output: Path | None, *, force: bool, explain: bool) -> None:
    from rich.text import Text

    from painadvisor import engine
    from painadvisor.render.terminal import text_console
    from painadvisor.session import Session
    from painadvisor.vocabulary import parse_case

    console = text_console()

    def read_line(prompt: str) -> str:
        return console.input(Text(prompt))  # a Text prompt is never parsed as markup

    try:
        case = Session(kb, console, read_line).run()
    except EOFError:
        raise PainAdvisorError("input ended before the consultation was over; nothing was saved") from None
    advice = engine.evaluate(kb, parse_case(case))
    console.print()
    _emit(advice, kb, output_format, output, force=force, explain=explain)
    if output is None:
        _offer_report(advice, kb, read_line, lambda message: console.print(Text(message)))


def _offer_report(advice: Any, kb: Any, read_line: Any, say: Any) -> None:
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


def _emit(advice: Any, kb: Any, output_format: OutputFormat, output: Path | None, *, force: bool,
          explain: bool, asked: list[str] | None = None) -> None:
    """Render the advice and send it to stdout or to the output file."""
    if asked is not None and output_format is OutputFormat.json:
        from painadvisor.render.json import render_json

        text: str | None = render_json(advice, kb, questions_asked=asked, questions_count=len(asked))
    else:
        text = _render(advice, kb, output_format, explain=explain, to_file=output is not None)
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


def _render(advice: Any, kb: Any, output_format: OutputFormat, *, explain: bool, to_file: bool) -> str | None:
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


def main() -> None:
    """The console script."""
    if os.environ.get("NO_COLOR") == "":
        os.environ.pop("NO_COLOR")  # an empty NO_COLOR means "not set" (no-color.org)
    app()
