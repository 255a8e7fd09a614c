"""The knowledge-base cache: used when valid, rebuilt when stale or damaged, never trusted blindly."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from painadvisor import kbcache
from painadvisor.knowledge import builtin_rules_dir, load_knowledge_base, rule_files


@pytest.fixture
def rules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A private copy of the built-in rules, and a private cache folder."""
    folder = tmp_path / "rules"
    shutil.copytree(builtin_rules_dir(), folder)
    monkeypatch.setenv("PAINADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    return folder


def cached_file(folder: Path) -> Path:
    path = kbcache.cache_path(rule_files([folder]))
    assert path is not None
    return path


def test_the_first_load_writes_the_cache_and_the_next_uses_it(rules: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = load_knowledge_base([rules])
    assert cached_file(rules).is_file()
    monkeypatch.setattr("painadvisor.knowledge.build", lambda files: pytest.fail("rebuilt a valid cache"))
    assert load_knowledge_base([rules]) == first


def test_changing_a_rule_file_invalidates_the_cache(rules: Path) -> None:
    assert load_knowledge_base([rules]).cause("itb-syndrome").name == "Iliotibial band syndrome"
    old_cache = cached_file(rules)
    knee = rules / "knee.yaml"
    knee.write_text(knee.read_text().replace("name: Iliotibial band syndrome", "name: ITB friction"))
    assert load_knowledge_base([rules]).cause("itb-syndrome").name == "ITB friction"
    assert cached_file(rules) != old_cache and not old_cache.exists()  # the stale entry is gone


def test_adding_a_rule_file_invalidates_the_cache(rules: Path) -> None:
    load_knowledge_base([rules])
    (rules / "extra.json").write_text('{"sources": [{"id": "doe2020", "authors": "Doe J", "year": 2020, '
                                      '"title": "A study", "published": "J Test"}]}')
    assert "doe2020" in load_knowledge_base([rules]).sources


@pytest.mark.parametrize("damage", ["truncate", "flip", "garbage", "empty"])
def test_a_damaged_cache_is_ignored_and_rebuilt(rules: Path, damage: str) -> None:
    expected = load_knowledge_base([rules])
    path = cached_file(rules)
    blob = path.read_bytes()
    damaged = {"truncate": blob[: len(blob) // 2], "flip": blob[:-10] + bytes(b ^ 0xFF for b in blob[-10:]),
               "garbage": os.urandom(4096), "empty": b""}[damage]
    path.write_bytes(damaged)
    assert load_knowledge_base([rules]) == expected
    assert path.read_bytes() == blob  # rebuilt and written again


def test_a_broken_rule_file_is_reported_even_after_a_good_cache(rules: Path) -> None:
    from painadvisor.errors import RuleError

    load_knowledge_base([rules])
    (rules / "knee.yaml").write_text("causes: [\n")
    with pytest.raises(RuleError):
        load_knowledge_base([rules])


def test_the_cache_can_be_turned_off_and_an_unwritable_folder_is_not_an_error(
        rules: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAINADVISOR_NO_CACHE", "1")
    load_knowledge_base([rules])
    assert not (tmp_path / "cache").exists()
    monkeypatch.delenv("PAINADVISOR_NO_CACHE")
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the cache folder would go")
    monkeypatch.setenv("PAINADVISOR_CACHE_DIR", str(blocker / "cache"))
    assert load_knowledge_base([rules]).causes
    assert blocker.read_text() == "a file where the cache folder would go"


def test_json_rule_packs_report_problems_with_lines(tmp_path: Path) -> None:
    from painadvisor.errors import RuleError

    pack = tmp_path / "pack.json"
    pack.write_text('{\n  "sources": [\n    {"id": "doe2020", "authors": "Doe J", "year": "2020",\n'
                    '     "title": "A study", "published": "J Test"}\n  ]\n}\n')
    with pytest.raises(RuleError) as caught:
        load_knowledge_base([pack], cache=False)
    assert caught.value.problems == [f"{pack}:3: source year: must be a year such as 2002"]
