"""Rule packs people write: every mistake caught with file:line, custom packs, examples, hostile files."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from painadvisor.cli.app import app
from painadvisor.kb.models import KnowledgeBase

SOURCE = "sources:\n  - {id: doe2020, authors: Doe J, year: 2020, title: A study, published: J Test}\n"
CAUSE = """\
causes:
  - id: runners-toe
    name: Runner's toe
    area: foot-ankle
    level: self-care
    base_rate: 0.01
    explanation: A bruised toenail from shoes that are too small or long downhills.
    evidence:
      - {fact: location, any_of: [foot.forefoot], weight: 2.5}
    sources: [doe2020]
"""


def check(runner: CliRunner, tmp_path: Path, text: str, *, alone: bool = False) -> tuple[int, list[str]]:
    """`rules check` on one pack file holding ``text``; its exit code and output lines, paths shortened."""
    pack = tmp_path / "pack.yaml"
    pack.write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["rules", "check", *(["--alone"] if alone else []), str(pack)])
    return result.exit_code, result.stdout.replace(str(tmp_path) + "/", "").splitlines()


@pytest.mark.parametrize(("text", "problem"), [
    pytest.param(SOURCE + CAUSE.replace("    level:", "    levle: x\n    level:"),
                 "pack.yaml:7: cause: unknown key 'levle' (did you mean 'level'?)", id="unknown-key"),
    pytest.param(SOURCE + CAUSE.replace("base_rate: 0.01", "base_rate: [0.01]"),
                 "pack.yaml:8: cause base_rate: must be a share between 0 and 1, such as 0.05", id="wrong-type"),
    pytest.param(SOURCE + CAUSE.replace("{fact: location,", "{fact: place,"),
                 "pack.yaml:11: cause evidence: unknown fact 'place'", id="unknown-fact"),
    pytest.param(SOURCE + CAUSE.replace("[foot.forefoot]", "[foot.tip]"),
                 "pack.yaml:11: cause evidence: location: 'foot.tip' is not an allowed value (did you mean "
                 "'foot.top'?)", id="unknown-value"),
    pytest.param(SOURCE + CAUSE.replace("weight: 2.5", "weight: 12"),
                 "pack.yaml:11: cause evidence: weight must be a non-zero number from -10 to 10",
                 id="weight-out-of-range"),
    pytest.param(SOURCE + CAUSE.replace("sources: [doe2020]", "sources: [doe2021]"),
                 "pack.yaml:12: unknown source 'doe2021' (did you mean 'doe2020'?)", id="unknown-source"),
    pytest.param(SOURCE + CAUSE + "    red_flags: [broken-toe]\n",
                 "pack.yaml:13: unknown red flag 'broken-toe'", id="unknown-red-flag"),
    pytest.param(SOURCE + "tips:\n  - {id: trim, kind: now, text: Trim the nail., sources: [doe2020], "
                 "for_causes: [runners-toes]}\n",
                 "pack.yaml:4: unknown cause 'runners-toes'", id="unknown-cause"),
    pytest.param(SOURCE + "questions:\n  - {id: toe, fact: signs, text: Is the nail black?, "
                 "screens: [black-nail]}\n", "pack.yaml:4: unknown red flag 'black-nail'", id="unknown-screen"),
    pytest.param(SOURCE + CAUSE.replace("weight: 2.5", "weight: -2.5"),
                 "pack.yaml:4: cause 'runners-toe' can never be raised: none of its evidence that could hold "
                 "adds to it", id="cause-never-raised"),
    pytest.param(SOURCE + CAUSE.replace(
        "      - {fact: location, any_of: [foot.forefoot], weight: 2.5}",
        "      - {fact: location, any_of: [foot.forefoot], weight: 2.5}\n"
        "      - all: [{fact: age, at_least: 60}, {fact: age, at_most: 20}]\n        weight: 1"),
                 "pack.yaml:12: evidence of cause 'runners-toe' can never hold", id="evidence-never-holds"),
    pytest.param(SOURCE + "red_flags:\n  - {id: black-nail, name: Black nail, triage: see-doctor, "
                 "message: See a doctor., sources: [doe2020]}\n",
                 "pack.yaml:4: red flag: missing 'trigger'", id="flag-without-trigger"),
    pytest.param(SOURCE + "red_flags:\n  - id: black-nail\n    name: Black nail\n    triage: see-doctor\n"
                 "    message: See a doctor.\n    sources: [doe2020]\n    trigger:\n      all:\n"
                 "        - {fact: side, value: left}\n        - {fact: side, value: right}\n",
                 "pack.yaml:4: red flag 'black-nail' can never be raised: its trigger can never hold",
                 id="flag-never-raised"),
    pytest.param(SOURCE + "questions:\n  - id: toe-side\n    fact: side\n    text: Which foot?\n"
                 "    when: {all: [{fact: sex, value: male}, {fact: sex, value: female}]}\n",
                 "pack.yaml:4: question 'toe-side' can never be asked: its 'when' can never hold",
                 id="question-never-holds"),
    pytest.param(SOURCE + "questions:\n  - id: toe-side\n    fact: side\n    text: Which foot?\n"
                 "    when: {fact: side, value: left}\n",
                 "pack.yaml:4: question 'toe-side' can never be asked: it applies only when 'side' is already "
                 "answered", id="question-needs-its-own-answer"),
    pytest.param(SOURCE + "causes:\n  - id: itb-syndrome\n    name: ITB\n    area: knee\n    level: self-care\n"
                 "    base_rate: 0.08\n    explanation: Outer knee.\n    evidence:\n"
                 "      - {fact: location, any_of: [knee.outer], weight: 3}\n    sources: [doe2020]\n",
                 "pack.yaml:4: duplicate id 'itb-syndrome' (first in {itb}); add 'override: true' "
                 "to replace it", id="duplicate-id"),
    pytest.param(SOURCE + CAUSE.replace("    name: Runner's toe", "    override: true\n    name: Runner's toe"),
                 "pack.yaml:5: 'runners-toe' says override: true, but no earlier 'runners-toe' is loaded to "
                 "override", id="override-nothing"),
    pytest.param("causes: {id: x}\n", "pack.yaml:1: 'causes' must be a list", id="section-not-a-list"),
    pytest.param("examples:\n  - {id: e1, case: {location: calf}, expect: {cause: calf-strian, triage: self-care}}\n",
                 "pack.yaml:2: unknown cause 'calf-strian' (did you mean 'calf-strain'?)", id="example-bad-cause"),
])
def test_each_mistake_is_one_located_message(runner: CliRunner, tmp_path: Path, text: str, problem: str) -> None:
    from painadvisor.kb.loader import builtin_rules_dir

    knee = builtin_rules_dir() / "knee.yaml"
    itb_line = knee.read_text().splitlines().index("  - id: itb-syndrome") + 1
    code, lines = check(runner, tmp_path, text)
    assert code == 1
    assert lines == [problem.replace("{itb}", f"{knee}:{itb_line}"), "1 problem found"]


def test_every_problem_is_reported_at_once(runner: CliRunner, tmp_path: Path) -> None:
    broken = SOURCE + CAUSE.replace("base_rate: 0.01", "base_rate: 7").replace("sources: [doe2020]", "sources: [x]")
    code, lines = check(runner, tmp_path, broken)
    assert code == 1 and lines[-1] == "2 problems found" and len(lines) == 3


def test_a_valid_pack_gets_a_one_line_summary(runner: CliRunner, tmp_path: Path) -> None:
    assert check(runner, tmp_path, SOURCE + CAUSE, alone=True) == (
        0, ["rules ok: 1 causes, 0 red flags, 0 tips, 0 questions, 1 sources, 0 examples in 1 file"])


def test_the_builtin_pack_is_clean(runner: CliRunner, kb: KnowledgeBase) -> None:
    result = runner.invoke(app, ["rules", "check"])
    assert result.exit_code == 0
    assert result.stdout.startswith(f"rules ok: {len(kb.causes)} causes, {len(kb.red_flags)} red flags")
    assert len(kb.causes) >= 51 and len(kb.red_flags) >= 22  # intake.md v2: 50 causes and other, 22 flags


def test_a_custom_pack_adds_a_cause_by_flag_or_environment(runner: CliRunner, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    pack = tmp_path / "toes"
    pack.mkdir()
    (pack / "toes.yaml").write_text(SOURCE + CAUSE.replace("weight: 2.5", "weight: 6"))
    args = ["advise", "--location", "foot.forefoot", "--format", "json", "--no-save"]
    assert json.loads(runner.invoke(app, args).stdout)["causes"][0]["id"] != "runners-toe"
    with_flag = json.loads(runner.invoke(app, [*args, "--rules", str(pack)]).stdout)
    assert with_flag["causes"][0]["id"] == "runners-toe"
    monkeypatch.setenv("PAINADVISOR_RULES", str(pack))
    assert json.loads(runner.invoke(app, args).stdout)["causes"][0]["id"] == "runners-toe"
    listing = runner.invoke(app, ["rules", "list"]).stdout
    assert f"  runners-toe  {pack / 'toes.yaml'}:4" in listing


def test_override_true_replaces_a_builtin_entry(runner: CliRunner, tmp_path: Path) -> None:
    (tmp_path / "itb.yaml").write_text(
        "tips:\n  - id: itb-shorten-and-flatten\n    override: true\n    kind: now\n"
        "    text: Our clinic's own advice.\n    for_causes: [itb-syndrome]\n    sources: [fredericson2005]\n")
    from painadvisor.kb.loader import load_knowledge_base

    original = next(tip for tip in load_knowledge_base().tips if tip.id == "itb-shorten-and-flatten")
    assert original.text != "Our clinic's own advice."
    kb = load_knowledge_base(packs=[tmp_path])
    assert next(tip for tip in kb.tips if tip.id == "itb-shorten-and-flatten").text == "Our clinic's own advice."


def test_a_missing_pack_is_a_usage_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(app, ["advise", "--location", "calf", "--rules", str(tmp_path / "nope")])
    assert result.exit_code == 2
    assert result.stderr == f"painadvisor: no rule pack at {tmp_path / 'nope'} (from --rules or PAINADVISOR_RULES)\n"


def test_rules_test_runs_the_examples_like_a_test_runner(runner: CliRunner, tmp_path: Path, kb: KnowledgeBase) -> None:
    builtin = runner.invoke(app, ["rules", "test"])
    assert builtin.exit_code == 0 and builtin.stdout.strip().endswith(f"{len(kb.examples)} passed, 0 failed")
    (tmp_path / "ex.yaml").write_text(
        "examples:\n  - {id: wrong, case: {location: heel.bottom}, expect: {cause: calf-strain, triage: emergency}}\n")
    failing = runner.invoke(app, ["rules", "test", str(tmp_path)])
    assert failing.exit_code == 1
    assert failing.stdout.splitlines()[0] == (
        f"FAIL wrong ({tmp_path / 'ex.yaml'}:2): top cause plantar-fasciitis, expected calf-strain; "
        "triage self-care, expected at least emergency")
    assert failing.stdout.splitlines()[-1] == f"examples: {len(kb.examples)} passed, 1 failed"


# --- hostile files --------------------------------------------------------------------------


def billion_laughs() -> str:
    """Nine levels of ten aliases each: about a billion strings if it were ever expanded."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    return "\n".join(lines) + "\ncauses: *a8\n"


