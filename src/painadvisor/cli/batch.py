"""Batch mode: one case per line in, one advice per line out, for scripts.

Each input line is a JSON object of facts (a case), a vignette object with the facts
under ``case``, or a JSON string naming a case or vignette file (YAML or JSON).  Each
output line is the advice as compact JSON, exactly the document ``advise --format
json`` gives for that case, or ``{"line": N, "error": "..."}`` for a line that could not
be read; the batch goes on past it.  Lines are read and written one at a time, so memory
stays flat however many cases there are.  The history is never read or written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, TextIO

from painadvisor.errors import PainAdvisorError
from painadvisor.kb.models import KnowledgeBase
from painadvisor.kb.vocabulary import FactValue


def advise_lines(lines: Iterable[str], kb: KnowledgeBase,
                 overrides: Mapping[str, FactValue] | None = None) -> Iterator[tuple[str, bool]]:
    """(output line, ok) for each non-blank input line, in order."""
    from painadvisor.engine.advice import evaluate, require_enough
    from painadvisor.kb.cases import merge
    from painadvisor.render.json import advice_to_dict

    for number, line in enumerate(lines, start=1):
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
    from painadvisor.kb.cases import VIGNETTE_KEYS, read_case_file
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
    return parse_case(item)


def run(stream: TextIO, out: TextIO, kb: KnowledgeBase, overrides: Mapping[str, FactValue] | None = None) -> int:
    """Advise on every line of ``stream``; the number of lines that failed."""
    failed = 0
    for text, ok in advise_lines(stream, kb, overrides):
        out.write(text + "\n")
        failed += not ok
    out.flush()
    return failed
