"""Between the commands and the history: what earlier consultations say, and saving this one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from painadvisor.kb.models import Earlier, HistoryNote, KnowledgeBase
from painadvisor.kb.vocabulary import Case

if TYPE_CHECKING:
    from painadvisor.history.store import History

SHOWN_EARLIER = 5
# Facts never carried over from last time: they change, or a red-flag question must ask them afresh.
NEVER_CARRIED = {"note", "trend", "duration_days", "severity"}


def history_note(case: Case, history: History, now: datetime | None = None) -> HistoryNote | None:
    """Earlier consultations about the same place in the last 8 weeks, and the change since."""
    location = case.get("location")
    if not isinstance(location, str):
        return None
    from painadvisor.history.store import compare, persistent_from_history

    now = now or datetime.now(UTC)
    previous = history.same_location(location, now=now, last=SHOWN_EARLIER)
    progress = compare(previous, dict(case), now)
    if progress is None:
        return None
    earlier = tuple(Earlier(record.id, record.created.date().isoformat(), record.triage, record.top_cause)
                    for record in previous[-SHOWN_EARLIER:])
    return HistoryNote(earlier, progress.days_since_first, progress.change,
                       persistent_from_history(previous, dict(case), now))


def last_answers(db: Path, location: str, kb: KnowledgeBase) -> tuple[str, dict[str, Any]] | None:
    """The date and the answers of the last consultation about ``location`` that can be carried over."""
    from painadvisor.history.store import exists

    if not exists(db):
        return None
    from painadvisor.history.store import History

    with History(db, create=False) as history:
        previous = history.same_location(location, last=1)
    if not previous:
        return None
    from painadvisor.kb.screening import raising_leaves

    # Answers that can raise a red flag are asked afresh; who the runner is does not change.
    screened = {leaf.fact for flag in kb.red_flags for leaf in raising_leaves(flag.trigger)} - {"age", "sex"}
    kept = {fact: value for fact, value in previous[-1].case.items()
            if fact not in NEVER_CARRIED and fact not in screened and fact != "location"}
    return (previous[-1].created.date().isoformat(), kept) if kept else None


def list_records(db: Path) -> list[dict[str, Any]]:
    """Every kept consultation, newest first: id, date, location, triage, top cause."""
    from painadvisor.history.store import exists

    if not exists(db):
        return []
    from painadvisor.history.store import History

    with History(db, create=False) as history:
        return [{"id": record.id, "date": record.created.isoformat(timespec="seconds"), "location": record.location,
                 "triage": record.triage, "top_cause": record.top_cause, "version": record.version}
                for record in history.records(with_advice=False)]


def stored(db: Path, record_id: int) -> tuple[dict[str, Any], dict[str, Any], str, str]:
    """One kept consultation: its case, its advice JSON, its date and the version that advised."""
    from painadvisor.history.store import History

    with History(db, create=False) as history:
        record = history.get(record_id)
    return record.case, record.advice, record.created.date().isoformat(), record.version


def delete(db: Path, record_id: int | None) -> int:
    """Delete one consultation, or all of them (None); returns how many went."""
    from painadvisor.history.store import exists

    if not exists(db):
        return 0
    from painadvisor.history.store import History

    with History(db, create=False) as history:
        if record_id is None:
            return history.delete_all()
        history.delete(record_id)
        return 1


def export(db: Path, target: Path) -> int:
    from painadvisor.history.store import History

    with History(db, create=False) as history:
        return history.export(target)
