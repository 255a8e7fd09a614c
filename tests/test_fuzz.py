"""Thousands of generated case files and rule files thrown at the CLI, in-process: no crash, no hang.

Each must end in an exit code (0 advice or clean, 1 a problem reported, 2 bad input) with no
uncaught exception; Hypothesis's deadline bounds the time of every run.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from painadvisor.knowledge import SECTIONS
from painadvisor.vocabulary import FACTS

RUNS = 1100  # per entry point: over 2,000 in all
SETTINGS = settings(max_examples=RUNS, deadline=2000, suppress_health_check=list(HealthCheck))

WEIRD_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", "\x1b[31m", "[bold]x[/bold]", "a" * 5000, "1e999", "nan", "~", "yes", "12:30", "0x1F", "-", "..."])
SCALARS = (st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=True) | WEIRD_TEXT)
FACT_KEYS = st.sampled_from([fact.id for fact in FACTS] + [value for fact in FACTS for value in fact.values[:2]])
STRUCTURES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                          | st.dictionaries(FACT_KEYS | WEIRD_TEXT, inner, max_size=5), max_leaves=25)
CASES = st.dictionaries(FACT_KEYS, STRUCTURES, max_size=8) | STRUCTURES
RULE_KEYS = st.sampled_from(["id", "name", "area", "level", "base_rate", "explanation", "evidence", "sources",
                             "fact", "value", "any_of", "at_least", "at_most", "weight", "all", "any", "not",
                             "trigger", "triage", "message", "kind", "text", "for_causes", "when", "choices",
                             "override", "case", "expect"])
RULE_ENTRIES = st.recursive(SCALARS | FACT_KEYS, lambda inner: st.lists(inner, max_size=4)
                            | st.dictionaries(RULE_KEYS, inner, max_size=6), max_leaves=30)
RULES = st.dictionaries(st.sampled_from(SECTIONS) | WEIRD_TEXT, st.lists(RULE_ENTRIES, max_size=4) | RULE_ENTRIES,
                        max_size=4)


def encoded(document: object, how: str, raw: bytes) -> bytes:
    if how == "bytes":
        return raw
    try:
        if how == "json":
            return json.dumps(document, allow_nan=True).encode()
        return yaml.safe_dump(document, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError, yaml.YAMLError, RecursionError):
        return raw


def run(args: list[str], content: bytes, suffix: str) -> None:
    from painadvisor.cli import app

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        result = CliRunner().invoke(app, [*args, str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


@SETTINGS
@given(document=CASES, how=st.sampled_from(["yaml", "json", "bytes"]), raw=st.binary(max_size=200))
def test_generated_case_files_never_crash_advise(document: object, how: str, raw: bytes) -> None:
    run(["advise", "--format", "json", "--no-save", "--case"], encoded(document, how, raw),
        ".json" if how == "json" else ".yaml")


@SETTINGS
@given(document=RULES, how=st.sampled_from(["yaml", "json", "bytes"]), raw=st.binary(max_size=200))
def test_generated_rule_files_never_crash_rules_check(document: object, how: str, raw: bytes) -> None:
    run(["rules", "check", "--alone"], encoded(document, how, raw), ".json" if how == "json" else ".yaml")
