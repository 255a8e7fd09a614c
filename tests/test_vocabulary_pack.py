"""The vocabulary is data: a fact added in a rule pack's `facts` section alone becomes a
flag, a case-file key, a schema field, a report label and evidence, with no Python."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from painadvisor.kb import vocabulary

PACK = """\
facts:
  - id: shoe_mileage
    kind: one
    label: how far the shoes have run
    group: The runner and the training
    help: Worn midsoles cushion less.
    values:
      - {value: under-300km, label: under 300 km}
      - {value: over-800km, label: more than 800 km}
causes:
  - id: worn-shoe-ache
    name: Ache from worn-out shoes
    area: foot-ankle
    level: self-care
    base_rate: 0.01
    explanation: A test cause that only this pack's own fact can raise.
    sources: [taunton2002]
    evidence:
      - {fact: location, any_of: [foot.arch], weight: 1.0}
      - {fact: shoe_mileage, value: over-800km, weight: 6.0, note: the shoes have run more than 800 km}
"""


@pytest.fixture
def pack(tmp_path: Path) -> Path:
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "shoes.yaml").write_text(PACK, encoding="utf-8")
    return folder


def run(*args: str, tmp_path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PAINADVISOR_CACHE_DIR": str(tmp_path / "cache"), "NO_COLOR": "1",
                   "PAINADVISOR_DB": str(tmp_path / "history.db"), **(env or {})}
    if "PAINADVISOR_RULES" not in (env or {}):
        environment.pop("PAINADVISOR_RULES", None)
    return subprocess.run([sys.executable, "-m", "painadvisor", *args], capture_output=True, text=True,
                          env=environment, timeout=60)


@pytest.mark.parametrize("route", [[], ["--note", "-x"]], ids=["fast-path", "typer"])
def test_a_pack_fact_is_a_flag_and_evidence(pack: Path, tmp_path: Path, route: list[str]) -> None:
    done = run("advise", "--rules", str(pack), "--location", "foot.arch", "--shoe-mileage", "over-800km",
               "--format", "json", "--no-save", *route, tmp_path=tmp_path)
    assert done.returncode == 0, done.stderr
    advice = json.loads(done.stdout)
    assert advice["case"]["shoe_mileage"] == "over-800km"
    assert advice["causes"][0]["id"] == "worn-shoe-ache"
    assert any(item["facts"] == {"shoe_mileage": "over-800km"} for item in advice["causes"][0]["because"])


def test_a_pack_fact_is_a_case_file_key_and_a_report_label(pack: Path, tmp_path: Path) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("location: foot.arch\nshoe_mileage: over-800km\n", encoding="utf-8")
    done = run("advise", "--case", str(case), "--format", "markdown", "--no-save", tmp_path=tmp_path,
               env={"PAINADVISOR_RULES": str(pack)})
    assert done.returncode == 0, done.stderr
    assert "How far the shoes have run" in done.stdout or "how far the shoes have run" in done.stdout
    assert "more than 800 km" in done.stdout


def test_a_pack_fact_is_in_the_help_the_schema_and_the_facts_list(pack: Path, tmp_path: Path) -> None:
    env = {"PAINADVISOR_RULES": str(pack)}
    helped = run("advise", "--help", tmp_path=tmp_path, env=env)
    assert "--shoe-mileage" in helped.stdout and "Worn midsoles cushion less." in helped.stdout
    schema = json.loads(run("schema", tmp_path=tmp_path, env=env).stdout)
    assert schema["properties"]["case"]["properties"]["shoe_mileage"]["enum"] == ["under-300km", "over-800km"]
    facts = json.loads(run("facts", "--format", "json", tmp_path=tmp_path, env=env).stdout)
    listed = next(fact for fact in facts if fact["id"] == "shoe_mileage")
    assert listed["values"][1] == {"value": "over-800km", "label": "more than 800 km"}


def test_without_the_pack_the_fact_is_unknown(tmp_path: Path) -> None:
    done = run("advise", "--location", "foot.arch", "--shoe-mileage", "over-800km", "--no-save", tmp_path=tmp_path)
    assert done.returncode == 2
    assert "shoe-mileage" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(("entry", "problem"), [
    ("{id: location, kind: one, label: somewhere else, values: [here]}", "already defined"),
    ("{id: Bad-Id, kind: one, label: x, values: [a]}", "id must be"),
    ("{id: colour, kind: many, label: colour}", "needs values"),
    ("{id: laps, kind: number, label: laps}", "minimum and maximum"),
    ("{id: colour, kind: colourful, label: colour, values: [red]}", "kind must be"),
    ("{id: colour, kind: one, label: colour, values: [red, red]}", "listed twice"),
    ("{id: colour, kind: one, label: colour, values: [red], colour: 1}", "unknown key 'colour'"),
])
def test_rules_check_names_each_bad_fact(tmp_path: Path, entry: str, problem: str) -> None:
    (tmp_path / "bad.yaml").write_text(f"facts:\n  - {entry}\n", encoding="utf-8")
    done = run("rules", "check", str(tmp_path / "bad.yaml"), tmp_path=tmp_path)
    assert done.returncode == 1
    assert "bad.yaml:2: " in done.stdout and problem in done.stdout


def test_the_builtin_vocabulary_is_the_intake_contract() -> None:
    ids = [fact.id for fact in vocabulary.FACTS]
    assert ids[:3] == ["location", "side", "pain_type"] and "signs_absent" in ids
    assert vocabulary.FACTS_BY_ID["signs_absent"].values == vocabulary.FACTS_BY_ID["signs"].values
    assert vocabulary.places_of("knee") == ("knee.front", "knee.below-kneecap", "knee.outer", "knee.inner",
                                            "knee.back", "knee.inside")
    assert "ankle" not in vocabulary.COARSE_LOCATIONS and "foot" in vocabulary.COARSE_LOCATIONS


@pytest.mark.parametrize("args", [["advise", "--rules"], ["--rules"], ["advise", "--rules="], []])
def test_a_rules_flag_without_a_pack_is_a_usage_error_not_a_crash(tmp_path: Path, args: list[str]) -> None:
    done = run(*args, tmp_path=tmp_path)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2


@pytest.fixture
def own_vocabulary() -> Iterator[None]:
    """A pack loaded in this process adds its facts; they are taken out again afterwards."""
    facts, places, coarse = list(vocabulary.FACTS), dict(vocabulary.PLACES_UNDER), list(vocabulary.COARSE_LOCATIONS)
    yield
    vocabulary.FACTS[:] = facts
    vocabulary.FACTS_BY_ID.clear()
    vocabulary.FACTS_BY_ID.update((fact.id, fact) for fact in facts)
    vocabulary.PLACES_UNDER.clear()
    vocabulary.PLACES_UNDER.update(places)
    vocabulary.COARSE_LOCATIONS[:] = coarse


@pytest.mark.usefixtures("own_vocabulary")
def test_a_question_on_a_pack_fact_offers_its_values_in_the_vocabularys_words(tmp_path: Path) -> None:
    from painadvisor.kb.loader import load_knowledge_base

    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "shoes.yaml").write_text(PACK + "questions:\n  - {id: shoe-mileage, fact: shoe_mileage, "
                                       "text: How far have these shoes run?}\n", encoding="utf-8")
    kb = load_knowledge_base(packs=[folder], cache=False)
    question = next(question for question in kb.questions if question.id == "shoe-mileage")
    assert [(choice.value, choice.label) for choice in question.choices] == [
        ("under-300km", "under 300 km"), ("over-800km", "more than 800 km")]


def test_the_vocabulary_document_names_every_fact_and_passes_the_markdown_linters(pack: Path, tmp_path: Path) -> None:
    from report_cases import pymarkdown_problems

    done = run("facts", "--format", "markdown", tmp_path=tmp_path, env={"PAINADVISOR_RULES": str(pack)})
    assert done.returncode == 0, done.stderr
    document = tmp_path / "vocabulary.md"
    document.write_text(done.stdout, encoding="utf-8")
    assert pymarkdown_problems(document) == []
    for fact in vocabulary.FACTS:
        assert f"### {fact.id}\n" in done.stdout and f"`{fact.flag}`" in done.stdout
    assert "### shoe_mileage\n" in done.stdout and "- `over-800km`: more than 800 km" in done.stdout


def test_no_fact_can_take_a_name_the_command_line_uses() -> None:
    """Every option of every command (long flags, with 'no-' forms) is reserved, so a pack's fact
    can never shadow one; checked against Typer's own command tree."""
    from typing import Any

    import typer.main

    from painadvisor.cli.app import app

    def options(command: Any) -> set[str]:
        names = set()
        for param in command.params:
            names.add(str(param.name))
            names |= {flag.lstrip("-").replace("-", "_") for flag in [*param.opts, *param.secondary_opts]
                      if flag.startswith("--")}
        for sub in getattr(command, "commands", {}).values():
            names |= options(sub)
        return names

    used = options(typer.main.get_command(app)) - {fact.id for fact in vocabulary.FACTS} - {
        "no_" + fact.id for fact in vocabulary.FACTS}
    assert used <= vocabulary.RESERVED, sorted(used - vocabulary.RESERVED)


