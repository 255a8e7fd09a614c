"""The installed program, as a user's shell runs it, and the wheel carrying its rules."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

SCRIPT = Path(sys.executable).with_name("painadvisor")


def run(*args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL,
                          **kwargs)  # type: ignore[call-overload]


def test_the_console_script_advises_in_json() -> None:
    result = run(str(SCRIPT), "advise", "--location", "achilles", "--pop", "--signs", "weak-push-off",
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    advice = json.loads(result.stdout)
    assert advice["causes"][0]["id"] == "achilles-rupture"
    assert [flag["id"] for flag in advice["red_flags"]] == ["tendon-rupture"]


def test_python_dash_m_works_and_errors_never_show_a_traceback() -> None:
    result = run(sys.executable, "-m", "painadvisor", "advise", "--location", "elbow")
    assert result.returncode == 2
    assert result.stderr.startswith("painadvisor: --location: 'elbow' is not an allowed value")
    assert "Traceback" not in result.stderr and result.stderr.count("\n") == 1


def test_no_color_gives_plain_text() -> None:
    result = run(str(SCRIPT), "advise", "--location", "calf", env={**os.environ, "NO_COLOR": "1"})
    assert result.returncode == 0 and "\x1b[" not in result.stdout
    assert "Likely causes" in result.stdout


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git to export the checkout")
def test_a_wheel_built_from_the_repo_carries_the_rules(tmp_path: Path) -> None:
    wheels = tmp_path / "wheels"
    built = run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(REPO))
    assert built.returncode == 0, built.stderr
    target = tmp_path / "site"
    wheel = next(wheels.glob("painadvisor-*.whl"))
    installed = run(sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel))
    assert installed.returncode == 0, installed.stderr
    probe = ("import json, painadvisor.kb.loader as k; kb = k.load_knowledge_base(); "
             "print(json.dumps([str(k.builtin_rules_dir()), len(kb.causes)]))")
    result = run(sys.executable, "-c", probe, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(target)})
    assert result.returncode == 0, result.stderr
    rules_dir, causes = json.loads(result.stdout)
    assert Path(rules_dir) == target / "painadvisor" / "rules"
    assert causes >= 26