@pytest.mark.parametrize(("name", "make", "message"), [
    pytest.param("bomb.yaml", lambda path: path.write_text(billion_laughs()),
                 "bomb.yaml:1: too many values (more than 200000, aliases included)", id="alias-bomb"),
    pytest.param("huge.yaml", lambda path: path.write_bytes(b"# padding\n" * 5_300_000),
                 "huge.yaml: file is larger than the 5 MB limit", id="50-mb-file"),
])
def test_bombs_and_giant_files_are_refused_within_two_seconds(runner: CliRunner, tmp_path: Path, name: str,
                                                               make: object, message: str) -> None:
    path = tmp_path / name
    make(path)  # type: ignore[operator]
    start = time.perf_counter()
    result = runner.invoke(app, ["rules", "check", "--alone", str(path)])
    elapsed = time.perf_counter() - start
    assert elapsed < 2.0
    assert result.exit_code == 1
    assert result.stdout.replace(str(tmp_path) + "/", "").splitlines()[0] == message


@pytest.mark.parametrize(("content", "message"), [
    pytest.param(b"", "pack.yaml: file is empty", id="empty"),
    pytest.param(b"\x00\x01binary", "pack.yaml: looks like a binary file, not text", id="binary"),
    pytest.param("causes: caf\xe9\n".encode("latin-1"), "pack.yaml:1: is not UTF-8 text", id="not-utf8"),
    pytest.param(b"a: " + b"[" * 60 + b"]" * 60 + b"\n", "pack.yaml:1: nested more than 50 levels deep",
                 id="deep-nesting"),
    pytest.param(b"causes: !!python/object/apply:os.system [echo hacked]\n",
                 "pack.yaml:1: unsupported YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'",
                 id="python-tag"),
    pytest.param(b"causes:\n  - {id: x, base_rate: 1e999}\n", "pack.yaml:2: cause: missing 'name'", id="inf"),
])
def test_hostile_rule_files_are_one_line_errors(runner: CliRunner, tmp_path: Path, content: bytes,
                                               message: str) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_bytes(content)
    result = runner.invoke(app, ["rules", "check", "--alone", str(pack)])
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)  # never a traceback
    assert result.stdout.replace(str(tmp_path) + "/", "").splitlines()[0] == message


def test_a_folder_given_as_a_case_file_and_an_unreadable_file(runner: CliRunner, tmp_path: Path) -> None:
    folder = runner.invoke(app, ["advise", "--case", str(tmp_path)])
    assert folder.exit_code == 2 and folder.stderr == f"painadvisor: {tmp_path}: is a folder, not a file\n"
    locked = tmp_path / "locked.yaml"
    locked.write_text("location: calf\n")
    locked.chmod(0)
    try:
        with locked.open("rb"):
            pytest.skip("running as root: permissions do not stop reading")
    except PermissionError:
        result = runner.invoke(app, ["advise", "--case", str(locked)])
        assert result.exit_code == 2 and "cannot read" in result.stderr and "Traceback" not in result.output
    finally:
        locked.chmod(0o600)
