"""The Markdown report passes markdownlint-cli2 and renders literally, whatever the text holds.

markdownlint-cli2 is an npm package; these tests look for it in ``.tools`` of the checkout
(``npm install --prefix .tools markdownlint-cli2``) or on PATH, and are skipped, saying so,
when it is not there.  Its settings for the reports are in ``tests/report.markdownlint-cli2.yaml``.
"""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from painadvisor.kb.models import KnowledgeBase
from painadvisor.render.markdown import inline, paragraph, render_markdown

from conftest import REPO
from report_cases import NOTES, advise, html_of, text_of, vignettes, with_history

CONFIG = REPO / "tests" / "report.markdownlint-cli2.yaml"
INSTALL = "npm install --prefix .tools markdownlint-cli2"


def markdownlint() -> str:
    local = REPO / ".tools" / "node_modules" / ".bin" / "markdownlint-cli2"
    found = str(local) if local.is_file() else shutil.which("markdownlint-cli2")
    if found is None or shutil.which("node") is None:
        pytest.skip(f"markdownlint-cli2 is not installed (in the checkout: {INSTALL})")
    return found


def lint(folder: Path) -> subprocess.CompletedProcess[str]:
    """markdownlint-cli2 over every report in ``folder``, with the reports' settings."""
    files = sorted(str(path) for path in folder.glob("*.md"))
    return subprocess.run([markdownlint(), "--config", str(CONFIG), *(f":{name}" for name in files)],
                          cwd=folder, capture_output=True, text=True, timeout=300, check=False)


def test_every_vignette_report_passes_markdownlint(kb: KnowledgeBase, tmp_path: Path) -> None:
    """Every shared vignette's report, plain and with each troublesome note and a history."""
    markdownlint()
    for param in vignettes():
        raw = param.values[0]  # type: ignore[attr-defined]
        (tmp_path / f"{param.id}.md").write_text(render_markdown(advise(kb, raw), kb),  # type: ignore[attr-defined]
                                                 encoding="utf-8")
    first = vignettes()[0].values[0]  # type: ignore[attr-defined]
    for name, note in NOTES.items():
        report = render_markdown(with_history(advise(kb, first, note)), kb)
        (tmp_path / f"note-{name}.md").write_text(report, encoding="utf-8")
    replaced = copy.copy(kb)  # a pack that replaced a built-in safety rule: the warning comes first
    object.__setattr__(replaced, "overrides", (("dvt", "/home/me/my `pack`.yaml"),))
    (tmp_path / "overrides.md").write_text(render_markdown(advise(kb, first), replaced), encoding="utf-8")
    result = lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Summary: 0 error(s)" in result.stdout + result.stderr


def test_the_linter_is_really_run(tmp_path: Path) -> None:
    """A report with a bare link fails: the settings do not switch the rules off."""
    markdownlint()
    (tmp_path / "bad.md").write_text("# Report\n\nsee (http://x)\n", encoding="utf-8")
    result = lint(tmp_path)
    assert result.returncode != 0 and "MD034" in result.stdout + result.stderr


def test_the_cli_report_for_a_case_file_passes_markdownlint(tmp_path: Path) -> None:
    """As a user makes it: `painadvisor advise --case FILE --format markdown --no-save`."""
    markdownlint()
    case = tmp_path / "case.json"
    case.write_text(json.dumps({"location": "knee.outer", "worse_with": ["downhill"], "note": NOTES["bare-url"]}))
    out = subprocess.run([str(REPO / ".venv" / "bin" / "painadvisor"), "advise", "--case", str(case),
                          "--format", "markdown", "--no-save"], capture_output=True, text=True, timeout=60, check=False)
    if out.returncode != 0 and "No such file" in out.stderr:
        pytest.skip("painadvisor is not installed in .venv")
    assert out.returncode == 0, out.stderr
    (tmp_path / "report.md").write_text(out.stdout, encoding="utf-8")
    result = lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr


# --- escaping, for any text ---------------------------------------------------------------

_TRICKY = st.sampled_from(list("*_~`<>&\\[]()!#|-+=.:1 \t\n") + ["http://x", "www.a.b", "a@b.cd", "&amp;", "1.",
                                                                  "<b>", "-->", "~~~", "```", "---", "    "])
texts = st.lists(st.one_of(_TRICKY, st.text(min_size=1, max_size=3)), min_size=1, max_size=40).map("".join)


CONTAINERS = {"paragraph": ("", "", "p"), "quote": ("> ", "> ", "blockquote"), "bullet": ("- ", "  ", "ul"),
              "numbered": ("12. ", "    ", "ol")}


@pytest.mark.parametrize("container", list(CONTAINERS))
@settings(max_examples=300, deadline=None)
@given(text=texts)
def test_any_text_renders_as_itself(container: str, text: str) -> None:
    """Escaped and wrapped at 80 columns in a paragraph, quote or list item, any text reads back as
    itself: no markup, no block of its own, no backslash left visible."""
    first, indent, tag = CONTAINERS[container]
    expected = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    assume(expected)
    markdown = "\n".join(paragraph(inline(text), first=first, indent=indent)) + "\n"
    html = html_of(markdown).replace("<code>", "").replace("</code>", "")
    assert html.startswith(f"<{tag}") and html.count(f"<{tag}") == 1, markdown
    assert text_of(html) == expected, markdown
    for other in ("<a ", "<em>", "<strong>", "<s>", "<h", "<pre>", "<hr", "<table>", "<br", "<input"):
        assert other not in html, markdown
    assert html.count("<li>") == (1 if tag in ("ul", "ol") else 0) and html.count("<p>") <= 1, markdown


@settings(max_examples=200, deadline=None)
@given(texts, texts)
def test_any_text_in_a_table_cell_stays_in_its_cell(left: str, right: str) -> None:
    row = f"| {inline(left, cell=True) or ' '} | {inline(right, cell=True) or ' '} |"
    html = html_of(f"| a | b |\n| --- | --- |\n{row}\n").replace("<code>", "").replace("</code>", "")
    cells = re.findall(r"<td>(.*?)</td>", html, re.DOTALL)
    assert [text_of(cell) for cell in cells] == [" ".join("".join(ch if ch.isprintable() else " " for ch in text)
                                                          .split()) for text in (left, right)], row
