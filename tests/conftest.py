"""Shared fixtures: an isolated environment, the built-in knowledge base and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings
from typer.testing import CliRunner

from painadvisor.kb.loader import load_knowledge_base
from painadvisor.kb.models import KnowledgeBase

# Property tests: few examples locally (the suite stays under two minutes), many in .ci/run, which
# sets PAINADVISOR_FUZZ_EXAMPLES (tests that fuzz whole commands read it for their own budget).
settings.register_profile("local", max_examples=50, deadline=None)
settings.register_profile("ci", max_examples=int(os.environ.get("PAINADVISOR_FUZZ_EXAMPLES") or 300), deadline=None)
settings.load_profile("ci" if os.environ.get("PAINADVISOR_FUZZ_EXAMPLES") else "local")

REPO = Path(__file__).resolve().parents[1]
SHARED_INTAKE = REPO.parent / "shared" / "intake.md"
INTAKE = SHARED_INTAKE if SHARED_INTAKE.exists() else REPO / "tests" / "data" / "intake.md"


@pytest.fixture(scope="session")
def rule_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One knowledge-base cache for the whole run (tests of the cache use their own)."""
    return tmp_path_factory.mktemp("rule-cache")


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory, rule_cache: Path) -> None:
    """No test reads or writes the developer's own folders or depends on their terminal."""
    home = tmp_path_factory.mktemp("home")
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(home))
    monkeypatch.setenv("PAINADVISOR_CACHE_DIR", str(rule_cache))
    for name in ("NO_COLOR", "FORCE_COLOR", "PAINADVISOR_RULES", "PAINADVISOR_DB", "PAINADVISOR_NO_CACHE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
