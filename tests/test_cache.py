"""The knowledge-base cache: used when valid, rebuilt when stale or damaged, never trusted blindly."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from painadvisor.kb import cache as kbcache
from painadvisor.kb.loader import builtin_rules_dir, load_knowledge_base, rule_files
from painadvisor.kb.models import KnowledgeBase

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


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
    monkeypatch.setattr("painadvisor.kb.loader.build", lambda files: pytest.fail("rebuilt a valid cache"))
    assert load_knowledge_base([rules]) == first


def test_changing_a_rule_file_invalidates_the_cache(rules: Path) -> None:
    assert load_knowledge_base([rules]).cause("itb-syndrome").name == "Iliotibial band syndrome"
    old_cache = cached_file(rules)
    knee = rules / "knee.yaml"
    knee.write_text(knee.read_text().replace("name: Iliotibial band syndrome", "name: ITB friction"))
    assert load_knowledge_base([rules]).cause("itb-syndrome").name == "ITB friction"
    assert cached_file(rules) != old_cache  # the stale entry is never read again (and goes when the slots fill)
    assert len(list(old_cache.parent.glob("kb-*.json"))) <= kbcache.SLOTS


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


# --- issue 15: the cache is data, never code ----------------------------------------------

class Planted:
    """A pickle that, if it were ever unpickled, would create the marker folder."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return os.mkdir, (str(self.marker),)


@pytest.fixture
def no_unpickling(monkeypatch: pytest.MonkeyPatch) -> None:
    import pickle

    def refuse(*args: object, **kwargs: object) -> None:
        pytest.fail("the cache was unpickled")

    for name in ("load", "loads", "Unpickler"):
        monkeypatch.setattr(pickle, name, refuse)


@pytest.mark.parametrize("planted_as", ["current-name-and-header", "old-pickle-cache"])
def test_a_planted_pickle_is_never_run(rules: Path, tmp_path: Path, planted_as: str, no_unpickling: None) -> None:
    import hashlib
    import pickle

    marker = tmp_path / "code-ran"
    payload = pickle.dumps(Planted(marker))
    path = cached_file(rules)
    path.parent.mkdir(mode=0o700)
    if planted_as == "current-name-and-header":  # even a valid checksum does not make it code
        path.write_bytes(kbcache.FORMAT + hashlib.sha256(payload).digest() + payload)
    else:
        old = path.with_name(path.stem + ".pickle")
        old.write_bytes(b"painadvisor-kb-cache/1\n" + hashlib.sha256(payload).digest() + payload)
    kb = load_knowledge_base([rules])
    assert kb.causes and not marker.exists()
    assert path.read_bytes().startswith(kbcache.FORMAT) and b"pickle" not in path.read_bytes()[:64]
    assert sorted(item.name for item in path.parent.iterdir()) == [path.name]  # the planted files are gone


def same(left: object, right: object, where: str = "kb") -> None:
    """Equal field for field, with the same types all the way down (a tuple is not a list, True is not 1)."""
    assert type(left) is type(right), f"{where}: {type(left).__name__} != {type(right).__name__}"
    if isinstance(left, KnowledgeBase):
        for name in KnowledgeBase.FIELDS:
            same(getattr(left, name), getattr(right, name), f"{where}.{name}")
    elif isinstance(left, tuple):
        assert len(left) == len(right), where  # type: ignore[arg-type]
        for position, (one, other) in enumerate(zip(left, right, strict=True)):  # type: ignore[call-overload]
            same(one, other, f"{where}[{position}]")
    elif isinstance(left, dict):
        assert list(left) == list(right), where  # type: ignore[call-overload]
        for key in left:
            same(key, next(other for other in right if other == key), f"{where} key {key!r}")  # type: ignore[attr-defined]
            same(left[key], right[key], f"{where}[{key!r}]")  # type: ignore[index]
    elif isinstance(left, frozenset | set):
        assert left == right, where
        assert sorted(map(repr, left)) == sorted(map(repr, right)), where  # type: ignore[arg-type]
    else:
        assert left == right and repr(left) == repr(right), where


def test_a_cached_knowledge_base_equals_a_fresh_build_field_for_field(rules: Path) -> None:
    from painadvisor.kb.index import index_of

    fresh = load_knowledge_base([rules], cache=False)
    load_knowledge_base([rules])  # writes the cache (the index is built again when first needed)
    cached = kbcache.load(cached_file(rules))
    assert cached is not None and set(cached.cache) == set()
    same(cached, fresh)
    assert index_of(cached) == index_of(fresh)  # the same index (its dicts in whatever order)


