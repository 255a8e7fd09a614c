"""Our own vignettes (tests/vignettes, written from published presentations, separately from the
shared development set): the knowledge base must generalise to them, and replay must keep every flag."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from painadvisor.engine import advice as engine
from painadvisor.engine.interview import replay
from painadvisor.kb.models import KnowledgeBase, triage_rank
from painadvisor.kb.vocabulary import parse_case

VIGNETTES = sorted((Path(__file__).parent / "vignettes").glob("*.yaml"))


def load(path: Path) -> tuple[dict[str, object], dict[str, object]]:
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    return document["case"], document["expect"]


@pytest.mark.parametrize("path", VIGNETTES, ids=[path.stem for path in VIGNETTES])
def test_red_flags_and_triage_are_never_missed(kb: KnowledgeBase, path: Path) -> None:
    raw, expect = load(path)
    for case in (parse_case(raw), replay(kb, parse_case(raw)).case):
        advice = engine.evaluate(kb, case)
        assert set(expect["red_flags"]) <= {raised.flag.id for raised in advice.red_flags}
        assert triage_rank(advice.triage) >= triage_rank(str(expect["triage"]))


def test_the_right_cause_ranks_high_across_the_set(kb: KnowledgeBase) -> None:
    top1 = top3 = over = self_care = 0
    for path in VIGNETTES:
        raw, expect = load(path)
        advice = engine.evaluate(kb, parse_case(raw))
        good = {expect["cause"], *expect["also_ok"]}
        ranked = [item.cause.id for item in advice.causes]
        top1 += ranked[0] in good
        top3 += bool(good & set(ranked[:3]))
        if expect["triage"] == "self-care":
            self_care += 1
            over += advice.triage != "self-care"
    assert top3 >= 0.95 * len(VIGNETTES)
    assert top1 >= 0.85 * len(VIGNETTES)
    assert over <= 0.10 * self_care
