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

from painadvisor.cli.actions import OutputFormat
from painadvisor.kb.cases import case_from_flags
from painadvisor.kb.vocabulary import FACTS, Fact, Kind

PANELS = {
    "location": "Where it hurts", "side": "Where it hurts", "pain_type": "Where it hurts",
    "spread": "Where it hurts", "onset": "When and how it started", "pop": "When and how it started",
    "when": "When and how it started", "eases_when_warm": "When and how it started",
    "worse_with": "When and how it started", "duration_days": "When and how it started",
    "trend": "When and how it started", "severity": "When and how it started",
    "signs": "What else is going on", "recent_immobility": "What else is going on",
    "previous_same_injury": "What else is going on", "note": "What else is going on",
    "mechanism": "When and how it started", "eases_soon_after_stopping": "When and how it started",
    "eased_off": "When and how it started", "signs_absent": "What else is going on",
    "back_pain": "What else is going on", "risk_factors": "What else is going on",
    "missed_periods": "What else is going on", "restricted_eating": "What else is going on",
}
TRAINING_PANEL = "The runner and the training"


FormatOption = Annotated[OutputFormat, typer.Option(
    "--format", "-f", help="text (for people), json (for scripts) or markdown (a report).")]
OutputOption = Annotated[Path | None, typer.Option(
    "--output", "-o", metavar="FILE", help="Write the advice to FILE instead of the screen.")]
ForceOption = Annotated[bool, typer.Option("--force", help="Replace FILE if it exists.")]
NoSaveOption = Annotated[bool, typer.Option(
    "--no-save", help="Neither use nor keep the local history for this consultation.")]
DbOption = Annotated[Path | None, typer.Option(
    "--db", metavar="PATH", envvar="PAINADVISOR_DB", show_envvar=True,
    help="The history database (default: history.db in your data folder).")]
RulesOption = Annotated[list[str] | None, typer.Option(
    "--rules", metavar="PACK", help="An extra rule pack (a folder or file) loaded after the built-in one; "
    "repeatable. PAINADVISOR_RULES holds more (a path list).")]
ExplainOption = Annotated[bool, typer.Option("--explain", help="Show every point behind every score.")]


def _completer(fact: Fact) -> Callable[[str], list[str]]:
    def complete(incomplete: str) -> list[str]:
        return [value for value in fact.values if value.startswith(incomplete)]
    return complete


def _annotation(fact: Fact) -> Any:
    panel = PANELS.get(fact.id, TRAINING_PANEL)
    common: dict[str, Any] = {"rich_help_panel": panel, "show_default": False}
    if fact.kind is Kind.YES_NO:
        name = fact.id.replace("_", "-")
        option = typer.Option(f"--{name}/--no-{name}", help=f"{fact.label.capitalize()}?", **common)
        return Annotated[bool | None, option]
    if fact.kind is Kind.NUMBER:
        help_text = f"{fact.label.capitalize()}: whole number {fact.minimum} to {fact.maximum}."
        return Annotated[str | None, typer.Option(fact.flag, metavar="N", help=help_text, **common)]
    if fact.kind is Kind.TEXT:
        help_text = f"{fact.label.capitalize()}: free text, shown back literally (max {fact.maximum} chars)."
        return Annotated[str | None, typer.Option(fact.flag, help=help_text, **common)]
    choices = ", ".join(fact.values)
    if fact.kind is Kind.MANY:
        help_text = f"{fact.label.capitalize()} (repeat the flag or separate with commas): {choices}."
        return Annotated[list[str] | None, typer.Option(
            fact.flag, help=help_text, autocompletion=_completer(fact), **common)]
    help_text = f"{fact.label.capitalize()}: {choices}."
    return Annotated[str | None, typer.Option(fact.flag, help=help_text, autocompletion=_completer(fact), **common)]


def with_fact_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Give ``command`` one option per fact; it receives them as ``flags`` (a checked case)."""
    hints = typing.get_type_hints(command, include_extras=True)
    own = [parameter.replace(annotation=hints[name])
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
