"""The README stays true: its commands are the ones CI runs, and its examples still work."""

from __future__ import annotations

import re
import shlex

from typer.testing import CliRunner

from painadvisor.cli import app

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
CI = (REPO / ".ci" / "run").read_text(encoding="utf-8")
COMMANDS = re.findall(r"```sh\n(.+?)\n```", README)


def test_ci_runs_the_readme_test_command_exactly() -> None:
    test_command = next(command for command in COMMANDS if "pytest" in command)
    assert test_command in CI.splitlines()


def test_the_readme_main_command_runs(runner: CliRunner) -> None:
    main_command = next(command for command in COMMANDS if "painadvisor advise" in command)
    args = shlex.split(main_command.split(".venv/bin/painadvisor ", 1)[1])
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.stderr
    assert "Iliotibial band syndrome" in result.stdout


def test_every_command_has_help_and_appears_in_the_readme(runner: CliRunner) -> None:
    for command in app.registered_commands:
        name = command.name or command.callback.__name__  # type: ignore[union-attr]
        assert f"painadvisor {name}" in README, name
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.stdout
