"""Textbook presentations: the built-in pack's own examples (rules/examples.yaml), one per cause
and one per red flag, used across the tests."""

from __future__ import annotations

import pytest
import yaml

from conftest import REPO

_EXAMPLES = yaml.safe_load((REPO / "rules" / "examples.yaml").read_text(encoding="utf-8"))["examples"]

# cause id -> a typical case
CAUSES: dict[str, dict[str, object]] = {
    example["id"]: example["case"] for example in _EXAMPLES if not example["id"].startswith("flag-")}

# red flag id -> (a case that raises it, the triage it must bring at least)
RED_FLAGS: dict[str, tuple[dict[str, object], str]] = {
    example["expect"]["red_flags"][0]: (example["case"], example["expect"]["triage"])
    for example in _EXAMPLES if example["id"].startswith("flag-")}


def cause_params() -> list[object]:
    return [pytest.param(cause, case, id=cause) for cause, case in CAUSES.items()]


def flag_params() -> list[object]:
    return [pytest.param(flag, case, level, id=flag) for flag, (case, level) in RED_FLAGS.items()]
