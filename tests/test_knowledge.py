"""Loading the knowledge base: the built-in rules are sound; broken files fail with file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from painadvisor.errors import RuleError
from painadvisor.kb.loader import builtin_rules_dir, load_knowledge_base
from painadvisor.kb.models import KnowledgeBase

SOURCE = """\
sources:
  - id: doe2020
    authors: Doe J
    year: 2020
    title: A study
    published: J Test
"""

CAUSE = """\
causes:
  - id: test-cause
    name: A test cause
    area: knee
    level: self-care
    base_rate: 0.05
    explanation: Something that hurts.
    evidence:
      - {fact: location, any_of: [knee.front], weight: 2}
    sources: [doe2020]
"""


def load(tmp_path: Path, *texts: str) -> KnowledgeBase:
    for number, text in enumerate(texts):
        (tmp_path / f"{number}.yaml").write_text(text, encoding="utf-8")
    return load_knowledge_base([tmp_path])


def problems(tmp_path: Path, *texts: str) -> list[str]:
    with pytest.raises(RuleError) as caught:
        load(tmp_path, *texts)
    return [problem.replace(str(tmp_path) + "/", "") for problem in caught.value.problems]


def test_builtin_rules_are_found_and_valid(kb: KnowledgeBase) -> None:
    assert builtin_rules_dir().is_dir()
    assert len(kb.causes) >= 26 and len(kb.red_flags) >= 11 and len(kb.tips) >= 20


def test_every_cause_flag_and_tip_names_real_sources(kb: KnowledgeBase) -> None:
    for item in (*kb.causes, *kb.red_flags, *kb.tips):
        assert item.sources and all(source in kb.sources for source in item.sources), item.id
    for cause in kb.causes:
        assert len(cause.explanation) > 100, cause.id


def test_red_flag_messages_say_what_to_do(kb: KnowledgeBase) -> None:
    for flag in kb.red_flags:
        opening = {"emergency": ("Get medical help now", "Call an ambulance now"), "urgent": ("See a doctor today",),
                   "see-doctor": ("See a doctor", "See your doctor", "See the doctor", "Book a review")}[flag.triage]
        assert flag.message.startswith(opening), flag.id
        assert flag.running, flag.id  # every flag says whether to stop running


def test_a_valid_pack_loads(tmp_path: Path) -> None:
    kb = load(tmp_path, SOURCE, CAUSE)
    assert [cause.id for cause in kb.causes] == ["test-cause"]
    assert kb.causes[0].evidence[0].weight == 2.0


def test_unknown_key_is_reported_with_its_line(tmp_path: Path) -> None:
    assert problems(tmp_path, SOURCE, CAUSE.replace("    level:", "    levl: x\n    level:")) == [
        "1.yaml:5: cause: unknown key 'levl' (did you mean 'level'?)"]


def test_unknown_fact_and_value_are_reported(tmp_path: Path) -> None:
    broken = CAUSE.replace("fact: location, any_of: [knee.front]", "fact: locaton, any_of: [knee.front]")
    assert problems(tmp_path, SOURCE, broken) == [
        "1.yaml:9: cause evidence: unknown fact 'locaton' (did you mean 'location'?)"]
    broken = CAUSE.replace("[knee.front]", "[knee.frnt]")
    assert problems(tmp_path, SOURCE, broken) == [
        "1.yaml:9: cause evidence: location: 'knee.frnt' is not an allowed value (did you mean 'knee.front'?)"]


def test_missing_field_wrong_type_and_weight_out_of_range(tmp_path: Path) -> None:
    broken = CAUSE.replace("    name: A test cause\n", "").replace("base_rate: 0.05", "base_rate: lots")
    broken = broken.replace("weight: 2}", "weight: 99}")
    assert problems(tmp_path, SOURCE, broken) == [
        "1.yaml:2: cause: missing 'name'",
        "1.yaml:5: cause base_rate: must be a share between 0 and 1, such as 0.05",
        "1.yaml:8: cause evidence: weight must be a non-zero number from -10 to 10",
    ]


def test_unknown_source_and_duplicate_id_across_files(tmp_path: Path) -> None:
    assert problems(tmp_path, SOURCE, CAUSE.replace("[doe2020]", "[doe2021]")) == [
        "1.yaml:10: unknown source 'doe2021' (did you mean 'doe2020'?)"]
    found = problems(tmp_path, SOURCE, CAUSE, CAUSE)
    assert found == ["2.yaml:2: duplicate id 'test-cause' (first in 1.yaml:2); add 'override: true' to replace it"]


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("causes: [unclosed", "0.yaml:2: invalid YAML: did not find expected ',' or ']'",
                 id="invalid-yaml"),
    pytest.param("- a list\n", "0.yaml:1: a rule file must be a mapping of sections", id="not-a-mapping"),
    pytest.param("", "0.yaml: file is empty", id="empty"),
    pytest.param("causes: 1\ncauses: 2\n", "0.yaml:2: duplicate key 'causes'", id="duplicate-key"),
    pytest.param("causes: !!python/object:os.system {}\n",
                 "0.yaml:1: unsupported YAML tag 'tag:yaml.org,2002:python/object:os.system'", id="python-tag"),
    pytest.param("cuases: []\n", "0.yaml:1: unknown section 'cuases' (did you mean 'causes'?); "
                 "allowed: facts, sources, causes, red_flags, tips, questions, examples, overrides_builtin_safety",
                 id="unknown-section"),
])
def test_broken_files_are_one_located_problem_each(tmp_path: Path, text: str, expected: str) -> None:
    assert problems(tmp_path, text) == [expected]


def test_an_alias_bomb_is_refused(tmp_path: Path) -> None:
    levels = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 10)}]" for n in range(1, 9)]
    found = problems(tmp_path, "\n".join(levels) + "\n")
    assert found[0].startswith("0.yaml:") and "too many values" in found[0]
