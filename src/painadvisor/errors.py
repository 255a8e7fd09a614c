"""One error root.  The CLI maps it to an exit code in exactly one place.

Messages never carry a traceback or the runner's health data beyond the value
that was wrong.
"""

from __future__ import annotations

import os
import re
import sys

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# Terminal escape sequences (7-bit and 8-bit): CSI ... final byte; OSC, DCS, SOS, PM and APC strings
# up to their terminator (BEL or ST); any other two-character ESC sequence.  Patterns are compiled
# (and cached by ``re``) when first needed: most runs never meet a control character.
_ESCAPE_SEQUENCE = (
    r"(?:\x1b\[|\x9b)[\x20-\x3f]*[\x40-\x7e]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[\x20-\x2f]*[\x30-\x7e]?")
# C0 and C1 controls, DEL, lone surrogates, and the bidirectional overrides that reorder what is shown.
_CONTROLS = r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
_CONTROLS_BUT_WHITESPACE = r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"


def strip_controls(text: str, *, keep_whitespace: bool = False) -> str:
    """``text`` without terminal escape sequences or any other C0 or C1 control character (or lone
    surrogate, which cannot be written as UTF-8): what is left can style, move or hide nothing.
    ``keep_whitespace`` keeps tabs, newlines and the like, for text that is then re-spaced."""
    if text.isprintable():  # the usual case: nothing to do
        return text
    text = re.sub(_ESCAPE_SEQUENCE, "", text)
    return re.sub(_CONTROLS_BUT_WHITESPACE if keep_whitespace else _CONTROLS, "", text)


def printable(text: str) -> str:
    """A value quoted in a one-line message: each control character (ESC too) becomes '?'."""
    return text if text.isprintable() else re.sub(_CONTROLS, "?", text)


class PainAdvisorError(Exception):
    """Something the user can fix; ``str(error)`` is the whole one-line message."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = printable(path) if path is not None else None  # a file name can hold anything
        self.line = line

    def __str__(self) -> str:
        where = self.path or ""
        if self.path and self.line:
            where += f":{self.line}"
        return f"{where}: {self.message}" if where else self.message


class UsageError(PainAdvisorError):
    """The command was used in a way that cannot work (exit code 2)."""

    exit_code = EXIT_USAGE


class CaseError(UsageError):
    """The case given (flags, case file or its contents) is not usable."""


class RuleError(PainAdvisorError):
    """The knowledge base is broken.  Carries every problem found, one per line."""

    def __init__(self, problems: list[str]) -> None:
        problems = [printable(problem) for problem in problems]  # they quote what the rule file says
        super().__init__("\n".join(problems))
        self.problems = problems


class OutputError(PainAdvisorError):
    """The result could not be written where the user asked."""


def fail(message: str, code: int) -> int:
    """Report an error on stderr, one line per problem, and return its exit code."""
    first, *rest = [printable(line) for line in message.split("\n")] or [""]
    sys.stderr.write(f"painadvisor: {first}\n")
    for line in rest:  # a broken knowledge base lists every problem, one per line
        sys.stderr.write(f"painadvisor: {line}\n")
    return code


def quiet_broken_pipe() -> int:
    """The reader went away (``| head``): stop quietly, as other command-line tools do."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return 141  # 128 + SIGPIPE
