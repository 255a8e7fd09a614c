"""The public face of painadvisor: load the rules, advise on a case, advise on many.

The command line is one client of these functions; scripts can be another::

    import painadvisor

    advice = painadvisor.advise({"location": "knee.outer", "when": ["after-distance"]})
    print(advice.triage, advice.causes[0].cause.id)
    advice.to_dict()  # the same document as ``painadvisor advise --format json``

Cases are mappings of fact ids to values (``shared/intake.md``); they are checked like
a case file, so a wrong fact or value raises ``painadvisor.CaseError`` with a message
that names it.  Nothing here prints, reads or writes the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from painadvisor.kb.models import Advice as _Advice
from painadvisor.kb.models import KnowledgeBase


def load_rules(packs: Iterable[str | Path] = (), *, cache: bool = True) -> KnowledgeBase:
    """The built-in rules with ``packs`` (rule files or folders) on top, validated."""
    from painadvisor.kb.loader import load_knowledge_base

    return load_knowledge_base(packs=[Path(pack) for pack in packs], cache=cache)


@dataclass(frozen=True)
class Advice:
    """What painadvisor advises for one case: ``triage``, ``red_flags``, ``causes``, ``tips``...
    (the engine's result, see ``painadvisor.kb.models.Advice``), with its knowledge base."""

    result: _Advice
    rules: KnowledgeBase

    def __getattr__(self, name: str) -> Any:
        return getattr(self.result, name)

    def to_dict(self) -> dict[str, Any]:
        """The advice as the JSON document of ``painadvisor advise --format json``."""
        from painadvisor.render.json import advice_to_dict

        return advice_to_dict(self.result, self.rules)


def advise(case: Mapping[str, object], rules: KnowledgeBase | None = None) -> Advice:
    """Advice for one case (a mapping of fact ids to values, as in a case file)."""
    from painadvisor.engine.advice import evaluate
    from painadvisor.kb.vocabulary import parse_case

    kb = rules if rules is not None else load_rules()
    return Advice(evaluate(kb, parse_case(case)), kb)


def advise_many(cases: Iterable[Mapping[str, object]], rules: KnowledgeBase | None = None) -> Iterator[Advice]:
    """Advice for each case in turn, lazily (the rules are loaded once)."""
    kb = rules if rules is not None else load_rules()
    for case in cases:
        yield advise(case, kb)
