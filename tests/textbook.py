"""Textbook presentations: the built-in pack's own examples (in rules/, each area file carries
its causes' examples; the red-flag examples are in examples.yaml), one per cause and one per
red flag, used across the tests."""

from __future__ import annotations

import pytest
import yaml

from conftest import REPO

_EXAMPLES = [example for path in sorted((REPO / "rules").glob("*.yaml"))
             for example in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("examples", [])]

# cause id -> a typical case (the first example that expects it)
CAUSES: dict[str, dict[str, object]] = {}
for _example in _EXAMPLES:
    if not _example["id"].startswith("flag-"):
        CAUSES.setdefault(_example["expect"]["cause"], _example["case"])

# red flag id -> (a case that raises it, the triage it must bring at least)
RED_FLAGS: dict[str, tuple[dict[str, object], str]] = {
    example["expect"]["red_flags"][0]: (example["case"], example["expect"]["triage"])
    for example in _EXAMPLES if example["id"].startswith("flag-")}


def cause_params() -> list[object]:
    return [pytest.param(cause, case, id=cause) for cause, case in CAUSES.items()]


def flag_params() -> list[object]:
    return [pytest.param(flag, case, level, id=flag) for flag, (case, level) in RED_FLAGS.items()]