@pytest.mark.parametrize(("entry", "problem"), [
    ("{id: save, kind: yes-no, label: saved}", "--save is already an option"),
    ("{id: format, kind: one, label: a format, values: [a]}", "--format is already an option"),
    ("{id: output, kind: text, label: out, maximum: 5}", "--output is already an option"),
    ("{id: no_pop, kind: yes-no, label: no pop}", "--no-pop is already an option or another fact's flag"),
    ("{id: help, kind: yes-no, label: help}", "--help is already"),
    ("{id: calf_part, kind: one, label: part, values: [{value: calf, covers: [calf.upper]}, calf.upper]}",
     "only where it hurts (location)"),
])
def test_a_fact_that_would_shadow_an_option_or_cover_places_is_refused(tmp_path: Path, entry: str,
                                                                       problem: str) -> None:
    (tmp_path / "bad.yaml").write_text(f"facts:\n  - {entry}\n", encoding="utf-8")
    done = run("rules", "check", str(tmp_path / "bad.yaml"), tmp_path=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert problem in done.stdout


@pytest.mark.usefixtures("own_vocabulary")
def test_a_pack_that_does_not_load_adds_no_fact(tmp_path: Path) -> None:
    import painadvisor
    from painadvisor.errors import RuleError

    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "shoes.yaml").write_text(PACK + "tips:\n  - {id: broken}\n", encoding="utf-8")
    with pytest.raises(RuleError):
        painadvisor.load_rules(packs=[folder])
    assert "shoe_mileage" not in vocabulary.FACTS_BY_ID
    with pytest.raises(painadvisor.CaseError):
        painadvisor.advise({"location": "foot.arch", "shoe_mileage": "over-800km"})
