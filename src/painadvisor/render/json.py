"""The advice as JSON: the fields of intake.md's "What the advice states", in a stable order."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from painadvisor.kb.models import Advice, Cause, KnowledgeBase
from painadvisor.render.common import DISCLAIMER, cited_sources, describe
from painadvisor.render.common import RUNNING as _RUNNING
from painadvisor.version import __version__

SCHEMA_VERSION = "1.0"


def advice_to_dict(advice: Advice, kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "painadvisor_version": __version__,
        "case": {fact: list(value) if isinstance(value, tuple) else value
                 for fact, value in advice.case.items()},
        "triage": advice.triage,
        "triage_reasons": list(advice.triage_reasons),
        "red_flags": [
            {"id": raised.flag.id, "name": raised.flag.name, "triage": raised.flag.triage,
             "message": raised.flag.message, "running": raised.flag.running or _RUNNING[raised.flag.triage],
             "rule_out": list(raised.flag.rule_out), "because": _facts(raised.facts), "note": raised.note}
            for raised in advice.red_flags
        ],
        "causes": [
            {"id": ranked.cause.id, "name": ranked.cause.name, "area": ranked.cause.area,
             "level": ranked.cause.level, "score": round(ranked.score, 4),
             "rule_out": ranked.cause.id in advice.rule_out,
             "points": round(ranked.points, 3), "base_points": round(ranked.base_points, 3),
             "because": [_because(item, advice.from_training) for item in ranked.because]}
            for ranked in advice.causes
        ],
        "tips": [
            {"id": chosen.tip.id, "kind": chosen.tip.kind, "text": chosen.tip.text,
             "reason": chosen.reason}
            for chosen in advice.tips
        ],
        "missing": list(advice.missing),
        "history": None if advice.history is None else {
            "days_since_first": advice.history.days_since_first, "change": advice.history.change,
            "persistent": advice.history.persistent,
            "earlier": [earlier._asdict() for earlier in advice.history.earlier]},
        "training": None if advice.training is None else
        {key: value for key, value in advice.training.items() if key != "spike_sentence"},
        "from_training_log": list(advice.from_training),
        "overrides": [{"red_flag": flag_id, "file": path} for flag_id, path in kb.overrides],
        "sources": [{"id": source.id, "citation": source.citation()} for source in cited_sources(advice, kb)],
        "disclaimer": DISCLAIMER,
    }


def _because(item: Any, from_training: tuple[str, ...]) -> dict[str, object]:
    """One contribution; marked when a fact behind it came from the training log."""
    facts = {fact: list(value) if type(value) is tuple else value for fact, value in item.facts.items()}
    if not from_training or not any(fact in from_training for fact in facts):
        return {"facts": facts, "weight": item.weight, "note": str(item.note)}
    note = f"{item.note} (from your training log)" if item.note else "from your training log"
    return {"facts": facts, "weight": item.weight, "note": note, "from_training_log": True}


def _facts(facts: Mapping[str, object]) -> dict[str, object]:
    return {fact: list(value) if isinstance(value, tuple) else value for fact, value in facts.items()}


def render_json(advice: Advice, kb: KnowledgeBase, **extra: object) -> str:
    return dump({**advice_to_dict(advice, kb), **extra})


def explanation_to_dict(cause: Cause, kb: KnowledgeBase) -> dict[str, Any]:
    """Everything painadvisor knows about one cause, for ``painadvisor explain --format json``."""
    flags = {flag.id: flag for flag in kb.red_flags}
    return {
        "id": cause.id, "name": cause.name, "area": cause.area, "level": cause.level,
        "base_rate": cause.base_rate, "base_points": round(math.log(cause.base_rate * 100), 3),
        "explanation": cause.explanation,
        "evidence": [{"when": describe(item.condition), "weight": item.weight, "note": item.note}
                     for item in cause.evidence],
        "red_flags": [{"id": flag_id, "name": flags[flag_id].name, "triage": flags[flag_id].triage,
                       "message": flags[flag_id].message} for flag_id in cause.red_flags],
        "tips": [{"id": tip.id, "kind": tip.kind, "text": tip.text} for tip in kb.tips if cause.id in tip.for_causes],
        "sources": [{"id": source, "citation": kb.sources[source].citation()} for source in cause.sources],
        "disclaimer": DISCLAIMER,
    }


def causes_to_list(kb: KnowledgeBase) -> list[dict[str, str]]:
    return [{"id": cause.id, "name": cause.name, "area": cause.area, "level": cause.level}
            for cause in sorted(kb.causes, key=lambda cause: (cause.area, cause.id))]


INDENTED_UP_TO = 1000  # causes (or items): beyond this, compact JSON from the C encoder


def dump(document: object) -> str:
    """Indented JSON for people to read; a large document (a knowledge base of thousands of causes)
    is written compact, by the C encoder, which is many times faster than the indenting one."""
    size = len(document.get("causes", ())) if isinstance(document, dict) else \
        len(document) if isinstance(document, list) else 0
    if size > INDENTED_UP_TO:
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
