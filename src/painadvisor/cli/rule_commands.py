"""The commands about the knowledge base: check, list and test rule packs; explain a cause; list
the causes and the facts; print the JSON Schema.  Each runs from Typer or from the fast path."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from painadvisor.cli.optiontable import ListFormat, OutputFormat


def rules_check(packs: Sequence[Path | str], *, alone: bool) -> int:
    """Print every problem (exit 1, with a count) or a one-line summary (exit 0)."""
    from painadvisor.errors import RuleError, UsageError
    from painadvisor.kb import loader as knowledge

    if alone and any(not str(pack).strip() for pack in packs):
        raise UsageError("a rule pack must be a file or folder; '' is not one")
    try:
        paths = [Path(pack) for pack in packs] if alone else knowledge.pack_paths(packs)
        kb = knowledge.load_knowledge_base(paths, cache=False)
    except RuleError as err:
        for problem in err.problems:
            sys.stdout.write(problem + "\n")
        count = len(err.problems)
        sys.stdout.write(f"{count} problem{'s' if count != 1 else ''} found\n")
        return 1
    files = len(knowledge.rule_files(paths))
    for warning in knowledge.override_warnings(kb):
        sys.stdout.write(warning + "\n")
    sys.stdout.write(f"rules ok: {len(kb.causes)} causes, {len(kb.red_flags)} red flags, {len(kb.tips)} tips, "
                     f"{len(kb.questions)} questions, {len(kb.sources)} sources, {len(kb.examples)} examples "
                     f"in {files} file{'s' if files != 1 else ''}\n")
    return 0


def rules_list(packs: Sequence[Path | str]) -> None:
    from painadvisor.kb import loader as knowledge

    paths = knowledge.pack_paths(packs)
    kb = knowledge.load_knowledge_base(packs=packs)
    from painadvisor.errors import printable

    sys.stdout.write("packs, in load order:\n")
    for path in paths:
        sys.stdout.write(f"  {printable(str(path))}\n")
    for title, items in (("causes", kb.causes), ("red flags", kb.red_flags), ("tips", kb.tips),
                         ("questions", kb.questions), ("examples", kb.examples)):
        sys.stdout.write(f"{title} ({len(items)}):\n")
        for item in items:
            sys.stdout.write(f"  {item.id}  {printable(item.origin)}\n")


def rules_test(packs: Sequence[Path | str]) -> int:
    """Evaluate every example of the loaded packs; exit 1 when any fails."""
    from painadvisor.engine import advice as engine
    from painadvisor.kb import loader as knowledge
    from painadvisor.kb.models import triage_rank

    kb = knowledge.load_knowledge_base(packs=packs)
    failed = 0
    for example in kb.examples:
        advice = engine.evaluate(kb, example.case)
        top = advice.causes[0].cause.id
        raised = {raised.flag.id for raised in advice.red_flags}
        problems = []
        if top not in example.causes:
            problems.append(f"top cause {top}, expected {' or '.join(example.causes)}")
        if triage_rank(advice.triage) < triage_rank(example.triage):
            problems.append(f"triage {advice.triage}, expected at least {example.triage}")
        missing = [flag for flag in example.red_flags if flag not in raised]
        if missing:
            problems.append(f"red flags not raised: {', '.join(missing)}")
        if problems:
            failed += 1
            sys.stdout.write(f"FAIL {example.id} ({example.origin}): {'; '.join(problems)}\n")
    passed = len(kb.examples) - failed
    sys.stdout.write(f"examples: {passed} passed, {failed} failed\n")
    return 1 if failed else 0


def explain(cause_id: str, output_format: ListFormat, rules: Sequence[str]) -> None:
    """What a cause is, which facts raise or lower it and by how much, its red flags, tips and sources."""
    from painadvisor.errors import UsageError
    from painadvisor.kb import loader as knowledge
    from painadvisor.kb.vocabulary import suggest

    kb = knowledge.load_knowledge_base(packs=rules)
    known = [cause.id for cause in kb.causes]
    if cause_id not in known:
        raise UsageError(f"unknown cause '{cause_id}'{suggest(cause_id, known)}; see 'painadvisor causes'")
    cause = kb.cause(cause_id)
    if output_format is ListFormat.json:
        from painadvisor.render.json import dump, explanation_to_dict

        sys.stdout.write(dump(explanation_to_dict(cause, kb)))
        return
    from painadvisor.render.terminal import render_explanation, text_console

    render_explanation(cause, kb, text_console())


def causes(output_format: ListFormat, rules: Sequence[str]) -> None:
    """Every cause: id, name and body area."""
    from painadvisor.kb import loader as knowledge

    kb = knowledge.load_knowledge_base(packs=rules)
    if output_format is ListFormat.json:
        from painadvisor.render.json import causes_to_list, dump

        sys.stdout.write(dump(causes_to_list(kb)))
        return
    from painadvisor.render.terminal import render_cause_list, text_console

    render_cause_list(kb, text_console())


def facts(output_format: OutputFormat, rules: Sequence[str]) -> None:
    """The case vocabulary as text, JSON or a Markdown document."""
    from painadvisor.kb import loader as knowledge
    from painadvisor.render.vocabulary import fact_listing, render_facts_markdown, render_facts_text

    listing = fact_listing(knowledge.load_knowledge_base(packs=rules))
    if output_format is OutputFormat.json:
        from painadvisor.render.json import dump

        sys.stdout.write(dump(listing))
    elif output_format is OutputFormat.markdown:
        sys.stdout.write(render_facts_markdown(listing))
    else:
        sys.stdout.write(render_facts_text(listing))


def schema() -> None:
    from painadvisor.render.schema import render_schema

    sys.stdout.write(render_schema())
