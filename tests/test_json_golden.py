"""The JSON advice of one fixed case, compared with ``tests/golden/advice.json``.

The JSON is a contract for scripts: a change to it must be deliberate.  When the advice
changes on purpose (new rules that change this case, a new field), regenerate the file and
read the diff before committing it:

    PAINADVISOR_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_json_golden.py
    git diff tests/golden/

painadvisor's version is written as VERSION, so a release alone does not change the file.
"""

from __future__ import annotations

import json
import os

import painadvisor
from painadvisor.kb.models import KnowledgeBase

from conftest import REPO

GOLDEN = REPO / "tests" / "golden" / "advice.json"
# A clot to rule out beside a likelier strain: a red flag, a rule-out, tips and sources.
CASE = {"location": "calf", "side": "left", "onset": "sudden", "pain_type": "sharp", "recent_immobility": True,
        "duration_days": 2, "age": 38, "sex": "female", "risk_factors": ["contraceptive-pill"]}


def test_the_json_advice_matches_the_golden_file(kb: KnowledgeBase) -> None:
    advice = painadvisor.advise(CASE, kb).to_dict()
    advice["painadvisor_version"] = "VERSION"
    text = json.dumps(advice, indent=2, ensure_ascii=False) + "\n"
    if os.environ.get("PAINADVISOR_UPDATE_GOLDEN"):
        GOLDEN.write_text(text, encoding="utf-8")
    assert text == GOLDEN.read_text(encoding="utf-8")
