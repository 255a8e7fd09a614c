"""The library API and batch mode: the same advice as the command line, without a process each."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from typer.testing import CliRunner

import painadvisor
from painadvisor.cli.app import app

KNEE = {"location": "knee.outer", "when": ["after-distance"], "worse_with": ["downhill"]}
CASES = [KNEE, {"location": "calf", "recent_immobility": True}, {"location": "heel.bottom", "age": 44},
         {"location": "knee", "age": 12, "signs": ["limp"]}]


def cli_json(runner: CliRunner, case: dict[str, object], tmp_path: Path) -> dict[str, object]:
    path = tmp_path / "case.json"
    path.write_text(json.dumps(case))
    result = runner.invoke(app, ["advise", "--case", str(path), "--format", "json", "--no-save"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_the_readme_one_liner_works() -> None:
    code = ("import painadvisor; a = painadvisor.advise({'location': 'knee.outer', 'when': ['after-distance']}); "
            "print(a.to_dict()['causes'][0]['id'])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "itb-syndrome\n"


@pytest.mark.parametrize("case", CASES, ids=["knee", "calf-after-flight", "heel", "limping-child"])
def test_the_api_gives_the_cli_json(runner: CliRunner, tmp_path: Path, case: dict[str, object]) -> None:
    assert painadvisor.advise(case).to_dict() == cli_json(runner, case, tmp_path)


def test_advise_many_loads_the_rules_once_and_keeps_order() -> None:
    rules = painadvisor.load_rules()
    advices = list(painadvisor.advise_many(CASES, rules))
    assert [advice.case["location"] for advice in advices] == [case["location"] for case in CASES]
    assert advices[1].triage == "emergency"


def test_a_wrong_value_raises_a_case_error_naming_it() -> None:
    with pytest.raises(painadvisor.CaseError, match="location: 'kne' is not an allowed value"):
        painadvisor.advise({"location": "kne"})


def test_batch_gives_line_for_line_the_json_of_single_calls(runner: CliRunner, tmp_path: Path) -> None:
    lines = tmp_path / "cases.jsonl"
    lines.write_text("\n".join(json.dumps(case) for case in CASES) + "\n")
    result = runner.invoke(app, ["advise", "--batch", str(lines)])
    assert result.exit_code == 0, result.output
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert out == [cli_json(runner, case, tmp_path) for case in CASES]


def test_batch_goes_on_past_a_bad_line_and_exits_1(runner: CliRunner, tmp_path: Path) -> None:
    vignette = tmp_path / "v.yaml"
    vignette.write_text("id: x\nstory: s\ncase:\n  location: achilles\nexpect:\n  cause: doms\n")
    lines = tmp_path / "cases.jsonl"
    lines.write_text(f'{{"location": "calf"}}\nnot json\n{{"location": "kne"}}\n\n{json.dumps(str(vignette))}\n')
    result = runner.invoke(app, ["advise", "--batch", str(lines)])
    assert result.exit_code == 1
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [item.get("line") for item in out] == [None, 2, 3, None]
    assert "not an allowed value" in out[2]["error"] and out[3]["case"] == {"location": "achilles"}


def test_batch_never_writes_the_history(runner: CliRunner, tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    lines = tmp_path / "cases.jsonl"
    lines.write_text(json.dumps(KNEE) + "\n")
    result = runner.invoke(app, ["advise", "--batch", str(lines), "--db", str(db)])
    assert result.exit_code == 0 and not db.exists()


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_memory_stays_flat_in_the_number_of_cases(tmp_path: Path, workers: int) -> None:
    from painadvisor.cli import batch

    rules = painadvisor.load_rules()

    def peak(count: int) -> int:
        sink = open(tmp_path / "out.jsonl", "w")  # noqa: SIM115
        tracemalloc.start()
        batch.run((json.dumps(CASES[index % 4]) for index in range(count)), sink, rules, workers=workers)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        sink.close()
        return top

    size = 20 if workers == 1 else 2 * batch.CHUNK
    small, large = peak(size), peak(size * 3)
    assert large < small * 1.5  # three times the cases, not three times the memory


def test_a_large_document_is_written_compact_and_reads_back_the_same() -> None:
    import json

    from painadvisor.render.json import INDENTED_UP_TO, dump

    small = {"causes": [{"id": "a"}] * 3}
    large = {"causes": [{"id": "a", "score": 0.5}] * (INDENTED_UP_TO + 1)}
    assert "\n  " in dump(small) and json.loads(dump(small)) == small
    assert dump(large).count("\n") == 1 and json.loads(dump(large)) == large


def _mixed_lines(count: int) -> list[str]:
    lines = [json.dumps({**CASES[index % 4], "duration_days": index % 60}) for index in range(count)]
    lines[7] = "not json"
    lines[60] = ""
    lines[61] = json.dumps({"location": "nowhere"})
    lines[130] = json.dumps("/no/such/case.yaml")
    return lines


def test_a_batch_shared_among_workers_is_line_for_line_the_batch_done_alone() -> None:
    from painadvisor.cli import batch

    rules = painadvisor.load_rules()
    outputs = []
    for workers in (1, 2, 3):
        sink = io.StringIO()
        failed = batch.run(iter(_mixed_lines(5 * batch.CHUNK + 7)), sink, rules, workers=workers)
        outputs.append((failed, sink.getvalue()))
    assert outputs[0][0] == 3 and outputs[1] == outputs[0] and outputs[2] == outputs[0]
    assert [json.loads(line).get("line") for line in outputs[0][1].splitlines()].count(None) == 5 * batch.CHUNK + 3


def test_a_worker_that_dies_has_its_chunks_done_by_the_batch_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    from painadvisor.cli import batch

    rules = painadvisor.load_rules()
    alone = io.StringIO()
    batch.run(iter(_mixed_lines(4 * batch.CHUNK)), alone, rules, workers=1)
    monkeypatch.setattr(batch._Workers, "_serve", lambda self, inbox, outbox: os._exit(3))
    shared = io.StringIO()
    batch.run(iter(_mixed_lines(4 * batch.CHUNK)), shared, rules, workers=2)
    assert shared.getvalue() == alone.getvalue()


def test_a_lone_surrogate_in_a_batch_line_is_repaired_not_fatal() -> None:
    from painadvisor.cli import batch

    sink = io.StringIO()
    lines = [json.dumps({**KNEE, "note": "a\ud800b"}), json.dumps(KNEE)]
    assert batch.run(iter(lines), sink, painadvisor.load_rules(), workers=1) == 0
    first, second = sink.getvalue().splitlines()
    assert json.loads(first)["case"]["note"] == "a\ufffdb" and json.loads(second)["case"]["location"]
    sink.getvalue().encode("utf-8")  # writable as UTF-8


def test_a_batch_written_to_a_file_is_streamed_and_the_same_as_on_screen(tmp_path: Path, runner: CliRunner) -> None:
    from painadvisor.cli import actions

    lines = tmp_path / "cases.jsonl"
    lines.write_text("".join(json.dumps(CASES[index % 4]) + "\n" for index in range(60)), encoding="utf-8")
    shown = runner.invoke(app, ["advise", "--batch", str(lines)])
    written = runner.invoke(app, ["advise", "--batch", str(lines), "-o", str(tmp_path / "out.jsonl")])
    assert shown.exit_code == written.exit_code == 0
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == shown.stdout

    def peak(count: int) -> int:
        source = tmp_path / f"cases-{count}.jsonl"
        source.write_text("".join(json.dumps(CASES[index % 4]) + "\n" for index in range(count)), encoding="utf-8")
        tracemalloc.start()
        actions.batch(str(source), {}, tmp_path / f"out-{count}.jsonl", force=False)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    assert peak(60) < peak(20) * 1.5  # three times the cases, not three times the memory
