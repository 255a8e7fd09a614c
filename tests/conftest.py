"""Shared fixtures: an isolated environment, the built-in knowledge base and a CLI runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from painadvisor.knowledge import load_knowledge_base
from painadvisor.models import KnowledgeBase

REPO = Path(__file__).resolve().parents[1]
SHARED_INTAKE = REPO.parent / "shared" / "intake.md"
INTAKE = SHARED_INTAKE if SHARED_INTAKE.exists() else REPO / "tests" / "data" / "intake.md"


@pytest.fixture(autouse=True)
def isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test reads or writes the developer's own folders or depends on their terminal."""
    for name in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / "home"))
    for name in ("NO_COLOR", "FORCE_COLOR", "PAINADVISOR_RULES", "PAINADVISOR_DB"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("COLUMNS", "100")
    monkeypatch.setenv("TERM", "dumb")


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge_base()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()
