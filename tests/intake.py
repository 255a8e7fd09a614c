"""Reads the case vocabulary contract (shared/intake.md) so tests check against it, not against our copy."""

from __future__ import annotations

import re

from conftest import INTAKE

_ROW = re.compile(r"^\| `(?P<fact>[a-z_]+)` \|(?P<kind>[^|]+)\|(?P<values>[^|]*)\|$")
_CODE = re.compile(r"`([^`]+)`")


def facts() -> dict[str, tuple[str, list[str]]]:
    """fact id -> (kind as written, values listed)."""
    found: dict[str, tuple[str, list[str]]] = {}
    vocabulary_part = INTAKE.read_text(encoding="utf-8").split("## A case file", 1)[0]
    for line in vocabulary_part.splitlines():
        match = _ROW.match(line.strip())
        if match:
            found[match["fact"]] = (match["kind"].strip(), _CODE.findall(match["values"]))
    return found


def cause_ids() -> list[str]:
    text = INTAKE.read_text(encoding="utf-8")
    section = text.split("## Cause ids", 1)[1].split("## Red flag ids", 1)[0]
    return [item for item in _CODE.findall(section) if "-" in item or item in {"doms", "dvt"}]


def red_flag_ids() -> list[str]:
    text = INTAKE.read_text(encoding="utf-8")
    section = text.split("## Red flag ids", 1)[1]
    return [match.group(1) for match in re.finditer(r"^\| `([a-z-]+)` \|", section, re.MULTILINE)]
