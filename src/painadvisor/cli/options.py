"""Typer's side of the options declared once: those of ``optiontable`` and one flag per fact
of the case vocabulary.

``with_table`` declares a command's options from its table (and, for ``advise``, a flag for
every fact), so the flags can never drift from the fast path or from ``vocabulary.FACTS``;
the command receives the facts, checked, as one ``flags`` case.
"""

import functools
import inspect
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from painadvisor.cli import optiontable
from painadvisor.cli.optiontable import ListFormat, OutputFormat
from painadvisor.kb.cases import case_from_flags
from painadvisor.kb.vocabulary import FACTS, Fact, Kind

TRAINING_PANEL = "The runner and the training"  # a fact's flags are listed under its group, else here
_TYPES: dict[str, Any] = {"value": str | None, "path": Path | None, "texts": list[str] | None,
                          "paths": list[Path] | None, "switch": bool}


def _choice_type(option: optiontable.Option) -> Any:
    return OutputFormat if option.choices == optiontable.FORMATS else ListFormat


def table_option(option: optiontable.Option) -> Any:
    """The Typer annotation of an option of ``optiontable``: the one declaration of its name,
    help, metavar and environment variable."""
    extra: dict[str, Any] = {"metavar": option.metavar} if option.metavar else {}
    if option.envvar:
        extra.update(envvar=option.envvar, show_envvar=True)
    kind = _choice_type(option) if option.kind == "choice" else _TYPES[option.kind]
    return Annotated[kind, typer.Option(*option.flags, help=option.help, **extra)]


def _default(option: optiontable.Option) -> Any:
    return _choice_type(option)(option.default) if option.kind == "choice" else option.default


FormatOption = table_option(optiontable.OUTPUT_FORMAT)
OutputOption = table_option(optiontable.OUTPUT)
ForceOption = table_option(optiontable.FORCE)
NoSaveOption = table_option(optiontable.NO_SAVE)
DbOption = table_option(optiontable.DB)
RulesOption = table_option(optiontable.RULES)
ExplainOption = table_option(optiontable.EXPLAIN)
ListFormatOption = table_option(optiontable.LIST_FORMAT)


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


def with_table(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a command's options from ``optiontable.COMMANDS[name]``: its parameters named in
    the table take the table's flags, help and defaults; with ``facts``, one option per fact is
    added and the command receives them as ``flags`` (a checked case)."""
    table = optiontable.COMMANDS[name]

    def declare(command: Callable[..., Any]) -> Callable[..., Any]:
        hints = typing.get_type_hints(command, include_extras=True)
        own = [parameter.replace(annotation=table_option(table.by_dest[name]), default=_default(table.by_dest[name]))
               if name in table.by_dest else parameter.replace(annotation=hints[name])
               for name, parameter in inspect.signature(command).parameters.items() if name != "flags"]
        facts = [inspect.Parameter(fact.id, inspect.Parameter.KEYWORD_ONLY, default=None,
                                   annotation=_annotation(fact)) for fact in FACTS] if table.facts else []

        @functools.wraps(command)
        def wrapper(**kwargs: Any) -> Any:
            if not table.facts:
                return command(**kwargs)
            raw = {fact.id: kwargs.pop(fact.id) for fact in FACTS}
            return command(**kwargs, flags=case_from_flags(raw))

        parameters = own + facts
        wrapper.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
        wrapper.__annotations__ = {parameter.name: parameter.annotation for parameter in parameters}
        return wrapper

    return declare
