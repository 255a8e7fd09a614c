"""The README stays true: its commands are the ones CI runs, and its examples still work."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from typer.testing import CliRunner

from painadvisor.cli.app import app

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


def test_every_subcommand_of_history_and_rules_has_help_and_appears_in_the_readme(runner: CliRunner) -> None:
    groups = {group.name: group.typer_instance for group in app.registered_groups}
    assert set(groups) == {"history", "rules"}
    for group_name, group in groups.items():
        for command in group.registered_commands:
            name = command.name or command.callback.__name__  # type: ignore[union-attr]
            assert f"painadvisor {group_name} {name}" in README, (group_name, name)
            result = runner.invoke(app, [group_name, name, "--help"])
            assert result.exit_code == 0 and "Usage" in result.stdout


def test_the_readme_rule_pack_is_valid_and_its_example_passes(runner: CliRunner, tmp_path: Path) -> None:
    pack = re.search(r"```yaml\n(# my-clinic/toes.yaml\n.+?)```", README, re.DOTALL)
    assert pack is not None
    (tmp_path / "toes.yaml").write_text(pack.group(1))
    assert runner.invoke(app, ["rules", "check", str(tmp_path)]).exit_code == 0
    tested = runner.invoke(app, ["rules", "test", str(tmp_path)])
    assert tested.exit_code == 0, tested.stdout
