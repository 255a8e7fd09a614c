"""Issue 15: nothing a file or a keyboard can do produces a traceback, hangs, loses a consultation
or overwrites a file it should not.  Each test reproduces one reported defect."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from painadvisor.cli.app import app
from painadvisor.errors import EXIT_USAGE, OutputError
from painadvisor.files import output
from painadvisor.history import store as history
from painadvisor.history.store import History, HistoryError, HistoryInputError

SCRIPT = Path(sys.executable).with_name("painadvisor")
LONG = "x" * 300  # over the 255 bytes a file name may have
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
KNEE = ["--location", "knee.outer", "--worse-with", "downhill"]


def invoke(*args: str | Path, stdin: str | None = None) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args], input=stdin)


def one_line(result: Result | subprocess.CompletedProcess[str], code: int = EXIT_USAGE) -> str:
    """The run ended with ``code`` and exactly one line on stderr, never a traceback."""
    exit_code = result.exit_code if isinstance(result, Result) else result.returncode
    stderr = result.stderr
    assert exit_code == code, (exit_code, stderr)
    assert "Traceback" not in stderr and "Traceback" not in result.stdout
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("painadvisor: "), stderr
    if isinstance(result, Result):
        assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    return lines[0]


def script(*args: str | Path, timeout: float = 30, **kwargs: object) -> subprocess.CompletedProcess[str]:
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          **kwargs)  # type: ignore[call-overload]


# --- YAML tags, huge numbers ------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    pytest.param("severity: !!int abc\n", "'abc' is not a valid int", id="int-tag"),
    pytest.param("severity: !!float x\n", "'x' is not a valid float", id="float-tag"),
    pytest.param("pop: !!bool maybe\n", "'maybe' is not a valid bool", id="bool-tag"),
    pytest.param("severity: " + "1" * 5000 + "\n", "a number has more than 4300 digits", id="yaml-5000-digits"),
    pytest.param("severity: 0x" + "f" * 5000 + "\n", "a number is too large", id="yaml-huge-hex"),
])
def test_bad_scalars_in_a_case_file_are_one_line_errors(tmp_path: Path, text: str, message: str) -> None:
    case = tmp_path / "case.yaml"
    case.write_text("location: knee\n" + text, encoding="utf-8")
    assert one_line(invoke("advise", "--case", case, "--no-save")) == f"painadvisor: {case}:2: {message}"


def test_a_json_number_over_4300_digits_is_a_one_line_error(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text('{"location": "knee", "severity": ' + "9" * 5000 + "}", encoding="utf-8")
    assert one_line(invoke("advise", "--case", case, "--no-save")) == (
        f"painadvisor: {case}: invalid JSON: a number has more than 4300 digits")


def test_bad_scalars_in_a_rule_pack_are_located_rule_problems(tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text("sources:\n  - {id: doe2020, authors: Doe, year: !!int twenty, title: T, published: P}\n",
                    encoding="utf-8")
    result = invoke("rules", "check", pack)
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.stdout.splitlines()[0] == f"{pack}:2: 'twenty' is not a valid int"


# --- paths that cannot be read ----------------------------------------------------------

@pytest.mark.parametrize("args", [
    pytest.param(["advise", "--no-save", "--case", LONG], id="case"),
    pytest.param(["ask", "--no-save", "--replay", LONG], id="replay"),
    pytest.param(["advise", "--no-save", *KNEE, "--rules", LONG], id="rules"),
    pytest.param(["advise", "--no-save", *KNEE, "-o", LONG], id="output"),
    pytest.param(["history", "--db", LONG + "/history.db"], id="db-folder"),
])
def test_a_name_too_long_is_a_one_line_error(args: list[str]) -> None:
    line = one_line(invoke(*args))
    assert "too long" in line


def test_history_show_of_an_id_beyond_sqlite_is_a_one_line_error(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    History(db).close()
    line = one_line(invoke("history", "show", "99999999999999999999999", "--db", db))
    assert line.startswith("painadvisor: no consultation with id 99999999999999999999999 (ids are whole numbers")
    with History(db) as store, pytest.raises(HistoryInputError):
        store.delete(2**64)


def test_a_history_path_that_cannot_exist_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / LONG / "history.db"
    with pytest.raises(HistoryInputError) as raised:
        History(path)
    assert raised.value.exit_code == EXIT_USAGE and "file name too long" in str(raised.value)
    with pytest.raises(HistoryInputError):
        history.exists(tmp_path / LONG)
    assert not history.exists(tmp_path / "missing.db")


def test_an_empty_case_file_name_is_an_error() -> None:
    from painadvisor.errors import CaseError
    from painadvisor.kb.cases import read_case_file

    with pytest.raises(CaseError, match="--case needs a file name"):
        read_case_file("")


def test_an_empty_rule_pack_name_is_an_error() -> None:
    from painadvisor.errors import UsageError
    from painadvisor.kb.loader import pack_paths

    with pytest.raises(UsageError, match="--rules needs a rule pack"):
        pack_paths([""])


@pytest.mark.parametrize("value", ["", " ", ","])
def test_an_empty_any_of_flag_is_an_error_on_both_paths(value: str) -> None:
    from painadvisor.cli.entry import run_fast

    line = one_line(invoke("advise", *KNEE, "--no-save", "--when", value))
    assert line.startswith("painadvisor: --when: an empty value is not allowed; allowed: start-of-run, ")
    assert run_fast(["advise", *KNEE, "--no-save", "--when", value]) == EXIT_USAGE


def test_an_empty_case_flag_is_a_one_line_error() -> None:
    assert "--case needs a file name" in one_line(invoke("advise", *KNEE, "--no-save", "--case", ""))


def test_an_empty_rules_flag_is_a_one_line_error() -> None:
    assert "--rules needs a rule pack" in one_line(invoke("advise", *KNEE, "--no-save", "--rules", ""))


def test_output_exists_never_raises(tmp_path: Path) -> None:
    (tmp_path / "there").write_text("x", encoding="utf-8")
    (tmp_path / "dangling").symlink_to(tmp_path / "nowhere")
    assert output.exists(tmp_path / "there") and output.exists(tmp_path / "dangling")
    assert not output.exists(tmp_path / LONG) and not output.exists(Path("a\x00b"))


def test_a_closed_stdin_is_a_one_line_error_for_case_dash() -> None:
    result = script("advise", "--no-save", "--case", "-", stdin=None, close_fds=True,
                    preexec_fn=lambda: os.close(0))
    one_line(result)
    assert "standard input is closed" in result.stderr


def test_ask_with_stdin_closed_is_a_one_line_error() -> None:
    one_line(script("ask", "--no-save", stdin=None, preexec_fn=lambda: os.close(0)))


def test_a_db_name_too_long_still_gives_the_advice_then_one_line() -> None:
    result = invoke("advise", *KNEE, "--format", "json", "--save", "--db", LONG)
    assert json.loads(result.stdout)["causes"]
    one_line(result)


# --- FIFOs never block ----------------------------------------------------------------

@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.yaml"
    os.mkfifo(path)
    return path


def test_a_fifo_as_case_file_is_refused_at_once(fifo: Path) -> None:
    started = time.monotonic()
    result = script("advise", "--no-save", "--case", fifo, timeout=10)
    assert time.monotonic() - started < 5  # a fresh interpreter's start-up included; the refusal is instant
    assert one_line(result) == f"painadvisor: {fifo}: cannot read: not a regular file (a FIFO, socket or device)"


def test_a_fifo_in_a_pack_folder_is_a_rule_problem_at_once(fifo: Path) -> None:
    started = time.monotonic()
    result = invoke("rules", "check", fifo.parent)
    assert time.monotonic() - started < 1
    assert result.exit_code == 1
    assert f"{fifo}: cannot read: not a regular file (a FIFO, socket or device)" in result.stdout


def test_a_fifo_given_as_a_pack_is_refused_at_once(fifo: Path) -> None:
    started = time.monotonic()
    line = one_line(invoke("advise", "--no-save", *KNEE, "--rules", fifo))
    assert time.monotonic() - started < 1 and "is not a file or folder" in line


def test_a_fifo_as_history_database_is_refused_at_once_and_the_advice_given(fifo: Path) -> None:
    started = time.monotonic()
    result = invoke("advise", *KNEE, "--format", "json", "--save", "--db", fifo)
    assert time.monotonic() - started < 1
    assert json.loads(result.stdout)["causes"]
    assert one_line(result, 1) == (f"painadvisor: the history path is not a regular file (a FIFO, socket or device);"
                                   f" left untouched: {fifo}")


def test_a_fifo_at_the_cache_path_does_not_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from painadvisor.kb import cache as kbcache
    from painadvisor.kb.loader import load_knowledge_base, pack_paths, rule_files

    monkeypatch.setenv("PAINADVISOR_CACHE_DIR", str(tmp_path / "cache"))
    where = kbcache.cache_path(rule_files(pack_paths()))
    assert where is not None
    where.parent.mkdir(mode=0o700)
    os.mkfifo(where, 0o600)
    started = time.monotonic()
    assert load_knowledge_base().causes
    assert time.monotonic() - started < 1


# --- -o: never over an existing file, nothing left behind ---------------------------------

def race(target: str, writer: int, rounds: int, barrier: object, results: object) -> None:
    for number in range(rounds):
        path = Path(target) / f"round-{number}.md"
        barrier.wait()  # type: ignore[attr-defined]
        try:
            output.write_atomically(path, f"writer {writer}\n")
            results.put((number, writer))  # type: ignore[attr-defined]
        except OutputError:
            pass


def test_eight_racing_writers_never_overwrite_without_force(tmp_path: Path) -> None:
    rounds, writers = 30, 8
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(writers), context.SimpleQueue()
    processes = [context.Process(target=race, args=(str(tmp_path), writer, rounds, barrier, results))
                 for writer in range(writers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    winners: dict[int, list[int]] = {}
    while not results.empty():
        number, writer = results.get()
        winners.setdefault(number, []).append(writer)
    assert sorted(winners) == list(range(rounds))
    for number, won in winners.items():
        assert len(won) == 1, f"round {number}: {len(won)} writers all 'succeeded'"
        assert (tmp_path / f"round-{number}.md").read_text(encoding="utf-8") == f"writer {won[0]}\n"
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(f"round-{n}.md" for n in range(rounds))


def test_force_replaces_and_a_private_file_stays_private(tmp_path: Path) -> None:
    target = tmp_path / "backup.jsonl"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(OutputError, match="file exists"):
        output.write_atomically(target, "new\n", private=True)
    output.write_atomically(target, "new\n", force=True, private=True)
    assert target.read_text(encoding="utf-8") == "new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert list(tmp_path.iterdir()) == [target]


def test_a_symlink_at_the_target_is_never_written_through(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep\n", encoding="utf-8")
    (tmp_path / "report.md").symlink_to(victim)
    with pytest.raises(OutputError, match="file exists"):
        output.write_atomically(tmp_path / "report.md", "new\n")
    assert victim.read_text(encoding="utf-8") == "keep\n"


SLOW_WRITER = """
import os, sys, time
from pathlib import Path
from painadvisor.files import output
real_fsync = os.fsync
def slow_fsync(descriptor):
    real_fsync(descriptor)
    print("writing", flush=True)
    time.sleep(30)
