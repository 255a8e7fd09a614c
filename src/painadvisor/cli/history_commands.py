"""The history commands: list, show again, delete and export the kept consultations."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from painadvisor.cli.actions import advice_for, emit
from painadvisor.cli.optiontable import ListFormat, OutputFormat


def history_list(db: Path, output_format: ListFormat) -> None:
    from painadvisor.history import recall

    records = recall.list_records(db)
    if output_format is ListFormat.json:
        from painadvisor.render.json import dump

        sys.stdout.write(dump(records))
        return
    from painadvisor.render.terminal import render_history, text_console

    render_history(records, db, text_console())


def history_show(db: Path, record_id: int, output_format: OutputFormat, output: Path | None, *, force: bool,
                 explain: bool, rules: Sequence[Path | str] = ()) -> None:
    """A kept consultation again: its JSON as it was kept, or re-rendered for people."""
    from painadvisor.history import recall
    from painadvisor.kb.vocabulary import parse_case
    from painadvisor.version import __version__

    case, kept, date, version = recall.stored(db, record_id)
    if output_format is OutputFormat.json:
        from painadvisor.render.json import dump

        text = dump(kept)
        if output is None:
            sys.stdout.write(text)
        else:
            from painadvisor.files.output import write_atomically

            write_atomically(output, text, force=force)
        return
    from painadvisor.kb import loader as knowledge

    kb = knowledge.load_knowledge_base(packs=rules)
    advice = advice_for(kb, parse_case(case), None)
    if version != __version__ or advice.triage != kept.get("triage"):
        sys.stderr.write(f"painadvisor: consultation {record_id} of {date} was advised by painadvisor {version} "
                         f"(triage {kept.get('triage')}); shown here as today's rules see the same answers\n")
    emit(advice, kb, output_format, output, force=force, explain=explain)


def history_delete(db: Path, record_id: int | None) -> None:
    from painadvisor.history import recall

    count = recall.delete(db, record_id)
    sys.stderr.write(f"painadvisor: deleted {count} consultation{'s' if count != 1 else ''}\n")


def history_export(db: Path, target: Path) -> None:
    from painadvisor.history import recall

    count = recall.export(db, target)
    sys.stderr.write(f"painadvisor: exported {count} consultation{'s' if count != 1 else ''} to {target}\n")
