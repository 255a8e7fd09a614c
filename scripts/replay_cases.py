#!/usr/bin/env python3
"""Replay every case vignette through the interactive consultation and print three figures.

For each vignette this runs the installed CLI twice,

    painadvisor ask --replay <case> --format json
    painadvisor advise --case <case> --format json

and reports the median number of questions the consultation asked, whether every
required red flag was still raised with no under-triage, and how often the top cause
after the consultation equals the top cause from the whole case.

    python scripts/replay_cases.py [CASES_DIR] [--cmd PATH_TO_PAINADVISOR]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

LEVELS = {"self-care": 0, "see-doctor": 1, "urgent": 2, "emergency": 3}
HERE = Path(__file__).resolve().parent


def run(cmd: str, *args: str) -> dict:
    with tempfile.TemporaryDirectory() as home:
        result = subprocess.run([cmd, *args, "--format", "json"], capture_output=True, text=True, timeout=60,
                                stdin=subprocess.DEVNULL, env={"HOME": home, "PATH": "/usr/bin:/bin"})
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: exit {result.returncode}: {result.stderr.strip()}")
    return json.loads(result.stdout)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", default=str(HERE.parent.parent / "shared" / "cases"))
    parser.add_argument("--cmd", default=str(Path(sys.executable).with_name("painadvisor")))
    args = parser.parse_args()
    files = sorted(Path(args.cases).glob("*.yaml"))
    if not files:
        print(f"no *.yaml vignettes in {args.cases}", file=sys.stderr)
        return 2
    counts, same, misses = [], 0, []
    with tempfile.TemporaryDirectory() as scratch:
        for path in files:
            vignette = yaml.safe_load(path.read_text())
            case_file = Path(scratch) / "case.yaml"
            case_file.write_text(yaml.safe_dump(vignette["case"]))
            replayed = run(args.cmd, "ask", "--replay", str(case_file))
            whole = run(args.cmd, "advise", "--case", str(case_file))
            expect = vignette["expect"]
            counts.append(replayed["questions_count"])
            same += replayed["causes"][0]["id"] == whole["causes"][0]["id"]
            raised = {flag["id"] for flag in replayed["red_flags"]}
            if not set(expect.get("red_flags", [])) <= raised or LEVELS[replayed["triage"]] < LEVELS[expect["triage"]]:
                misses.append(path.name)
    print(f"cases {len(files)}")
    print(f"median questions asked: {statistics.median(counts):g} (max {max(counts)})")
    print(f"red flags and triage after replay: {len(files) - len(misses)}/{len(files)} cases complete"
          + (f"; missed in {', '.join(misses)}" if misses else ""))
    print(f"same top cause as the whole case: {100 * same / len(files):.0f}%")
    return 0 if not misses else 1


if __name__ == "__main__":
    sys.exit(main())
