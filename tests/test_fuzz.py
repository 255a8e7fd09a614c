"""Generated case files, flags and rule files thrown at the CLI, in-process: never a traceback.

A case file or flags end in exit 0 (advice, as JSON) or 2 (one line on stderr); a rule pack
in exit 0 or 1 (its problems listed on stdout).  The number of examples is small by
default so the suite stays fast; CI raises it with PAINADVISOR_FUZZ_EXAMPLES.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner, Result

from painadvisor.kb.reader import PACK_KEYS, SECTIONS
from painadvisor.kb.vocabulary import FACTS, Kind

EXAMPLES = int(os.environ.get("PAINADVISOR_FUZZ_EXAMPLES", "30"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))

ESCAPES = ["\x1b[31m", "\x1b]52;c;AAAA\x07", "\x1b]8;;http://x\x1b\\", "\x9b2J", "\x00", "\ud800", "\udcff"]
WEIRD_TEXT = st.text(alphabet=st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["", "\x1b[31m", "[bold]x[/bold]", "[/bold]", "a" * 5000, "1e999", "nan", "~", "yes", "12:30", "0x1F", "-",
     "...", "9" * 5000, "²", "①", " ", "\n"]) | st.sampled_from(ESCAPES)
SCALARS = (st.none() | st.booleans() | st.integers(-(10**30), 10**30) | st.floats(allow_nan=True) | WEIRD_TEXT)
FACT_KEYS = st.sampled_from([fact.id for fact in FACTS] + [value for fact in FACTS for value in fact.values[:2]])
STRUCTURES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=5)
                          | st.dictionaries(FACT_KEYS | WEIRD_TEXT, inner, max_size=5), max_leaves=25)
CASES = st.dictionaries(FACT_KEYS, STRUCTURES, max_size=8) | STRUCTURES
RULE_KEYS = st.sampled_from(["id", "name", "area", "level", "base_rate", "explanation", "evidence", "sources",
                             "fact", "value", "any_of", "at_least", "at_most", "weight", "all", "any", "not",
                             "trigger", "triage", "message", "kind", "text", "for_causes", "when", "choices",
                             "override", "case", "expect", "group", "label", "note"])
RULE_ENTRIES = st.recursive(SCALARS | FACT_KEYS, lambda inner: st.lists(inner, max_size=4)
                            | st.dictionaries(RULE_KEYS, inner, max_size=6), max_leaves=30)
RULES = st.dictionaries(st.sampled_from(SECTIONS + PACK_KEYS) | WEIRD_TEXT,
                        st.lists(RULE_ENTRIES, max_size=4) | RULE_ENTRIES | st.booleans(), max_size=4)
TAGS = st.sampled_from(["!!int", "!!float", "!!bool", "!!str", "!!null", "!!timestamp", "!!binary", "!!seq",
                        "!!map", "!!python/object:os.system", "!unknown", "!!set", "!!omap"])
TAGGED = st.builds(lambda key, tag, value: f"{key}: {tag} {json.dumps(value)}\n",
                   FACT_KEYS, TAGS, st.sampled_from(["abc", "x", "maybe", "1", "0x" + "f" * 5000, "2024-13-45",
                                                     "1" * 5000, "", "~", "[1]"]))
HOW = st.sampled_from(["yaml", "json", "bytes", "tagged"])


def encoded(document: object, how: str, raw: bytes, tagged: list[str]) -> bytes:
    if how == "bytes":
        return raw
    if how == "tagged":
        return "".join(tagged).encode()
    try:
        if how == "json":
            return json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass")
        return yaml.safe_dump(document, allow_unicode=True).encode("utf-8", "surrogatepass")
    except (ValueError, TypeError, yaml.YAMLError, RecursionError):
        return raw


def invoke(args: list[str], content: bytes, suffix: str) -> Result:
    from painadvisor.cli.app import app

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"input{suffix}"
        path.write_bytes(content)
        return CliRunner().invoke(app, [*args, str(path)])


def never_a_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output


def advice_or_one_line(code: int, stdout: str, stderr: str) -> None:
    """Exit 0 with the advice as JSON (valid UTF-8), or exit 2 with one line on stderr."""
    assert code in (0, 2), (code, stderr)
    if code == 0:
        assert stderr == ""
        stdout.encode("utf-8")  # strict: never a lone surrogate
        assert json.loads(stdout)["causes"]
    else:
        lines = stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("painadvisor: "), stderr
        assert not any(code in stderr for code in ("\x1b", "\x9b", "\x07")), repr(stderr)


@SETTINGS
@given(document=CASES, how=HOW, raw=st.binary(max_size=200), tagged=st.lists(TAGGED, min_size=1, max_size=3))
def test_generated_case_files_give_advice_or_one_line(document: object, how: str, raw: bytes,
                                                      tagged: list[str]) -> None:
    result = invoke(["advise", "--format", "json", "--no-save", "--case"], encoded(document, how, raw, tagged),
                    ".json" if how == "json" else ".yaml")
    never_a_traceback(result)
    advice_or_one_line(result.exit_code, result.stdout, result.stderr)


def flag_values(fact_kind: Kind) -> st.SearchStrategy[str]:
    fact_values = [value for fact in FACTS if fact.kind is fact_kind for value in fact.values]
    good = st.sampled_from(fact_values) if fact_values else st.integers(0, 120).map(str)
    return good | WEIRD_TEXT | st.integers(-(10**40), 10**40).map(str)


FLAGS = st.lists(st.sampled_from([fact for fact in FACTS if fact.kind is not Kind.YES_NO]).flatmap(
    lambda fact: st.tuples(st.just(fact.flag), flag_values(fact.kind))), max_size=6)
SWITCHES = st.lists(st.sampled_from([f"--{prefix}{fact.id.replace('_', '-')}" for fact in FACTS
                                     if fact.kind is Kind.YES_NO for prefix in ("", "no-")]), max_size=3)


@SETTINGS
@given(flags=FLAGS, switches=SWITCHES, location=st.booleans())
def test_generated_flags_give_advice_or_one_line_on_both_paths(flags: list[tuple[str, str]], switches: list[str],
                                                               location: bool) -> None:
    from painadvisor.cli.app import app
    from painadvisor.cli.entry import run_fast

    args = ["advise", "--format", "json", "--no-save", *(["--location", "knee"] if location else []), *switches]
    args += [part for flag, value in flags for part in (flag, value)]
    stdout, stderr = io.StringIO(), io.StringIO()
    with redirect_stdout(stdout), redirect_stderr(stderr):
        code = run_fast(args)
    if code is not None:  # the fast path took it
        advice_or_one_line(code, stdout.getvalue(), stderr.getvalue())
    result = CliRunner().invoke(app, args)
    never_a_traceback(result)
    if result.exit_code == 2 and result.stderr.startswith("Usage:"):  # Click's own usage message
        return
    advice_or_one_line(result.exit_code, result.stdout, result.stderr)
    if code is not None:
        assert (code, stdout.getvalue()) == (result.exit_code, result.stdout)


@SETTINGS
@given(document=RULES, how=HOW, raw=st.binary(max_size=200), tagged=st.lists(TAGGED, min_size=1, max_size=3))
def test_generated_rule_files_are_checked_never_crash(document: object, how: str, raw: bytes,
                                                      tagged: list[str]) -> None:
    result = invoke(["rules", "check", "--alone"], encoded(document, how, raw, tagged),
                    ".json" if how == "json" else ".yaml")
    never_a_traceback(result)
    assert result.exit_code in (0, 1), (result.exit_code, result.output)
    assert result.stderr == ""
    assert not any(code in result.stdout for code in ("\x1b", "\x9b", "\x07")), repr(result.stdout)
    result.stdout.encode("utf-8")
