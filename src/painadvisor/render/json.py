"""The advice as JSON: the fields of intake.md's "What the advice states", in a stable order."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from painadvisor import __version__
from painadvisor.models import Advice, KnowledgeBase
from painadvisor.render.common import DISCLAIMER

SCHEMA_VERSION = "1.0"


def advice_to_dict(advice: Advice, kb: KnowledgeBase) -> dict[str, Any]:
    cited = sorted({source for ranked in advice.causes[:3] for source in ranked.cause.sources}
                   | {source for raised in advice.red_flags for source in raised.flag.sources}
                   | {source for chosen in advice.tips for source in chosen.tip.sources})
    return {
        "schema_version": SCHEMA_VERSION,
        "painadvisor_version": __version__,
        "case": {fact: list(value) if isinstance(value, tuple) else value
                 for fact, value in advice.case.items()},
        "triage": advice.triage,
        "triage_reasons": list(advice.triage_reasons),
        "red_flags": [
            {"id": raised.flag.id, "name": raised.flag.name, "triage": raised.flag.triage,
             "message": raised.flag.message, "because": _facts(raised.facts)}
            for raised in advice.red_flags
        ],
        "causes": [
            {"id": ranked.cause.id, "name": ranked.cause.name, "area": ranked.cause.area,
             "level": ranked.cause.level, "score": round(ranked.score, 4),
             "points": round(ranked.points, 3), "base_points": round(ranked.base_points, 3),
             "because": [
                 {"facts": _facts(item.facts), "weight": item.weight, "note": item.note}
                 for item in ranked.because
             ]}
            for ranked in advice.causes
        ],
        "tips": [
            {"id": chosen.tip.id, "kind": chosen.tip.kind, "text": chosen.tip.text,
             "reason": chosen.reason}
            for chosen in advice.tips
        ],
        "missing": list(advice.missing),
        "sources": [
            {"id": source_id, "citation": kb.sources[source_id].citation()}
            for source_id in cited if source_id in kb.sources
        ],
        "disclaimer": DISCLAIMER,
    }


def _facts(facts: Mapping[str, object]) -> dict[str, object]:
    return {fact: list(value) if isinstance(value, tuple) else value for fact, value in facts.items()}


def render_json(advice: Advice, kb: KnowledgeBase) -> str:
    return json.dumps(advice_to_dict(advice, kb), indent=2, ensure_ascii=False) + "\n"
