"""The JSON Schema of the advice JSON (``painadvisor schema``); tests validate real output against it."""

from __future__ import annotations

import json
from typing import Any

from painadvisor.kb.models import TIP_KINDS, TRIAGE_LEVELS
from painadvisor.kb.vocabulary import FACTS, Kind
from painadvisor.render.json import SCHEMA_VERSION

_FACT_VALUE: dict[Kind, dict[str, Any]] = {
    Kind.YES_NO: {"type": "boolean"},
    Kind.NUMBER: {"type": "integer"},
    Kind.TEXT: {"type": "string"},
}


def _fact_schema(kind: Kind, values: tuple[str, ...], minimum: int | None, maximum: int | None) -> dict[str, Any]:
    if kind is Kind.ONE:
        return {"enum": list(values)}
    if kind is Kind.MANY:
        return {"type": "array", "items": {"enum": list(values)}, "uniqueItems": True}
    schema = dict(_FACT_VALUE[kind])
    if kind is Kind.NUMBER:
        schema.update(minimum=minimum, maximum=maximum)
    if kind is Kind.TEXT:
        schema["maxLength"] = maximum
    return schema


def _object(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or list(properties),
            "additionalProperties": False}


def _case() -> dict[str, Any]:
    """The case as the vocabulary now has it (a pack's facts too)."""
    return {"type": "object", "additionalProperties": False, "properties": {
        fact.id: _fact_schema(fact.kind, fact.values, fact.minimum, fact.maximum) for fact in FACTS}}
_TEXT = {"type": "string", "minLength": 1}
_ID = {"type": "string", "pattern": "^[a-z0-9]+(?:[-.][a-z0-9]+)*$"}

def advice_schema() -> dict[str, Any]:
    """The JSON Schema of the advice, for the vocabulary as it now is (a pack's facts too)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "painadvisor advice",
        "description": "What painadvisor advises for one case. Not a diagnosis.",
        **_object({
            "schema_version": {"const": SCHEMA_VERSION},
            "painadvisor_version": _TEXT,
            "case": _case(),
            "triage": {"enum": list(TRIAGE_LEVELS)},
            "triage_reasons": {"type": "array", "items": _TEXT},
            "red_flags": {"type": "array", "items": _object({
                "id": _ID, "name": _TEXT, "triage": {"enum": list(TRIAGE_LEVELS[1:])}, "message": _TEXT,
                "running": _TEXT, "rule_out": {"type": "array", "items": _ID},
                "because": _case(), "note": {"type": "string"}})},
            "causes": {"type": "array", "minItems": 1, "items": _object({
                "id": _ID, "name": _TEXT, "area": _TEXT, "level": {"enum": list(TRIAGE_LEVELS)},
                "score": {"type": "number", "minimum": 0, "maximum": 1}, "rule_out": {"type": "boolean"},
                "points": {"type": "number"}, "base_points": {"type": "number"},
                "because": {"type": "array", "items": _object({
                    "facts": _case(), "weight": {"type": "number"}, "note": {"type": "string"},
                    "from_training_log": {"const": True}}, required=["facts", "weight", "note"])}})},
            "tips": {"type": "array", "items": _object({
                "id": _ID, "kind": {"enum": list(TIP_KINDS)}, "text": _TEXT, "reason": _TEXT})},
            "missing": {"type": "array", "items": {"enum": [fact.id for fact in FACTS]}, "uniqueItems": True},
            "history": {"oneOf": [{"type": "null"}, _object({
                "days_since_first": {"type": "integer", "minimum": 0},
                "change": {"enum": ["better", "same", "worse"]},
                "persistent": {"type": "boolean"},
                "earlier": {"type": "array", "items": _object({
                    "id": {"type": "integer"}, "date": {"type": "string", "format": "date"},
                    "triage": {"type": "string"}, "top_cause": {"type": ["string", "null"]}})}})]},
            "training": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["weeks", "spike", "derived",
                                                                                "files", "skipped"]}]},
            "from_training_log": {"type": "array", "items": _ID},
            "overrides": {"type": "array", "items": _object({"red_flag": _ID, "file": _TEXT})},
            "sources": {"type": "array", "items": _object({"id": _ID, "citation": _TEXT})},
            "disclaimer": _TEXT,
            "questions_asked": {"type": "array", "items": _ID},
            "questions_count": {"type": "integer", "minimum": 0},
        }, required=["schema_version", "painadvisor_version", "case", "triage", "triage_reasons", "red_flags",
                     "causes", "tips", "missing", "history", "training", "from_training_log", "overrides", "sources",
                     "disclaimer"]),
    }


def render_schema() -> str:
    return json.dumps(advice_schema(), indent=2) + "\n"
