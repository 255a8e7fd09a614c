"""Command-line options declared once: one flag per fact of the case vocabulary.

``with_fact_options`` adds a flag for every fact to a Typer command, so the flags
can never drift from ``vocabulary.FACTS``; the command receives them, checked,
as one ``flags`` case.
"""

import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from painadvisor.cli import optiontable
from painadvisor.cli.actions import OutputFormat
from painadvisor.kb.cases import case_from_flags
from painadvisor.kb.vocabulary import FACTS, Fact, Kind

TRAINING_PANEL = "The runner and the training"  # a fact's flags are listed under its group, else here
_TYPES: dict[str, Any] = {"value": str | None, "path": Path | None, "texts": list[str] | None,
                          "paths": list[Path] | None, "switch": bool, "format": OutputFormat}


def table_option(dest: str) -> Any:
    """The Typer annotation of an option of ``optiontable``: the one declaration of its name,
    help, metavar and environment variable."""
    option = optiontable.BY_DEST[dest]
    extra: dict[str, Any] = {"metavar": option.metavar} if option.metavar else {}
    if option.envvar:
        extra.update(envvar=option.envvar, show_envvar=True)
    return Annotated[_TYPES[option.kind], typer.Option(*option.flags, help=option.help, **extra)]


def _default(dest: str) -> Any:
    value = optiontable.default(dest)
    return OutputFormat(str(value)) if optiontable.BY_DEST[dest].kind == "format" else value


FormatOption = table_option("output_format")
OutputOption = table_option("output")
ForceOption = table_option("force")
NoSaveOption = table_option("no_save")
DbOption = table_option("db")
RulesOption = table_option("rules")
ExplainOption = table_option("explain")


def _completer(fact: Fact) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        return [value for value in fact.values if value.startswith(incomplete)]
    return complete


def _annotation(fact: Fact) -> Any:
    common: dict[str, Any] = {"rich_help_panel": fact.group or TRAINING_PANEL, "show_default": False}
    more = f" {fact.help}" if fact.help else ""
    if fact.kind is Kind.YES_NO:
        name = fact.id.replace("_", "-")
        option = typer.Option(f"--{name}/--no-{name}", help=f"{fact.label.capitalize()}?{more}", **common)
        return Annotated[bool | None, option]
    if fact.kind is Kind.NUMBER:
        help_text = f"{fact.label.capitalize()}: whole number {fact.minimum} to {fact.maximum}.{more}"
        return Annotated[str | None, typer.Option(fact.flag, metavar="N", help=help_text, **common)]
    if fact.kind is Kind.TEXT:
        help_text = f"{fact.label.capitalize()}: free text, shown back literally (max {fact.maximum} chars).{more}"
        return Annotated[str | None, typer.Option(fact.flag, help=help_text, **common)]
    choices = ", ".join(fact.values)
    if fact.kind is Kind.MANY:
        help_text = f"{fact.label.capitalize()} (repeat the flag or separate with commas): {choices}.{more}"
        return Annotated[list[str] | None, typer.Option(
            fact.flag, help=help_text, autocompletion=_completer(fact), **common)]
    help_text = f"{fact.label.capitalize()}: {choices}.{more}"
    return Annotated[str | None, typer.Option(fact.flag, help=help_text, autocompletion=_completer(fact), **common)]


def with_fact_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give ``command`` one option per fact; it receives them as ``flags`` (a checked case).
    Its parameters named in ``optiontable`` are declared by the table (flags, help, default)."""
    hints = typing.get_type_hints(command, include_extras=True)
    own = [parameter.replace(annotation=table_option(name), default=_default(name))
           if name in optiontable.BY_DEST else parameter.replace(annotation=hints[name])
           for name, parameter in inspect.signature(command).parameters.items() if name != "flags"]
    facts = [inspect.Parameter(fact.id, inspect.Parameter.KEYWORD_ONLY, default=None,
                               annotation=_annotation(fact)) for fact in FACTS]

    @functools.wraps(command)
    def wrapper(**kwargs: Any) -> Any:
        raw = {fact.id: kwargs.pop(fact.id) for fact in FACTS}
        return command(**kwargs, flags=case_from_flags(raw))

    parameters = own + facts
    wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
    return wrapper