os.fsync = slow_fsync
output.write_atomically(Path(sys.argv[1]), "health data\\n")
"""


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_mid_write_leaves_no_temporary_file(tmp_path: Path, signum: int) -> None:
    target = tmp_path / "report.md"
    child = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(target)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    assert child.stdout is not None and child.stdout.readline() == "writing\n"
    assert [path.name for path in tmp_path.iterdir() if path.name.endswith(".tmp")]  # mid-write
    child.send_signal(signum)
    child.communicate(timeout=10)
    assert child.returncode != 0
    assert list(tmp_path.iterdir()) == []


def test_temporary_files_of_a_killed_writer_are_removed_by_the_next_run(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a process id that is no longer running
    stale = tmp_path / f".report.md{output.TEMP_MARK}{dead.pid}-abc123.tmp"
    fresh = tmp_path / f".other.md{output.TEMP_MARK}{dead.pid}-def456.tmp"  # too young to be judged
    alive = tmp_path / f".other.md{output.TEMP_MARK}{os.getpid()}-ghi789.tmp"  # its writer still runs
    mine = tmp_path / ".report.md.keep.tmp"  # not painadvisor's
    for path in (stale, fresh, alive, mine):
        path.write_text("health data\n", encoding="utf-8")
    an_hour_ago = time.time() - 3600
    for path in (stale, alive, mine):
        os.utime(path, (an_hour_ago, an_hour_ago))
    output.write_atomically(tmp_path / "report.md", "advice\n")
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(
        [fresh.name, alive.name, mine.name, "report.md"])


def test_the_output_is_always_valid_utf8(tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    output.write_atomically(target, "note: \udcff\n")
    assert target.read_bytes().decode("utf-8") == "note: \ufffd\n"


# --- a note that is not UTF-8 never loses the consultation -----------------------------

def test_a_note_that_is_not_utf8_is_kept_with_a_replacement_character(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    result = subprocess.run([os.fsencode(SCRIPT), b"advise", b"--location", b"knee.outer", b"--note",
                             b"genou \xff droit", b"--format", b"json", b"--save", b"--db", os.fsencode(db)],
                            capture_output=True, timeout=30, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    advice = json.loads(result.stdout.decode("utf-8"))  # strict: the bytes are valid UTF-8
    assert advice["case"]["note"] == "genou \ufffd droit"
    with History(db, create=False) as store:
        [record] = store.records()
    assert record.case["note"] == "genou \ufffd droit"


def test_a_lone_surrogate_in_a_json_case_file_is_repaired(tmp_path: Path) -> None:
    case = tmp_path / "case.json"
    case.write_text('{"location": "calf", "note": "a \\ud800 b"}', encoding="utf-8")
    db = tmp_path / "history.db"
    result = invoke("advise", "--case", case, "--format", "json", "--save", "--db", db)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["case"]["note"] == "a \ufffd b"
    with History(db, create=False) as store:
        assert store.records()[0].case["note"] == "a \ufffd b"


def test_saving_text_that_is_not_unicode_never_fails(tmp_path: Path) -> None:
    with History(tmp_path / "history.db") as store:
        record_id = store.save({"location": "calf", "note": "x \udcff"}, {"triage": "self-care"}, "1")
        assert store.get(record_id).case["note"] == "x \ufffd"


# --- a history that heals -----------------------------------------------------------------

def damage(db: Path, record_id: int, **columns: object) -> None:
    raw = sqlite3.connect(db)
    with raw:
        for column, value in columns.items():
            raw.execute(f"UPDATE consultations SET {column} = ? WHERE id = ?", (value, record_id))
    raw.close()


def test_one_damaged_row_blocks_neither_history_nor_export_nor_saving(tmp_path: Path) -> None:
    db = tmp_path / "history.db"
    for _ in range(3):
        assert invoke("advise", *KNEE, "--format", "json", "--save", "--db", db).exit_code == 0
    damage(db, 1, case_json="{not json")
    damage(db, 2, created="not a date", case_json=b"\xff\xfe not utf-8")
    listed = invoke("history", "--format", "json", "--db", db)
    assert listed.exit_code == 0 and [row["id"] for row in json.loads(listed.stdout)] == [3]
    assert listed.stderr == (f"painadvisor: skipped 2 damaged consultations (1, 2) in {db}; "
                             "'painadvisor history delete ID' removes one\n")
    again = invoke("advise", *KNEE, "--format", "json", "--save", "--db", db)  # the same place: reads the history
    assert again.exit_code == 0 and json.loads(again.stdout)["history"]["earlier"][0]["id"] == 3
    assert again.stderr.count("skipped 1 damaged") + again.stderr.count("skipped 2 damaged") == 1
    exported = tmp_path / "backup.jsonl"
    assert invoke("history", "export", exported, "--db", db).exit_code == 0
    assert [json.loads(line)["id"] for line in exported.read_text(encoding="utf-8").splitlines()] == [3, 4]
    shown = invoke("history", "show", "1", "--db", db)
    assert one_line(shown, 1) == f"painadvisor: consultation 1 is damaged: {db}"
    assert invoke("history", "delete", "1", "--yes", "--db", db).exit_code == 0


def test_a_history_file_others_can_read_is_made_private(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    db = folder / "history.db"
    History(db).close()
    db.chmod(0o644)
    folder.chmod(0o777)
    warnings: list[str] = []
    History(db, warn=warnings.append).close()
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert warnings == []


def test_a_shared_folder_is_reported_not_changed(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir()
    (folder / "someone-elses.txt").write_text("x", encoding="utf-8")
    folder.chmod(0o777)
    db = folder / "history.db"
    warnings: list[str] = []
    History(db, warn=warnings.append).close()
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777
    assert warnings == [f"the history is not private and could not be made so: its folder {folder} "
                        "can be written by others"]


def test_a_history_error_never_shows_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "bad\x1b[2Jname" / "history.db"
    path.parent.write_text("a file where a folder should be", encoding="utf-8")
    with pytest.raises(HistoryError) as raised:
        History(path)
    assert "\x1b" not in str(raised.value) and "?[2J" in str(raised.value)
