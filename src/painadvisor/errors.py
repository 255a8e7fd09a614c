"""One error root.  The CLI maps it to an exit code in exactly one place.

Messages never carry a traceback or the runner's health data beyond the value
that was wrong.
"""

from __future__ import annotations

import sys

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class PainAdvisorError(Exception):
    """Something the user can fix; ``str(error)`` is the whole one-line message."""

    exit_code = EXIT_FAILURE

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
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
        super().__init__("\n".join(problems))
        self.problems = problems


class OutputError(PainAdvisorError):
    """The result could not be written where the user asked."""


def fail(message: str, code: int) -> int:
    """Report an error on stderr, one line per problem, and return its exit code."""
    first, *rest = message.splitlines() or [""]
    sys.stderr.write(f"painadvisor: {first}\n")
    for line in rest:  # a broken knowledge base lists every problem, one per line
        sys.stderr.write(f"painadvisor: {line}\n")
    return code
