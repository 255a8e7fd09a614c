"""The built-in vocabulary is read from rules/vocabulary.yaml once and then from a JSON copy in
the cache folder; a damaged or stale copy is never used."""

from __future__ import annotations

from pathlib import Path

import pytest

from painadvisor.kb import vocabulary


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("PAINADVISOR_CACHE_DIR", str(folder))
    return folder


def test_the_copy_is_written_then_used(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = vocabulary.builtin_facts()
    assert (cache / "vocabulary.json").is_file()
    monkeypatch.setattr(vocabulary, "read_vocabulary_file", lambda path: pytest.fail("read the YAML again"))
    assert vocabulary.builtin_facts() == first == vocabulary.FACTS[:len(first)]


@pytest.mark.parametrize("damage", [b"", b"garbage", b"painadvisor-vocabulary/1 old key\n[]"])
def test_a_damaged_or_stale_copy_is_read_again_from_the_rules(cache: Path, damage: bytes) -> None:
    expected = vocabulary.builtin_facts()
    (cache / "vocabulary.json").write_bytes(damage)
    assert vocabulary.builtin_facts() == expected
    assert (cache / "vocabulary.json").read_bytes() != damage  # and the copy is written anew
