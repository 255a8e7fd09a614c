"""The module tree is the architecture: data flows one way, from the command line down to
the knowledge base, with no import cycle; the one-shot JSON path imports nothing it does not use."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "painadvisor"

# Lowest first: a module may import from its own layer or any below it, never above.
LAYERS = ("version", "errors", "files", "kb", "engine", "training", "history", "render", "api", "cli")
TOP = len(LAYERS)  # painadvisor/__init__.py and __main__.py, the front doors


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in ("__main__",):
        return TOP
    return LAYERS.index(parts[1])


def imports() -> dict[str, set[str]]:
    """Every painadvisor module each module imports, at the top or inside a function."""
    graph: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "painadvisor":
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    is_module = (PACKAGE.parent / (full.replace(".", "/") + ".py")).exists() or \
                        (PACKAGE.parent / full.replace(".", "/")).is_dir()
                    found.add(full if is_module else node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "painadvisor")
        graph[module_name(path)] = found
    return graph


def test_every_package_is_a_known_layer() -> None:
    packages = {path.name for path in PACKAGE.iterdir() if path.is_dir() and (path / "__init__.py").exists()}
    modules = {path.stem for path in PACKAGE.glob("*.py")} - {"__init__", "__main__"}
    assert packages | modules <= set(LAYERS)


def test_nothing_flows_back_up() -> None:
    upward = [f"{module} -> {target}" for module, targets in imports().items() for target in targets
              if layer(target) > layer(module)]
    assert upward == []


def test_there_is_no_import_cycle() -> None:
    graph = imports()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[str] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state.get(target) == 1:
                cycles.append(" -> ".join([*path[path.index(target):], target]))
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module, [module])
    assert cycles == []


@pytest.fixture(scope="module")
def json_path_imports(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The modules ``python -X importtime`` shows for ``advise --case CASE.yaml --format json``, run
    a second time (every run but the first reads the rules from the cache)."""
    folder = tmp_path_factory.mktemp("json-path")
    case = folder / "case.yaml"
    case.write_text("location: knee.outer\nwhen: [after-distance]\nduration_days: 10\n", encoding="utf-8")
    env = {"PAINADVISOR_DB": str(folder / "h.db"), "XDG_CACHE_HOME": str(folder / "cache"), "HOME": str(folder),
           "PATH": ""}
    command = [sys.executable, "-X", "importtime", "-m", "painadvisor", "advise", "--case", str(case), "--format",
               "json"]
    for _ in range(2):
        done = subprocess.run(command, capture_output=True, text=True, env=env, check=True)
    assert '"itb-syndrome"' in done.stdout
    return {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


@pytest.mark.parametrize("heavy", ["rich", "typer", "pydantic", "difflib", "tempfile", "yaml", "sqlite3",
                                   "dataclasses", "hashlib"])
def test_the_json_path_imports_only_what_it_uses(heavy: str, json_path_imports: set[str]) -> None:
    assert "painadvisor.engine.advice" in json_path_imports  # the list is real
    assert not {name for name in json_path_imports if name == heavy or name.startswith(heavy + ".")}
