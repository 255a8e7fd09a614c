"""Wording shared by every renderer, so terminal, JSON and Markdown say the same."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from painadvisor.kb.models import (
    Advice,
    AllOf,
    Condition,
    Contribution,
    KnowledgeBase,
    Leaf,
    Not,
    RankedCause,
    RedFlag,
    Source,
)
from painadvisor.kb.vocabulary import FACTS, FACTS_BY_ID

DISCLAIMER = (
    "painadvisor is not a diagnosis: it ranks likely causes from what you told it. "
    "If in doubt, or if it gets worse, see a doctor or physiotherapist."
)

TRIAGE_HEADLINES = {
    "emergency": "GET MEDICAL HELP NOW",
    "urgent": "SEE A DOCTOR TODAY",
    "see-doctor": "See a doctor or physiotherapist within days",
    "self-care": "Self-care is reasonable for now",
}

TRIAGE_SUMMARIES = {
    "emergency": "Something you describe needs medical help now. Do not run.",
    "urgent": "Something you describe needs a doctor today, not in a few days. Do not run until then.",
    "see-doctor": "Have it checked by a doctor or physiotherapist within days; whether to keep running "
                  "is said with each reason below.",
    "self-care": "No red flags in what you told me. Manage it yourself and watch how it goes.",
}


# Whether to keep running, for a red flag that does not say it in its own words.
RUNNING = {
    "emergency": "Do not run.",
    "urgent": "Do not run until a doctor has seen it.",
    "see-doctor": "Stop running on it until it has been checked.",
}


SHOWN_CAUSES = 5
MIN_SHOWN_SCORE = 0.02


def shown_causes(advice: Advice) -> list[RankedCause]:
    """The causes a person is shown: the first few with a fair score, and always those to rule out."""
    shown = [ranked for ranked in advice.causes[:SHOWN_CAUSES]
             if ranked.score >= MIN_SHOWN_SCORE or ranked.cause.id in advice.rule_out]
    return shown or list(advice.causes[:1])


def percent(score: float) -> str:
    """A score as people read it: never 100 % (nothing here is certain), and never a bare 0 %."""
    if score < 0.005:
        return "<1%"
    return f"{min(99, round(score * 100))}%"


def format_value(value: object) -> str:
    """A case value in plain words: lists joined, yes/no spelled out."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(str(item) for item in value)
    return str(value)


def format_facts(facts: Mapping[str, object]) -> str:
    return "; ".join(f"{fact} = {format_value(value)}" for fact, value in facts.items())


def answer_labels(kb: KnowledgeBase) -> Callable[[str, object], list[str]]:
    """A function giving an answer in the questionnaire's plain words (the value where none),
    one item per value chosen."""
    labels: dict[tuple[str, object], str] = {}
    for question in kb.questions:
        for choice in question.choices:
            labels.setdefault((question.fact, choice.value), choice.label)
    for fact in FACTS:  # the vocabulary's own words where no question says it otherwise
        for value, words in fact.labels.items():
            labels.setdefault((fact.id, value), words)

    def label(fact: str, value: object) -> list[str]:
        if isinstance(value, tuple | list):
            return [labels.get((fact, item), str(item)) for item in value]
        if isinstance(value, bool):
            return ["yes" if value else "no"]
        if fact == "duration_days":
            return [f"{value} days"]
        return [labels.get((fact, value), str(value))]

    return label


def cited_sources(advice: Advice, kb: KnowledgeBase) -> list[Source]:
    """The references behind the rules that fired: shown causes, raised flags, chosen tips."""
    ids = dict.fromkeys(
        [source for ranked in shown_causes(advice) for source in ranked.cause.sources]
        + [source for raised in advice.red_flags for source in raised.flag.sources]
        + [source for chosen in advice.tips for source in chosen.tip.sources])
    return [kb.sources[source] for source in ids if source in kb.sources]


def describe(condition: Condition) -> str:
    """A rule condition in words, e.g. "where it hurts: knee.outer or knee.inner"."""
    if isinstance(condition, Leaf):
        label = FACTS_BY_ID[condition.fact].label
        if condition.values is not None:
            values = sorted(format_value(value) for value in condition.values)
            return f"{label}: {' or '.join(values)}"
        if condition.at_least is not None and condition.at_most is not None:
            return f"{label}: {condition.at_least} to {condition.at_most}"
        if condition.at_least is not None:
            return f"{label}: {condition.at_least} or more"
        return f"{label}: {condition.at_most} or less"
    if isinstance(condition, Not):
        return f"not ({describe(condition.condition)})"
    joiner = " and " if isinstance(condition, AllOf) else " or "
    return joiner.join(f"({describe(part)})" if not isinstance(part, Leaf) else describe(part)
                       for part in condition.conditions)


# --- plain words for people (reports): no internal ids -------------------------------

TRIAGE_IN_WORDS = {
    "self-care": "self-care",
    "see-doctor": "see a doctor or physiotherapist within days",
    "urgent": "see a doctor today",
    "emergency": "get medical help now",
}


def triage_in_words(level: str) -> str:
    """A triage level as people say it ("see a doctor today"), never its id."""
    return TRIAGE_IN_WORDS.get(level, level.replace("-", " "))


def running_advice(flag: RedFlag) -> str:
    """Whether to keep running with a raised red flag: the flag's own words, else its level's."""
    return flag.running or RUNNING.get(flag.triage, "")


def facts_in_words(facts: Mapping[str, object], labels: Callable[[str, object], list[str]]) -> str:
    """Case facts as "label: value label" in the questionnaire's words (``labels`` from answer_labels)."""
    return "; ".join(f"{FACTS_BY_ID[fact].label}: {', '.join(labels(fact, value))}"
                     for fact, value in facts.items() if fact in FACTS_BY_ID)


def reason_in_words(item: Contribution, labels: Callable[[str, object], list[str]]) -> str:
    """Why a piece of evidence counted: its rule's note, else the facts behind it in plain words."""
    return item.note or facts_in_words(item.facts, labels)


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".?!" else text + "."


def reference_text(source: Source, *, max_authors: int | None = None) -> str:
    """A reference as a reader expects it: the year once (not again when the journal line holds it),
    no "?." at the end of a title, and at most ``max_authors`` authors before "et al."."""
    authors = source.authors.strip()
    if max_authors is not None:
        names = [name.strip() for name in authors.split(",")]
        if names and names[-1].rstrip(".").lower() == "et al":
            names.pop()
        if len(names) > max_authors:
            authors = ", ".join(names[:max_authors]) + ", et al."
    year = "" if str(source.year) in source.published else f" ({source.year})"
    head = f"{authors}{year}" if year else authors
    return " ".join(part for part in (_sentence(head), _sentence(source.title), _sentence(source.published)) if part)
