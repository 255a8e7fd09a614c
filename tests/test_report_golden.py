"""The Markdown report of one fixed case on a fixed date, compared line by line with
``tests/golden/report.md``.

When the report changes on purpose (new wording, or rules that change this case's advice),
regenerate the golden file, then read the diff before committing it:

    PAINADVISOR_UPDATE_GOLDEN=1 .venv/bin/python -m pytest -q -p no:cacheprovider tests/test_report_golden.py
    git diff tests/golden/

Nothing else writes it.  painadvisor's version is written as VERSION, so a release alone does
not change the file.
"""

from __future__ import annotations

import datetime as dt
import os

from painadvisor.kb.models import KnowledgeBase
from painadvisor.render.markdown import render_markdown
from painadvisor.version import __version__

from conftest import REPO
from report_cases import advise, with_history

GOLDEN = REPO / "tests" / "golden" / "report.md"
UPDATE = "PAINADVISOR_UPDATE_GOLDEN"
TODAY = dt.date(2024, 6, 1)
# A stress fracture to rule out (a red flag, tips, references), a note holding Markdown, and a history.
CASE = {"location": "shin.inner", "spread": "pinpoint", "signs": ["bone-tender"], "worse_with": ["hopping"],
        "load_change": "large", "duration_days": 21, "side": "left", "age": 34, "sex": "female"}
NOTE = "Race | in *3* weeks <10k>, plan at (http://example.com/plan)"


def test_the_report_matches_the_golden_file(kb: KnowledgeBase) -> None:
    report = render_markdown(with_history(advise(kb, CASE, NOTE), days=3), kb, today=TODAY)
    report = report.replace(f"painadvisor {__version__}", "painadvisor VERSION")
    if os.environ.get(UPDATE) == "1":
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(report, encoding="utf-8")
    expected = GOLDEN.read_text(encoding="utf-8")
    assert report.splitlines() == expected.splitlines(), (
        f"the report differs from {GOLDEN.name}; if the change is intended: {UPDATE}=1 pytest {__file__}")
