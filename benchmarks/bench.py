#!/usr/bin/env python3
"""painadvisor's speed, measured side by side in one run, against true floors.

1. `advise --case CASE --format json` against `python -c pass` (the interpreter alone);
2. `advise --format text` (piped) against `python -c "import rich.console, rich.table, rich.panel"`;
3. `--help`, `explain`, `causes`, and the time until `ask` shows its first question (in a
   pseudo-terminal), against the same Rich floor (run in a pseudo-terminal too);
4. 1,000 cases: `advise --batch` once against 1,000 `advise` processes;
5. `advise --save` with 10,000 earlier records of the same place against an empty history;
6. the engine alone, in-process, on synthetic knowledge bases of 1,000, 10,000 and
   100,000 evidence rules: load and validate (cold, and from the cache), evaluate one case.

Commands alternate A, B, A, B ... for --rounds rounds (at least 15); medians and ratios
are printed.  Peak memory of a command is its maximum resident set size.

    python benchmarks/bench.py [--rounds 21] [--sizes 1000,10000,100000]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
CASE = {"location": "knee.outer", "side": "right", "onset": "gradual", "when": ["after-distance"],
        "worse_with": ["downhill", "stairs-down"], "duration_days": 10, "load_change": "large", "hills": "lots"}


def timed(command: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Wall time of one run, and the peak RSS (KB) of that child."""
    start = time.perf_counter()
    pid = os.posix_spawn(command[0], command, env, file_actions=[
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0), (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0)])
    _, status, usage = os.wait4(pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(command)}")
    return elapsed, usage.ru_maxrss


def side_by_side(name: str, a: list[str], b: list[str], rounds: int, env: dict[str, str]) -> None:
    timed(a, env), timed(b, env)  # warm the file cache and painadvisor's rule cache
    runs_a, runs_b = [], []
    for _ in range(rounds):
        runs_a.append(timed(a, env))
        runs_b.append(timed(b, env))
    median_a = statistics.median(run[0] for run in runs_a)
    median_b = statistics.median(run[0] for run in runs_b)
    print(f"{name}: painadvisor {1000 * median_a:.1f} ms (peak {max(r[1] for r in runs_a) / 1024:.0f} MB), "
          f"floor {1000 * median_b:.1f} ms (peak {max(r[1] for r in runs_b) / 1024:.0f} MB), "
          f"ratio {median_a / median_b:.2f}")


def in_terminal(command: list[str], env: dict[str, str], until: bytes | None) -> float:
    """Wall time of ``command`` in a pseudo-terminal until it prints ``until`` (then it is
    stopped), or until it exits."""
    import pty
    import select
    import signal

    start = time.perf_counter()
    pid, fd = pty.fork()
    if pid == 0:  # the child
        os.execve(command[0], command, env)
    seen = b""
    try:
        while until is None or until not in seen:
            ready, _, _ = select.select([fd], [], [], 20)
            if not ready:
                raise SystemExit(f"no answer from: {' '.join(command)}")
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # the child has gone (EIO)
                break
            if not chunk:
                break
            seen += chunk
        elapsed = time.perf_counter() - start
    finally:
        if until is not None:
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        os.close(fd)
    if until is not None and until not in seen:
        raise SystemExit(f"never printed {until!r}: {' '.join(command)}")
    return elapsed


def first_question(script: str, env: dict[str, str], rounds: int) -> None:
    """Time until `painadvisor ask` shows its first question, against the Rich imports, both in
    a pseudo-terminal, alternating."""
    env = {**env, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "40"}
    ask = [script, "ask"]
    floor = [sys.executable, "-c", "import rich.console, rich.table, rich.panel"]
    in_terminal(ask, env, b"Where does it hurt"), in_terminal(floor, env, None)
    runs_ask, runs_floor = [], []
    for _ in range(rounds):
        runs_ask.append(in_terminal(ask, env, b"Where does it hurt"))
        runs_floor.append(in_terminal(floor, env, None))
    ask_ms, floor_ms = 1000 * statistics.median(runs_ask), 1000 * statistics.median(runs_floor)
    print(f"ask, first question (terminal) vs Rich imports: painadvisor {ask_ms:.1f} ms, floor {floor_ms:.1f} ms, "
          f"ratio {ask_ms / floor_ms:.2f}")


