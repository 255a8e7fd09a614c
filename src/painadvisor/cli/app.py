"""The command line: parse, call the core, render, and map errors to exit codes (here only)."""

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from painadvisor.cli import actions, history_commands, rule_commands
from painadvisor.cli.options import (
    DbOption,
    ExplainOption,
    ForceOption,
    FormatOption,
    OutputOption,
    RulesOption,
    with_table,
)
from painadvisor.cli.optiontable import ListFormat, OutputFormat
from painadvisor.errors import EXIT_FAILURE, EXIT_INTERRUPTED, PainAdvisorError, fail
from painadvisor.version import __version__

EXAMPLES = """
Examples:

  painadvisor advise --location knee.outer --side right --onset gradual --when after-distance \
--worse-with downhill --worse-with stairs-down --duration-days 10 --load-change large

  painadvisor advise --case my-knee.yaml --format json

  painadvisor advise --case my-knee.yaml --trend worse -o report.md --format markdown
"""


class _ReaderGone(Exception):
    """The reader of standard output went away (``| head``); Click would make that exit 1."""


class PainAdvisorGroup(TyperGroup):
    """Runs the commands and turns every error into one line on stderr and an exit code."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise _ReaderGone from None

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True, windows_expand_args: bool = True,
             **extra: Any) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except typer.TyperException as err:  # Click's usage errors (Typer vendors Click)
            code = fail(_with_suggestion(err.format_message()), err.exit_code)
        except PainAdvisorError as err:
            code = fail(str(err), err.exit_code)
        except (typer.Abort, KeyboardInterrupt):
            code = EXIT_INTERRUPTED
        except (BrokenPipeError, _ReaderGone):
            from painadvisor.errors import quiet_broken_pipe

            code = quiet_broken_pipe()
        code = code if isinstance(code, int) else 0
        if code == EXIT_INTERRUPTED:  # Typer turns Ctrl-C into a silent exit 130
            sys.stderr.write("\npainadvisor: interrupted\n")
        if standalone_mode:
            sys.exit(code)
        return code


def _with_suggestion(message: str) -> str:
    """Click's "'x' is not one of 'a', 'b'" with a "did you mean" added."""
    import re

    from painadvisor.kb.vocabulary import suggest

    found = re.search(r"'([^']*)' is not one of ((?:'[^']*'(?:, )?)+)", message)
    if not found:
        return message
    hint = suggest(found.group(1), re.findall(r"'([^']*)'", found.group(2)))
    return message.replace("Value error, ", "").rstrip(".") + hint + "." if hint else message


app = typer.Typer(
    cls=PainAdvisorGroup,
    help="Advice for runners in pain: likely causes, red flags and what to do. Not a diagnosis.\n\n"
    "Run without a command, in a terminal, for the interactive consultation.",
    invoke_without_command=True,
    epilog=EXAMPLES + "\n  painadvisor                (the interactive consultation)\n",
    add_completion=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_show_locals=False,
    rich_markup_mode=None,  # plain help: wraps at any width, never truncates a flag or a value
)


def _version(value: bool) -> None:
    if value:
        sys.stdout.write(f"painadvisor {__version__}\n")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", "-V", callback=_version, is_eager=True,
                                          help="Show the version and exit.")] = False,
) -> None:
    """Advice for runners in pain: likely causes, red flags and what to do. Not a diagnosis.

    Run without a command for the interactive consultation.
    """
    if ctx.invoked_subcommand is None:
        ctx.invoke(ask)


@app.command(epilog=EXAMPLES)
@with_table("advise")
def advise(
    case_file: str | None = None,
    batch: str | None = None,
    output_format: OutputFormat = OutputFormat.text,
    output: Path | None = None,
    force: bool = False,
    explain: bool = False,
    no_save: bool = False,
    save: bool = False,
    db: Path | None = None,
    rules: list[str] | None = None,
    training: list[Path] | None = None,
    *,
    flags: dict[str, Any],
) -> None:
    """Rank the likely causes of your pain, raise red flags and give tips.

    Describe the pain with one flag per fact, or a case file, or both. Every fact is
    optional; the advice says what else it would like to know.
    """
    if batch is not None:
        if case_file is not None:
            raise typer.BadParameter("use --case or --batch, not both", param_hint="--batch")
        failed = actions.batch(batch, flags, output, force=force, rules=rules or [])
        if failed:
            raise typer.Exit(EXIT_FAILURE)
        return
    actions.advise(case_file, flags, output_format, output, force=force, explain=explain,
                   db=None if no_save else _db(db), rules=rules or [], save=True if save else None,
                   training=training or [])


@app.command()
@with_table("ask")
def ask(
    replay: str | None = None,
    output_format: OutputFormat = OutputFormat.text,
    output: Path | None = None,
    force: bool = False,
    explain: bool = False,
    no_save: bool = False,
    db: Path | None = None,
    rules: list[str] | None = None,
) -> None:
    """A short conversation: where it hurts, then only the questions that matter, then the advice.

    Red-flag questions for the place that hurts are always asked. With --replay the same
    conversation answers itself from a case file (a fact missing there is "don't know"),
    and the JSON gains questions_asked and questions_count.
    """
    actions.ask(replay, output_format, output, force=force, explain=explain, db=None if no_save else _db(db),
                rules=rules or [])