def test_the_converter_round_trips_every_kind_of_value() -> None:
    from painadvisor.kb.models import AllOf, Example, KnowledgeBase, Leaf, Not

    condition = AllOf((Leaf("pop", frozenset([True])), Not(Leaf("age", at_least=1)), Leaf("age", at_least=1),
                       Leaf("age", at_least=True), Leaf("pop", frozenset([1])), Leaf("age", at_least=1.0)))
    kb = KnowledgeBase(causes=(), red_flags=(), tips=(), sources={},
                       examples=(Example("e", {"when": ("a", "b"), "pop": True, "age": 1}, ("c",), "self-care"),),
                       overrides=(("dvt", "pack.yaml"),),
                       cache={"odd": {2: (1.5, float("inf"), None), True: {frozenset({1}), ("x", 2)}, "s": condition,
                                      (1, True): frozenset({Leaf("pop", frozenset([True])), Leaf("pop")})}})
    same(kbcache.decode(kbcache.encode(kb)), kb)
    same(kbcache.decode(kbcache.encode(kb)).cache, kb.cache, "kb.cache")


def test_a_value_the_converter_does_not_know_is_not_cached(rules: Path) -> None:
    from painadvisor.kb.models import Example, KnowledgeBase

    path = cached_file(rules)
    for odd in (object(), [1, 2]):  # a list would read back as a tuple
        kbcache.store(path, KnowledgeBase(causes=(), red_flags=(), tips=(), examples=(
            Example("e", {"when": odd}, ("c",), "self-care"),)))  # type: ignore[dict-item]
        assert not path.exists()


def test_derived_data_the_converter_does_not_know_is_left_out() -> None:
    from painadvisor.kb.models import KnowledgeBase

    kb = KnowledgeBase(causes=(), red_flags=(), tips=(), cache={"odd": object(), "list": [1], "kept": (1, "a")})
    assert kbcache.decode(kbcache.encode(kb)).cache == {"kept": (1, "a")}


def test_a_cache_file_writable_by_others_is_not_trusted(rules: Path) -> None:
    expected = load_knowledge_base([rules])
    path = cached_file(rules)
    path.chmod(0o666)
    assert kbcache.load(path) is None
    assert load_knowledge_base([rules]) == expected
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # rebuilt and written again, privately


@pytest.mark.skipif(not IS_ROOT, reason="only root can give a file to another user")
def test_a_cache_file_of_another_user_is_not_trusted(rules: Path) -> None:
    load_knowledge_base([rules])
    path = cached_file(rules)
    os.chown(path, 12345, 12345)
    assert kbcache.load(path) is None


def test_a_symlinked_cache_file_is_not_followed(rules: Path, tmp_path: Path) -> None:
    load_knowledge_base([rules])
    path = cached_file(rules)
    elsewhere = tmp_path / "elsewhere.json"
    path.rename(elsewhere)
    path.symlink_to(elsewhere)
    assert kbcache.load(path) is None


def test_a_change_to_painadvisors_own_code_changes_the_key(rules: Path, monkeypatch: pytest.MonkeyPatch,
                                                          tmp_path: Path) -> None:
    before = cached_file(rules)
    code = tmp_path / "code"
    code.mkdir()
    for name in kbcache.BUILDERS:
        (code / name).parent.mkdir(exist_ok=True)
        shutil.copy2(Path(kbcache.__file__).parents[1] / name, code / name)
    monkeypatch.setattr(kbcache, "_HERE", code)
    assert cached_file(rules) == before  # the same files: the same key
    os.utime(code / "kb" / "rulefields.py", ns=(1, 1))
    assert cached_file(rules) != before


def test_rule_configurations_used_in_turn_each_keep_their_cache(rules: Path, tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    packs = []
    for number in range(kbcache.SLOTS - 1):
        pack = tmp_path / f"pack{number}"
        pack.mkdir()
        (pack / "tips.yaml").write_text(f"tips:\n  - {{id: extra-tip-{number}, kind: now, text: Rest a day., "
                                        "sources: [taunton2002]}\n", encoding="utf-8")
        packs.append(pack)
    configurations = [[rules], *([rules, pack] for pack in packs)]
    for paths in configurations:
        load_knowledge_base(paths)
    with monkeypatch.context() as patched:
        patched.setattr("painadvisor.kb.loader.build", lambda files: pytest.fail("rebuilt a cached configuration"))
        for paths in [*configurations, *configurations[::-1]]:
            load_knowledge_base(paths)
    crowd = tmp_path / "one-more"
    crowd.mkdir()
    (crowd / "tips.yaml").write_text("tips:\n  - {id: extra-tip-x, kind: now, text: Rest., sources: [taunton2002]}\n",
                                     encoding="utf-8")
    load_knowledge_base([rules, crowd])  # one configuration too many: the least recently used goes
    assert len(list(cached_file(rules).parent.glob("kb-*.json"))) == kbcache.SLOTS
    assert not kbcache.cache_path(rule_files([rules, packs[-1]])).exists()  # type: ignore[union-attr]
