#!/usr/bin/env python3
"""A long fuzz run, not part of the test suite: random case files, random rule packs and random
command lines, checking that nothing ends in a traceback (issue 15).

1. cases, in-process: a random case file (YAML, JSON, tagged YAML or raw bytes) is read,
   evaluated and rendered as JSON, Markdown and text; only a PainAdvisorError may stop it,
   and the JSON must be valid UTF-8.
2. packs, in-process: a random rule file is validated on its own (every 50th on top of the
   built-in pack); only a RuleError may stop it; a pack that loads is evaluated and must
   survive the knowledge-base cache's converter unchanged.
3. CLI runs, as a user's shell runs the installed script: random flags, values and paths
   (names too long, FIFOs, folders, devices, empty names); the exit code must be 0, 1 or 2
   and every line on stderr must start with "painadvisor: ", never a traceback.

    python scripts/fuzz_all.py [--seed N] [--cases 10000] [--packs 10000] [--cli 1000]

Prints the seed and the counts; exits 1 if anything failed, with the first failures of each kind.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import yaml

from painadvisor.errors import PainAdvisorError, RuleError
from painadvisor.kb import cache as kbcache
from painadvisor.kb.loader import build, builtin_rules_dir, rule_files
from painadvisor.kb.reader import PACK_KEYS, SECTIONS
from painadvisor.kb.vocabulary import FACTS, Kind

ESCAPES = ["\x1b[31m", "\x1b]52;c;QUJD\x07", "\x1b]8;;http://x\x1b\\", "\x9b2J", "\x00", "\ud800", "\udcff",
           "[/bold]", "[red]", "\u202e"]
WEIRD = ["", " ", "\n", "~", "yes", "no", "on", "12:30", "0x1F", "1e999", "nan", "-", "...", "²", "①",
         "9" * 5000, "a" * 5000, "null", "true", "[1, 2]", "{a: 1}", "&a", "*a", "!!int x"]
TAGS = ["!!int", "!!float", "!!bool", "!!str", "!!null", "!!timestamp", "!!binary", "!!set", "!!omap",
        "!!python/object:os.system", "!local"]
RULE_KEYS = ["id", "name", "area", "level", "base_rate", "explanation", "evidence", "sources", "fact", "value",
             "any_of", "at_least", "at_most", "weight", "all", "any", "not", "trigger", "triage", "message",
             "kind", "text", "for_causes", "for_flags", "when", "choices", "override", "case", "expect", "group",
             "label", "note", "red_flags", "places", "escalate", "to", "rule_out", "running", "priority",
             "max_triage", "start", "core", "help", "authors", "year", "title", "published"]
GOOD_VALUES = ["knee", "calf", "self-care", "emergency", "knee", "shin-calf", "now", "dvt", "taunton2002", 0.05,
               2.5, -1.5, 10, True, False, 2002]


class Fuzzer:
    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.facts = list(FACTS)

    def text(self) -> str:
        pick = self.random.random()
        if pick < 0.3:
            return self.random.choice(WEIRD)
        if pick < 0.5:
            return self.random.choice(ESCAPES) + self.random.choice(["x", "", "Calf"])
        length = self.random.randint(0, 30)
        return "".join(chr(self.random.choice([self.random.randint(32, 126), self.random.randint(0, 0x2FFF)]))
                       for _ in range(length))

    def scalar(self) -> Any:
        kind = self.random.randint(0, 7)
        if kind == 0:
            return None
        if kind == 1:
            return self.random.choice([True, False])
        if kind == 2:
            return self.random.choice([0, -1, 3, 10, 99, 10**20, -(10**30), 2**63])
        if kind == 3:
            return self.random.choice([0.5, -0.0, 1e308, float("inf"), float("nan"), 3.25])
        if kind == 4:
            return self.random.choice(GOOD_VALUES)
        if kind == 5:
            fact = self.random.choice(self.facts)
            return self.random.choice(fact.values) if fact.values else fact.id
        return self.text()

    def value(self, depth: int = 0, keys: list[str] | None = None) -> Any:
        pick = self.random.random()
        if depth > 3 or pick < 0.5:
            return self.scalar()
        if pick < 0.75:
            return [self.value(depth + 1, keys) for _ in range(self.random.randint(0, 4))]
        names = keys or [fact.id for fact in self.facts]
        return {self.random.choice(names + [self.text()]): self.value(depth + 1, keys)
                for _ in range(self.random.randint(0, 5))}

    def case(self) -> dict[str, Any]:
        case: dict[str, Any] = {}
        facts = self.random.sample(self.facts, self.random.randint(0, 10))
        if self.random.random() < 0.8:
            facts.append(self.facts[0])  # where it hurts: most cases say it
        for fact in facts:
            case[fact.id] = self.good_value(fact) if self.random.random() < 0.95 else self.value(1)
        if "signs" in case and "signs_absent" in case and self.random.random() < 0.9:
            del case["signs_absent"]
        return case

    def good_value(self, fact: Any) -> Any:
        if fact.kind is Kind.YES_NO:
            return self.random.choice([True, False])
        if fact.kind is Kind.NUMBER:
            return self.random.randint(fact.minimum or 0, fact.maximum or 100)
        if fact.kind is Kind.TEXT:
            return self.text()
        if fact.kind is Kind.MANY:
            return self.random.sample(fact.values, min(len(fact.values), self.random.randint(0, 3)))
        return self.random.choice(fact.values)

    def pack(self) -> dict[str, Any]:
        pack: dict[str, Any] = {}
        for section in self.random.sample(SECTIONS + PACK_KEYS, self.random.randint(0, 4)):
            if section in PACK_KEYS:
                pack[section] = self.random.choice([True, False, "yes", 1])
                continue
            pack[section] = [self.entry() for _ in range(self.random.randint(0, 3))]
        if self.random.random() < 0.05:
            pack[self.text()] = self.value()
        return pack

    def entry(self) -> Any:
        if self.random.random() < 0.05:
            return self.value()
        return {key: (self.condition() if key in ("trigger", "when", "not") else
                      [self.condition()] if key in ("all", "any", "evidence") else self.value(2, RULE_KEYS))
                for key in self.random.sample(RULE_KEYS, self.random.randint(1, 9))}

    def condition(self) -> Any:
        fact = self.random.choice(self.facts)
        test = self.random.choice(["value", "any_of", "at_least", "at_most"])
        value: Any = self.good_value(fact) if self.random.random() < 0.7 else self.scalar()
        return {"fact": fact.id, test: value, "weight": self.random.choice([1.5, -2, 0, 11, "x"])}

    def encode(self, document: Any) -> tuple[bytes, str]:
        how = self.random.choice(["yaml", "yaml", "json", "tagged", "bytes"])
        try:
            if how == "json":
                return json.dumps(document, allow_nan=True).encode("utf-8", "surrogatepass"), ".json"
            if how == "yaml":
                return yaml.safe_dump(document, allow_unicode=True).encode("utf-8", "surrogatepass"), ".yaml"
        except (ValueError, TypeError, yaml.YAMLError, RecursionError):
            pass
        if how == "tagged":
            lines = [f"{self.random.choice(self.facts).id}: {self.random.choice(TAGS)} {self.text()!r}"
                     for _ in range(self.random.randint(1, 4))]
            return "\n".join(lines).encode("utf-8", "surrogatepass"), ".yaml"
        return bytes(self.random.getrandbits(8) for _ in range(self.random.randint(0, 200))), ".yaml"


class Tally:
    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.failures: dict[str, list[str]] = {}

    def fail(self, kind: str, detail: str) -> None:
        self.counts[f"{kind} FAILED"] += 1
        self.failures.setdefault(kind, [])
        if len(self.failures[kind]) < 3:
            self.failures[kind].append(detail)


def fuzz_cases(fuzzer: Fuzzer, count: int, folder: Path, tally: Tally) -> None:
    from rich.console import Console  # noqa: TID251 - a test harness, outside the package

    from painadvisor.engine import advice as engine
    from painadvisor.kb.cases import read_case_file
    from painadvisor.kb.loader import load_knowledge_base
    from painadvisor.render.json import render_json
    from painadvisor.render.markdown import render_markdown
    from painadvisor.render.terminal import render_terminal

    kb = load_knowledge_base()
    for number in range(count):
        data, suffix = fuzzer.encode(fuzzer.case() if fuzzer.random.random() < 0.9 else fuzzer.value())
        path = folder / f"case-{number % 10}{suffix}"
        path.write_bytes(data)
        try:
            case = read_case_file(str(path))
            engine.require_enough(kb, case)
            advice = engine.evaluate(kb, case)
            render_json(advice, kb).encode("utf-8")
            render_markdown(advice, kb).encode("utf-8")
            render_terminal(advice, Console(file=io.StringIO(), width=100, color_system=None), explain=True)
            tally.counts["cases advised"] += 1
        except PainAdvisorError as err:
            tally.counts["cases refused (one-line error)"] += 1
            if "\n" in str(err):
                tally.fail("case error over several lines", f"{data[:200]!r}: {err!r}")
        except Exception:  # noqa: BLE001 - the point of the exercise
            tally.fail("case crashed", f"{data[:300]!r}\n{traceback.format_exc(limit=4)}")


def fuzz_packs(fuzzer: Fuzzer, count: int, folder: Path, tally: Tally) -> None:
    from painadvisor.engine import advice as engine
    from painadvisor.kb.index import index_of
    from painadvisor.kb.vocabulary import parse_case

    builtin = rule_files([builtin_rules_dir()])
    case = parse_case({"location": "knee", "signs": ["swelling"], "age": 40})
    for number in range(count):
        data, suffix = fuzzer.encode(fuzzer.pack())
        path = folder / f"pack-{number % 10}{suffix}"
        path.write_bytes(data)
        files = [*builtin, path] if number % 50 == 0 else [path]
        try:
            kb = build(files)
        except RuleError as err:
            tally.counts["packs refused (rule problems)"] += 1
            if any("\n" in problem or "\x1b" in problem for problem in err.problems):
                tally.fail("rule problem not one clean line", repr(err.problems[:3]))
            continue
        except Exception:  # noqa: BLE001
            tally.fail("pack crashed", f"{data[:300]!r}\n{traceback.format_exc(limit=4)}")
            continue
        tally.counts["packs loaded"] += 1
        try:
            if kb.causes:
                engine.evaluate(kb, case)
            index_of(kb)
            again = kbcache.decode(kbcache.encode(kb))
            if again != kb or again.cache.get("index") != kb.cache.get("index"):
                tally.fail("cache round trip changed the knowledge base", repr(data[:300]))
        except Exception:  # noqa: BLE001
            tally.fail("loaded pack crashed", f"{data[:300]!r}\n{traceback.format_exc(limit=4)}")


def cli_args(fuzzer: Fuzzer, scratch: Path, number: int) -> list[str]:
    rng = fuzzer.random
    paths = [str(scratch / "fifo.yaml"), "x" * 300, str(scratch / ("y" * 300)), "", str(scratch), "/dev/null",
             str(scratch / "missing.yaml"), str(scratch / "case.yaml"), "-", str(scratch / "file" / "under"),
             str(scratch / f"out-{number}.md"), str(scratch / "exists.md"), str(scratch / "bad\x1b[2J.md")]
    command = rng.choice(["advise", "advise", "advise", "ask --replay", "history", "history show", "history export",
                          "history delete --yes", "rules check", "rules list", "explain", "causes"])
    args = command.split()
    if command in ("history show", "history delete --yes"):
        args.append(rng.choice(["1", "0", "-1", "99999999999999999999999", "9" * 5000, "x", "2"]))
    if command in ("ask --replay", "history export", "rules check"):
        args.append(rng.choice(paths))
    if command == "explain":
        args.append(rng.choice(["itb-syndrome", "nope", "\x1b[2J", ""]))
    if command in ("advise", "ask --replay"):
        for _ in range(rng.randint(0, 6)):
            fact = rng.choice(FACTS)
            if fact.kind is Kind.YES_NO:
                args.append(f"--{'no-' if rng.random() < 0.5 else ''}{fact.id.replace('_', '-')}")
            else:
                good = fuzzer.good_value(fact)
                good = ",".join(good) if isinstance(good, list) else str(good)
                args += [fact.flag, good if rng.random() < 0.9 else fuzzer.text()]
        if rng.random() < 0.8:
            args += ["--location", rng.choice(["knee", "calf", "heel.bottom"])]
        if rng.random() < 0.2:
            args += ["--case", rng.choice(paths)]
        if rng.random() < 0.3:
            args += ["-o", rng.choice(paths)] + (["--force"] if rng.random() < 0.3 else [])
    if command in ("advise", "ask --replay", "rules list", "explain", "causes") and rng.random() < 0.15:
        args += ["--rules", rng.choice(paths)]
    if command.startswith(("advise", "ask", "history")) and rng.random() < 0.3:
        args += ["--db", rng.choice(paths)]
    elif command.startswith(("advise", "ask")) and rng.random() < 0.5:
        args.append("--no-save")
    if command == "advise" and "--no-save" not in args and rng.random() < 0.5:
        args.append("--save")
    if rng.random() < 0.5:
        args += ["--format", rng.choice(["json", "text", "markdown", "xml", ""])]
    return [arg.replace("\x00", "") for arg in args]


def _argv_bytes(arg: str) -> bytes:
    """An argument as the bytes a shell would pass: a lone surrogate becomes bytes that are not UTF-8."""
    try:
        return arg.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        return arg.encode("utf-8", "surrogatepass")


def fuzz_cli(fuzzer: Fuzzer, count: int, scratch: Path, tally: Tally) -> None:
    script = Path(sys.executable).with_name("painadvisor")
    os.mkfifo(scratch / "fifo.yaml")
    (scratch / "case.yaml").write_text("location: calf\nrecent_immobility: true\n", encoding="utf-8")
    (scratch / "exists.md").write_text("mine\n", encoding="utf-8")
    (scratch / "file").write_text("a file", encoding="utf-8")
    env = {**os.environ, "HOME": str(scratch), "XDG_DATA_HOME": str(scratch / "data"),
           "XDG_CACHE_HOME": str(scratch / "cache"), "PAINADVISOR_DB": str(scratch / "history.db")}
    runs = [cli_args(fuzzer, scratch, number) for number in range(count)]

    def run(args: list[str]) -> tuple[list[str], int, str, str]:
        argv = [os.fsencode(script), *(_argv_bytes(arg) for arg in args)]
        try:
            done = subprocess.run(argv, capture_output=True, timeout=20, env=env,
                                  stdin=subprocess.DEVNULL, cwd=scratch)
        except subprocess.TimeoutExpired:
            return args, -1, "", "timed out (a hang)"
        return args, done.returncode, done.stdout.decode("utf-8", "replace"), done.stderr.decode("utf-8", "replace")

    with ThreadPoolExecutor(max_workers=2) as pool:
        for args, code, _stdout, stderr in pool.map(run, runs):
            tally.counts[f"cli exit {code}"] += 1
            bad_lines = [line for line in stderr.splitlines() if not line.startswith("painadvisor: ")]
            if code not in (0, 1, 2) or "Traceback" in stderr or bad_lines:
                tally.fail("cli run", f"{args!r} -> exit {code}\n{stderr[-800:]}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=None)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--packs", type=int, default=10_000)
    parser.add_argument("--cli", type=int, default=1_000)
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    print(f"seed {seed}: {args.cases} cases, {args.packs} packs, {args.cli} CLI runs", flush=True)
    tally = Tally()
    with tempfile.TemporaryDirectory() as scratch:
        os.environ.setdefault("PAINADVISOR_CACHE_DIR", str(Path(scratch) / "kb-cache"))
        for name, step, count in (("cases", fuzz_cases, args.cases), ("packs", fuzz_packs, args.packs),
                                  ("cli", fuzz_cli, args.cli)):
            folder = Path(scratch) / name
            folder.mkdir()
            started = time.monotonic()
            step(Fuzzer(seed), count, folder, tally)
            print(f"{name}: {count} in {time.monotonic() - started:.0f} s", flush=True)
    for key, value in sorted(tally.counts.items()):
        print(f"  {key}: {value}")
    for kind, details in tally.failures.items():
        print(f"\nFAILED: {kind} (first {len(details)}):")
        for detail in details:
            print("  " + detail.replace("\n", "\n  "))
    return 1 if tally.failures else 0


if __name__ == "__main__":
    sys.exit(main())
