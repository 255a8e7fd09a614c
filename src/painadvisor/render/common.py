"""Wording shared by every renderer, so terminal, JSON and Markdown say the same."""

from __future__ import annotations

from collections.abc import Mapping

DISCLAIMER = (
    "painadvisor is not a diagnosis: it ranks likely causes from what you told it. "
    "If in doubt, or if it gets worse, see a doctor or physiotherapist."
)

TRIAGE_HEADLINES = {
    "emergency": "GET MEDICAL HELP NOW",
    "see-doctor": "STOP RUNNING AND SEE A DOCTOR",
    "self-care": "Self-care is reasonable for now",
}

TRIAGE_SUMMARIES = {
    "emergency": "Something you describe needs medical help today. Do not run.",
    "see-doctor": "Stop running on it and see a doctor or physiotherapist within days.",
    "self-care": "No red flags in what you told me. Manage it yourself and watch how it goes.",
}


def format_value(value: object) -> str:
    """A case value in plain words: lists joined, yes/no spelled out."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(str(item) for item in value)
    return str(value)


def format_facts(facts: Mapping[str, object]) -> str:
    return "; ".join(f"{fact} = {format_value(value)}" for fact, value in facts.items())