def synthetic_rules(folder: Path, rules: int, seed: int = 7, *, as_json: bool = False) -> None:
    """A knowledge base of `rules` evidence items over the real vocabulary, as YAML (or JSON) files of
    at most 10,000 items each (loaded and validated like any rule pack)."""
    from painadvisor.kb.vocabulary import FACTS, Kind

    rng = random.Random(seed)
    facts = [fact for fact in FACTS if fact.kind is not Kind.TEXT]
    causes_n = max(26, rules // 100)
    per_cause = rules // causes_n
    chunk = max(1, 10_000 // per_cause)
    for first in range(0, causes_n, chunk):
        lines = ["causes:"]
        for number in range(first, min(first + chunk, causes_n)):
            lines += [f"  - id: cause-{number}", f"    name: Cause {number}", "    area: knee", "    level: self-care",
                      f"    base_rate: {rng.uniform(0.001, 0.2):.4f}", "    explanation: Synthetic.", "    evidence:"]
            for _ in range(per_cause):
                fact = rng.choice(facts)
                weight = round(rng.uniform(-3, 3), 2) or 0.5
                if fact.kind is Kind.NUMBER:
                    test = f"at_least: {rng.randint(fact.minimum or 0, min(fact.maximum or 10, 100))}"
                elif fact.kind is Kind.YES_NO:
                    test = f"value: {rng.choice(['true', 'false'])}"
                else:
                    test = f"any_of: [{', '.join(rng.sample(fact.values, min(2, len(fact.values))))}]"
                lines.append(f"      - {{fact: {fact.id}, {test}, weight: {weight}}}")
            lines.append("    sources: [synthetic]")
        text = "\n".join(lines) + "\n"
        if as_json:
            import yaml

            (folder / f"synthetic-{first:06d}.json").write_text(json.dumps(yaml.load(text, Loader=yaml.CSafeLoader)))
        else:
            (folder / f"synthetic-{first:06d}.yaml").write_text(text)
    (folder / "sources.yaml").write_text(
        "sources:\n  - {id: synthetic, authors: Bench B, year: 2026, title: Synthetic rules, published: none}\n")


def engine_at(rules: int, rounds: int) -> None:
    """Each size in child processes of its own, so each figure's peak memory is its own."""
    code = f"""
import json, resource, statistics, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {str(HERE)!r})
from bench import CASE, synthetic_rules
from painadvisor.engine import advice as engine
from painadvisor.kb import loader as knowledge
from painadvisor.kb.vocabulary import parse_case
as_json = sys.argv[1] == "json"
folder = Path(tempfile.mkdtemp())
synthetic_rules(folder, {rules}, as_json=as_json)
start = time.perf_counter(); kb = knowledge.load_knowledge_base([folder]); cold = time.perf_counter() - start
del kb
start = time.perf_counter(); kb = knowledge.load_knowledge_base([folder]); warm = time.perf_counter() - start
case = parse_case(CASE)
engine.evaluate(kb, case)
runs = []
for _ in range({rounds}):
    start = time.perf_counter(); engine.evaluate(kb, case); runs.append(time.perf_counter() - start)
print(json.dumps([cold, warm, statistics.median(runs), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss]))
"""
    figures = {}
    for kind in ("json", "yaml"):
        result = subprocess.run([sys.executable, "-c", code, kind], capture_output=True, text=True, check=True,
                                env={**os.environ, "PAINADVISOR_CACHE_DIR": tempfile.mkdtemp()})
        figures[kind] = json.loads(result.stdout)
    cold_json, warm, evaluation, peak = figures["json"]
    cold_yaml = figures["yaml"][0]
    print(f"engine, {rules:>7,} rules: evaluate {1000 * evaluation:6.2f} ms per case; load+validate cold "
          f"{cold_json:.2f} s (JSON pack) / {cold_yaml:.2f} s (YAML pack), {warm:.3f} s from the cache; "
          f"peak {peak / 1024:.0f} MB")


def batch_against_processes(script: str, scratch: Path, env: dict[str, str], cases: int = 1000) -> None:
    """1,000 cases through one `advise --batch` against 1,000 `advise` processes (all JSON)."""
    lines = scratch / "cases.jsonl"
    lines.write_text("".join(json.dumps({**CASE, "duration_days": day % 60}) + "\n" for day in range(cases)))
    start = time.perf_counter()
    subprocess.run([script, "advise", "--batch", str(lines)], check=True, env=env, stdout=subprocess.DEVNULL)
    batch = time.perf_counter() - start
    start = time.perf_counter()
    for day in range(cases):
        subprocess.run([script, "advise", "--location", "knee.outer", "--duration-days", str(day % 60), "--format",
                        "json"], check=True, env=env, stdout=subprocess.DEVNULL)
    single = time.perf_counter() - start
    print(f"{cases:,} cases: --batch {batch:.2f} s, {cases:,} processes {single:.1f} s, {single / batch:.0f}x faster")


def history_at(script: str, scratch: Path, case_file: Path, env: dict[str, str], rounds: int) -> None:
    """`advise --save` with 10,000 earlier records of the same place against an empty history."""
    sys.path.insert(0, str(HERE.parent / "src"))
    from painadvisor.history.store import History

    full = scratch / "full.db"
    with History(full) as history:
        document = {"case": {"location": "knee.outer"}, "triage": "self-care",
                    "causes": [{"id": "itb-syndrome"}]}
        for _ in range(10_000):
            history.save({"location": "knee.outer"}, document, "bench")
    empty_env = {**env, "PAINADVISOR_DB": str(scratch / "empty.db")}
    command = [script, "advise", "--case", str(case_file), "--format", "json", "--save"]
    timed(command, {**env, "PAINADVISOR_DB": str(full)})
    runs_full, runs_empty = [], []
    for _ in range(rounds):
        (scratch / "empty.db").unlink(missing_ok=True)
        runs_empty.append(timed(command, empty_env)[0])
        runs_full.append(timed(command, {**env, "PAINADVISOR_DB": str(full)})[0])
    full_ms, empty_ms = 1000 * statistics.median(runs_full), 1000 * statistics.median(runs_empty)
    print(f"history: advise --save with 10,000 earlier records {full_ms:.1f} ms, with none {empty_ms:.1f} ms, "
          f"ratio {full_ms / empty_ms:.2f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--sizes", default="1000,10000,100000")
    args = parser.parse_args()
    if args.rounds < 15:
        parser.error("--rounds must be at least 15")
    python = sys.executable
    script = str(Path(python).with_name("painadvisor"))
    with tempfile.TemporaryDirectory() as scratch:
        case_file = Path(scratch) / "case.yaml"
        case_file.write_text("".join(f"{fact}: {json.dumps(value)}\n" for fact, value in CASE.items()))
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": scratch,
               "PAINADVISOR_CACHE_DIR": str(Path(scratch) / "cache"), "PAINADVISOR_DB": str(Path(scratch) / "h.db")}
        rich_floor = [python, "-c", "import rich.console, rich.table, rich.panel"]
        print(f"{args.rounds} rounds each, alternating; medians")
        side_by_side("advise json vs python -c pass", [script, "advise", "--case", str(case_file), "--format",
                                                       "json"], [python, "-c", "pass"], args.rounds, env)
        side_by_side("advise text (piped) vs Rich imports", [script, "advise", "--case", str(case_file)],
                     rich_floor, args.rounds, env)
        for name, command in (("--help", [script, "--help"]), ("explain", [script, "explain", "itb-syndrome"]),
                              ("causes", [script, "causes"])):
            side_by_side(f"{name} vs Rich imports", command, rich_floor, args.rounds, env)
        first_question(script, env, args.rounds)
        batch_against_processes(script, Path(scratch), env)
        history_at(script, Path(scratch), case_file, env, args.rounds)
    for size in (int(part) for part in args.sizes.split(",")):
        engine_at(size, args.rounds)
    print(f"(this process: peak {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
