"""Batch mode: one case per line in, one advice per line out, for scripts.

Each input line is a JSON object of facts (a case), a vignette object with the facts
under ``case``, or a JSON string naming a case or vignette file (YAML or JSON).  Each
output line is the advice as compact JSON, exactly the document ``advise --format
json`` gives for that case, or ``{"line": N, "error": "..."}`` for a line that could not
be read; the batch goes on past it.  Lines are read and written a chunk at a time, so memory
stays flat however many cases there are.  The history is never read or written.

Where the system can fork, a batch of more than one chunk is shared among worker processes
(one per core, at most four), each a copy of this one with the rules already loaded.  Chunk
``k`` goes to worker ``k % n`` and its output is read back in turn, so the output keeps the
input's order; only text crosses the pipes (no pickle), and at most one chunk per worker is
in flight.  A worker that fails has its chunk done again here, in this process.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain, islice
from typing import Any, TextIO

from painadvisor.errors import PainAdvisorError
from painadvisor.kb.models import KnowledgeBase
from painadvisor.kb.vocabulary import FactValue

CHUNK = 50  # lines sent to a worker at a time
MAX_WORKERS = 4


def advise_lines(lines: Iterable[str], kb: KnowledgeBase, overrides: Mapping[str, FactValue] | None = None, *,
                 first: int = 1) -> Iterator[tuple[str, bool]]:
    """(output line, ok) for each non-blank input line, in order; ``first`` numbers the first line."""
    from painadvisor.engine.advice import evaluate, require_enough
    from painadvisor.kb.cases import merge
    from painadvisor.render.json import advice_to_dict

    for number, line in enumerate(lines, start=first):
        if not line.strip():
            continue
        try:
            case = merge(_case_of(line), overrides or {})
            require_enough(kb, case)
            document: dict[str, Any] = advice_to_dict(evaluate(kb, case), kb)
            yield json.dumps(document, ensure_ascii=False, separators=(",", ":")), True
        except PainAdvisorError as err:
            yield json.dumps({"line": number, "error": str(err)}, ensure_ascii=False, separators=(",", ":")), False


def _case_of(line: str) -> dict[str, FactValue]:
    from painadvisor.errors import CaseError
    from painadvisor.kb.cases import VIGNETTE_KEYS, read_case_file, valid_text
    from painadvisor.kb.vocabulary import parse_case

    try:
        item = json.loads(line)
    except (json.JSONDecodeError, RecursionError) as err:
        raise CaseError(f"not a JSON case: {getattr(err, 'msg', 'too deeply nested')}") from None
    if isinstance(item, str):
        return read_case_file(item) if item != "-" else parse_case({})
    if not isinstance(item, dict):
        raise CaseError("each line must be a JSON object of facts, or a JSON string naming a case file")
    if isinstance(item.get("case"), dict) and set(item) <= VIGNETTE_KEYS:
        item = item["case"]
    return valid_text(parse_case(item))  # a "\ud800" escape in a note becomes U+FFFD, as for a case file


def run(stream: Iterable[str], out: TextIO, kb: KnowledgeBase, overrides: Mapping[str, FactValue] | None = None,
        *, workers: int | None = None) -> int:
    """Advise on every line of ``stream``; the number of lines that failed."""
    failed = 0
    for text, ok in advise_all(stream, kb, overrides, workers=workers):
        out.write(text + "\n")
        failed += not ok
    out.flush()
    return failed


def default_workers() -> int:
    if not hasattr(os, "fork"):
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    return max(1, min(cores, MAX_WORKERS))


def _chunks(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """(number of the first line, lines) for each run of ``CHUNK`` lines."""
    chunk: list[str] = []
    first = 1
    for number, line in enumerate(lines, start=1):
        if not chunk:
            first = number
        chunk.append(line.rstrip("\n"))
        if len(chunk) == CHUNK:
            yield first, chunk
            chunk = []
    if chunk:
        yield first, chunk


def advise_all(lines: Iterable[str], kb: KnowledgeBase, overrides: Mapping[str, FactValue] | None = None, *,
               workers: int | None = None) -> Iterator[tuple[str, bool]]:
    """``advise_lines`` over every line, shared among worker processes when there is enough to share."""
    workers = default_workers() if workers is None else workers
    chunks = _chunks(lines)
    opening = list(islice(chunks, 2))
    every = chain(opening, chunks)
    if workers <= 1 or len(opening) < 2:  # a small batch: not worth a process
        for first, chunk in every:
            yield from advise_lines(chunk, kb, overrides, first=first)
        return
    yield from _Workers(kb, overrides, workers).run(every)


class _Workers:
    """Forked copies of this process, each advising on the chunks it is sent."""

    def __init__(self, kb: KnowledgeBase, overrides: Mapping[str, FactValue] | None, count: int) -> None:
        self.kb, self.overrides = kb, overrides
        self.pipes: list[tuple[int, Any, Any] | None] = []  # (pid, to worker, from worker)
        for _ in range(count):
            self.pipes.append(self._start())

    def _start(self) -> tuple[int, Any, Any] | None:
        try:
            down_read, down_write = os.pipe()
            up_read, up_write = os.pipe()
            pid = os.fork()
        except OSError:
            return None  # no worker: its chunks are done here
        if pid == 0:  # the worker
            import signal

            for number in (signal.SIGTERM, getattr(signal, "SIGHUP", signal.SIGTERM)):
                signal.signal(number, signal.SIG_DFL)  # the parent's handlers tidy the parent's files
            os.close(down_write)
            os.close(up_read)
            for other in self.pipes:  # the parent's ends of earlier workers' pipes: theirs to close
                if other is not None:
                    other[1].close()
                    other[2].close()
            code = 0
            try:
                self._serve(os.fdopen(down_read, "rb"), os.fdopen(up_write, "wb"))
            except BaseException:  # noqa: BLE001 - the parent does the chunk itself
                code = 1
            os._exit(code)
        os.close(down_read)
        os.close(up_write)
        return pid, os.fdopen(down_write, "wb"), os.fdopen(up_read, "rb")

    def _serve(self, inbox: Any, outbox: Any) -> None:
        while True:
            header = inbox.readline()
            if not header:
                return
            first, size = (int(part) for part in header.split())
            chunk = inbox.read(size).decode("utf-8", "surrogatepass").split("\n")
            results = list(advise_lines(chunk, self.kb, self.overrides, first=first))
            body = "\n".join(("1" if ok else "0") + text for text, ok in results).encode("utf-8", "surrogatepass")
            outbox.write(f"{len(results)} {len(body)}\n".encode() + body)
            outbox.flush()

    def run(self, chunks: Iterator[tuple[int, list[str]]]) -> Iterator[tuple[str, bool]]:
        sent: list[tuple[int, list[str]] | None] = [None] * len(self.pipes)
        try:
            for index in range(len(self.pipes)):
                sent[index] = self._send(index, next(chunks, None))
            index = 0
            while any(item is not None for item in sent):
                if sent[index] is not None:
                    yield from self._receive(index, sent[index])  # type: ignore[arg-type]
                    sent[index] = self._send(index, next(chunks, None))
                index = (index + 1) % len(self.pipes)
        finally:
            self._stop()

    def _send(self, index: int, chunk: tuple[int, list[str]] | None) -> tuple[int, list[str]] | None:
        pipe = self.pipes[index]
        if chunk is None or pipe is None:
            return chunk
        body = "\n".join(chunk[1]).encode("utf-8", "surrogatepass")
        try:
            pipe[1].write(f"{chunk[0]} {len(body)}\n".encode() + body)
            pipe[1].flush()
        except OSError:
            self._drop(index)
        return chunk

    def _receive(self, index: int, chunk: tuple[int, list[str]]) -> Iterator[tuple[str, bool]]:
        pipe = self.pipes[index]
        results: list[tuple[str, bool]] | None = None
        if pipe is not None:
            try:
                header = pipe[2].readline().split()
                count, size = int(header[0]), int(header[1])
                body = pipe[2].read(size).decode("utf-8", "surrogatepass")
                results = [(line[1:], line[0] == "1") for line in body.split("\n")] if count else []
                if len(results) != count:
                    results = None
            except (OSError, ValueError, IndexError):
                results = None
            if results is None:
                self._drop(index)
        if results is None:  # the worker failed: this process does the chunk
            results = list(advise_lines(chunk[1], self.kb, self.overrides, first=chunk[0]))
        yield from results

    def _drop(self, index: int) -> None:
        pipe = self.pipes[index]
        self.pipes[index] = None
        if pipe is not None:
            self._end(pipe)

    def _stop(self) -> None:
        for index in range(len(self.pipes)):
            self._drop(index)

    @staticmethod
    def _end(pipe: tuple[int, Any, Any]) -> None:
        pid, to_worker, from_worker = pipe
        for stream in (to_worker, from_worker):
            try:
                stream.close()
            except OSError:
                pass
        try:
            os.waitpid(pid, 0)
        except (OSError, ChildProcessError):
            pass