@app.command()
@with_table("explain")
def explain(
    cause_id: Annotated[str, typer.Argument(metavar="CAUSE_ID", help="A cause id, as listed by 'painadvisor causes'.")],
    output_format: ListFormat = ListFormat.text,
    rules: list[str] | None = None,
) -> None:
    """What a cause is, which facts raise or lower it and by how much, its red flags, tips and sources."""
    rule_commands.explain(cause_id, output_format, rules or [])


@app.command()
@with_table("causes")
def causes(output_format: ListFormat = ListFormat.text, rules: list[str] | None = None) -> None:
    """List every cause painadvisor knows: id, name and body area."""
    rule_commands.causes(output_format, rules or [])


@app.command()
@with_table("facts")
def facts(output_format: OutputFormat = OutputFormat.text, rules: list[str] | None = None) -> None:
    """List the case vocabulary: every fact, its flag, its kind and its values in plain words.

    Example: painadvisor facts --format json | jq '.[] | select(.id == "location")'
    """
    rule_commands.facts(output_format, rules or [])


@app.command()
def schema() -> None:
    """Print the JSON Schema of the advice JSON (--format json of advise and ask)."""
    rule_commands.schema()


def _db(option: Path | None) -> Path:
    from painadvisor.files.paths import db_path

    return db_path(option)


history_app = typer.Typer(help="Your earlier consultations, kept only on this computer.", invoke_without_command=True)
app.add_typer(history_app, name="history")


@history_app.callback()
def history(
    ctx: typer.Context,
    db: DbOption = None,
    output_format: Annotated[ListFormat, typer.Option("--format", "-f", help="text or json.")] = ListFormat.text,
) -> None:
    """List your kept consultations: date, place, triage and top cause (see 'history show ID')."""
    if ctx.invoked_subcommand is None:
        history_commands.history_list(_db(db), output_format)


@history_app.command("show")
def history_show(
    record_id: Annotated[int, typer.Argument(metavar="ID", help="The consultation's id, from 'painadvisor history'.")],
    db: DbOption = None,
    output_format: FormatOption = OutputFormat.text,
    output: OutputOption = None,
    force: ForceOption = False,
    explain: ExplainOption = False,
    rules: RulesOption = None,
) -> None:
    """Show a kept consultation's advice again, in any format (Markdown too, with -o for a report)."""
    history_commands.history_show(_db(db), record_id, output_format, output, force=force, explain=explain,
                                  rules=rules or [])


@history_app.command("delete")
def history_delete(
    record_id: Annotated[int | None, typer.Argument(metavar="[ID]", help="The consultation to delete.")] = None,
    everything: Annotated[bool, typer.Option("--all", help="Delete every kept consultation.")] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")] = False,
    db: DbOption = None,
) -> None:
    """Delete one kept consultation, or all of them with --all."""
    from painadvisor.errors import UsageError

    if (record_id is None) == (not everything):
        raise UsageError("give one consultation ID, or --all (not both)")
    what = "every kept consultation" if everything else f"consultation {record_id}"
    if not yes and not typer.confirm(f"Delete {what}?", default=False, err=True):
        raise typer.Exit(1)
    history_commands.history_delete(_db(db), None if everything else record_id)


@history_app.command("export")
def history_export(
    target: Annotated[Path, typer.Argument(metavar="FILE", help="Where to write (JSON lines; not overwritten).")],
    db: DbOption = None,
) -> None:
    """Export every kept consultation as JSON lines, for a backup."""
    history_commands.history_export(_db(db), target)


rules_app = typer.Typer(help="Check, list and test rule packs (the built-in one and your own).")
app.add_typer(rules_app, name="rules")
PacksArgument = Annotated[list[str] | None, typer.Argument(
    metavar="[PACK]...", help="Rule files or folders, checked on top of the built-in pack.")]


@rules_app.command("check")
def rules_check(
    packs: PacksArgument = None,
    alone: Annotated[bool, typer.Option("--alone", help="Check the given packs without the built-in one.")] = False,
) -> None:
    """Check rule packs: every problem as file:line: message, or a one-line summary."""
    raise typer.Exit(rule_commands.rules_check(packs or [], alone=alone))


@rules_app.command("list")
def rules_list(rules: RulesOption = None) -> None:
    """Show what is loaded (built-in pack, PAINADVISOR_RULES, --rules) and from where."""
    rule_commands.rules_list(rules or [])


@rules_app.command("test")
def rules_test(packs: PacksArgument = None) -> None:
    """Run the example cases the packs carry; report each failure like a test runner."""
    raise typer.Exit(rule_commands.rules_test(packs or []))


def main() -> None:
    """The full command line (the console script tries the fast path in entry.py first)."""
    app()
