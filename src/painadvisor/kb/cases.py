"""Reading a case: from a YAML or JSON file (or stdin) and from command-line flags."""

from __future__ import annotations

import re
import sys
from collections.abc import Mapping
from pathlib import Path

from painadvisor.errors import CaseError, PainAdvisorError
from painadvisor.kb.vocabulary import FACTS, FactValue, Kind, parse_case, parse_value

CASE_MAX_BYTES = 1024 * 1024
# A vignette file (as in shared/cases) holds the case under `case:` beside these keys.
VIGNETTE_KEYS = {"id", "story", "expect", "case", "source"}
# A lone surrogate: a byte that was not UTF-8 in a command-line argument, or a "\ud800" escape in
# JSON.  It cannot be stored or written as UTF-8, so it becomes the replacement character.
_SURROGATE = re.compile("[\ud800-\udfff]")


def read_case_file(name: str) -> dict[str, FactValue]:
    """Read a case file (``-`` for stdin); every problem is a one-line ``CaseError``."""
    if not name:
        raise CaseError("--case needs a file name ('-' reads standard input)")
    from painadvisor.files.reading import MAX_BYTES, decode, read_text  # only when a case file is given

    try:
        if name == "-":
            label = "<stdin>"
            text = decode(_read_stdin(CASE_MAX_BYTES + 1), label, max_bytes=CASE_MAX_BYTES)
        else:
            label = name
            text = read_text(Path(name), max_bytes=min(CASE_MAX_BYTES, MAX_BYTES))
        document = load_data(text, label)
    except PainAdvisorError as err:
        raise CaseError(err.message, path=err.path, line=err.line) from None
    if document is None:
        raise CaseError("the case file is empty", path=label)
    if not isinstance(document, Mapping):
        raise CaseError("a case file must be a mapping of facts, such as 'location: knee.outer'", path=label)
    if isinstance(document.get("case"), Mapping) and set(document) <= VIGNETTE_KEYS:
        document = document["case"]
    try:
        return valid_text(parse_case(document))
    except CaseError as err:
        line = document.line_of(_bad_key(document, err)) if hasattr(document, "line_of") else None
        raise CaseError(err.message, path=label, line=line) from None


def _read_stdin(limit: int) -> bytes:
    stream = getattr(sys.stdin, "buffer", None)  # None when standard input is closed (`<&-`)
    if stream is None:
        raise CaseError("standard input is closed; give a case file instead of '-'")
    try:
        return bytes(stream.read(limit))
    except (OSError, ValueError) as err:  # a closed or unreadable descriptor
        raise CaseError(f"cannot read standard input ({getattr(err, 'strerror', None) or err})") from None


def valid_text(case: dict[str, FactValue]) -> dict[str, FactValue]:
    """The case with any text that is not valid Unicode repaired (U+FFFD for each bad character),
    so it can always be stored and written as UTF-8: a bad byte never loses a consultation."""
    for fact_id, value in case.items():
        if isinstance(value, str) and _SURROGATE.search(value):
            case[fact_id] = _SURROGATE.sub("\ufffd", value)
    return case


def _bad_key(document: Mapping[str, object], err: CaseError) -> str:
    """The key an error is about, for its line number (the message starts with it)."""
    head = err.message.split(":", 1)[0]
    for key in document:
        if head == key or f"'{key}'" in err.message.split(";", 1)[0]:
            return str(key)
    return ""


def case_from_flags(values: Mapping[str, object]) -> dict[str, FactValue]:
    """Facts given as flags (None or empty means not given), checked like a case file."""
    case: dict[str, FactValue] = {}
    for fact in FACTS:
        raw = values.get(fact.id)
        if raw is None or raw == [] or raw == ():
            continue
        if fact.kind is Kind.MANY and isinstance(raw, list | tuple):
            if any(not str(item).strip(" ,") for item in raw):  # `--when ''` says nothing: an error, not "none"
                raise CaseError(f"{fact.flag}: an empty value is not allowed; allowed: {', '.join(fact.values)}")
            raw = [part.strip() for item in raw for part in str(item).split(",") if part.strip()]
        case[fact.id] = parse_value(fact, raw, name=fact.flag)
    return valid_text(case)


def merge(file_case: Mapping[str, FactValue], flag_case: Mapping[str, FactValue]) -> dict[str, FactValue]:
    """Flags override the file, fact by fact; the result keeps vocabulary order."""
    merged = {**file_case, **flag_case}
    return {fact.id: merged[fact.id] for fact in FACTS if fact.id in merged}


def load_data(text: str, name: str) -> object:
    """JSON when the text is a JSON object or array, YAML otherwise: PyYAML is imported only for
    YAML beyond the plain ``fact: value`` lines most case files are."""
    if name.lower().endswith(".json") or text.lstrip().startswith(("{", "[")):
        from painadvisor.files.reading import load_json

        return load_json(text, name)
    from painadvisor.files.caseyaml import read_simple_case

    simple = read_simple_case(text)
    if simple is not None:
        return simple
    from painadvisor.files.safeyaml import load_yaml

    return load_yaml(text, name)
