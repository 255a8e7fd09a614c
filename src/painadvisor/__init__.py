"""painadvisor: a command-line advisor for runners in pain, and the library behind it.

``load_rules``, ``advise`` and ``advise_many`` are the public API (see ``painadvisor.api``);
they are imported on first use, so ``import painadvisor`` stays cheap for the CLI.
"""

from typing import Any

from painadvisor.version import __version__ as __version__

__all__ = ["Advice", "CaseError", "advise", "advise_many", "load_rules"]


def __getattr__(name: str) -> Any:
    if name in ("advise", "advise_many", "load_rules", "Advice"):
        from painadvisor import api

        return getattr(api, name)
    if name == "CaseError":
        from painadvisor.errors import CaseError

        return CaseError
    raise AttributeError(f"module 'painadvisor' has no attribute {name!r}")
