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
from painadvisor.options import OutputFormat, with_fact_options

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
            code = _fail("interrupted", EXIT_INTERRUPTED)
        except BrokenPipeError:
            code = EXIT_FAILURE
        code = code if isinstance(code, int) else 0
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
    """Advice for runners in pain: likely causes, red flags and what to do. Not a diagnosis."""
    if ctx.invoked_subcommand is None:
        sys.stdout.write(ctx.get_help() + "\n")


@app.command(epilog=EXAMPLES)
@with_fact_options
def advise(
    case_file: Annotated[str | None, typer.Option(
        "--case", metavar="FILE", help="A case file (YAML or JSON); '-' reads stdin. Flags override it.")] = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", "-f", help="text (for people), json (for scripts) or markdown (a report).")] = OutputFormat.text,
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", metavar="FILE", help="Write the advice to FILE instead of the screen.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")] = False,
    explain: Annotated[bool, typer.Option("--explain", help="Show every point behind every score.")] = False,
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
    advice = engine.evaluate(kb, case)
    text = _render(advice, kb, output_format, explain=explain, to_file=output is not None)
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
