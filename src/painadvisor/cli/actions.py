"""What each command does, without Typer: shared by the CLI and the fast path for plain calls."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from painadvisor.cli.optiontable import OutputFormat
from painadvisor.errors import PainAdvisorError


def wants_history(save: bool | None, output_format: OutputFormat, output: Path | None) -> bool:
    """Whether a one-shot ``advise`` keeps the consultation: when asked (``--save``), or when a
    person reads the text advice on a terminal; never for JSON, Markdown, files, pipes or
    scripts unless asked, so a script checking a case cannot fill the runner's history."""
    if save is not None:
        return save
    return output_format is OutputFormat.text and output is None and sys.stdout.isatty()


def advise(case_file: str | None, flags: dict[str, Any], output_format: OutputFormat, output: Path | None, *,
           force: bool, explain: bool, db: Path | None, rules: Sequence[Path | str] = (), save: bool | None = None,
           training: Sequence[Path] = ()) -> None:
    """Advice for the case in ``case_file`` (if any) with ``flags`` (a checked case) on top.

    ``db`` is the history to consult and keep the consultation in (None: neither); it is used
    only when ``wants_history`` says so.
    """
    from painadvisor.engine.advice import require_enough
    from painadvisor.kb import cases as caseio
    from painadvisor.kb import loader as knowledge

    output = None if output is not None and str(output) == "-" else output  # "-o -" is standard output
    if not wants_history(save, output_format, output):
        db = None

    case = caseio.merge(caseio.read_case_file(case_file) if case_file is not None else {}, flags)
    kb = knowledge.load_knowledge_base(packs=rules)
    require_enough(kb, case)
    log: dict[str, Any] | None = None
    from_log: tuple[str, ...] = ()
    if training:
        from painadvisor.training import join as trainlog

        log = trainlog.read_log(training, case)
        case, from_log = trainlog.with_log_facts(case, log)
    with keeping(case, kb, db) as (note, done):
        advice = advice_for(kb, case, note, log, from_log)
        emit(advice, kb, output_format, output, force=force, explain=explain)
        done(advice)


def batch(source: str, flags: dict[str, Any], output: Path | None, *, force: bool,
          rules: Sequence[Path | str] = ()) -> int:
    """Advice for every case of a JSON-lines file (``-`` for stdin), one JSON line each;
    returns how many lines failed.  Never reads or writes the history."""
    import io

    from painadvisor.cli import batch as batch_mode
    from painadvisor.errors import CaseError
    from painadvisor.kb import loader as knowledge

    kb = knowledge.load_knowledge_base(packs=rules)
    if source == "-":
        stream: Any = io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
    else:
        try:
            stream = open(source, encoding="utf-8", errors="replace")  # noqa: SIM115 (closed below)
        except OSError as err:
            raise CaseError(f"cannot read: {err.strerror or err}", path=source) from None
    try:
        if output is None:
            return batch_mode.run(stream, sys.stdout, kb, flags)
        from painadvisor.files.output import write_pieces_atomically

        failed = 0

        def lines() -> Iterator[str]:
            nonlocal failed
            for text, ok in batch_mode.advise_all(stream, kb, flags):
                failed += not ok
                yield text + "\n"

        write_pieces_atomically(output, lines(), force=force)  # streamed: memory stays flat
        return failed
    finally:
        if stream is not sys.stdin:
            stream.close()


def replay(case_file: str, output_format: OutputFormat, output: Path | None, *, force: bool, explain: bool,
           db: Path | None, rules: Sequence[Path | str] = ()) -> None:
    """The consultation answered from a case file, for scripts and measurement."""
    from painadvisor.engine import interview
    from painadvisor.kb import cases as caseio
    from painadvisor.kb import loader as knowledge

    kb = knowledge.load_knowledge_base(packs=rules)
    consultation = interview.replay(kb, caseio.read_case_file(case_file))
    with keeping(consultation.case, kb, db) as (note, done):
        advice = advice_for(kb, consultation.case, note)
        emit(advice, kb, output_format, output, force=force, explain=explain, asked=consultation.asked)
        done(advice)


def _save(advice: Any, kb: Any, history: Any, *, first: bool) -> int:
    """Keep this consultation; the first time, say where and how to turn it off."""
    from painadvisor.render.json import advice_to_dict
    from painadvisor.version import __version__

    document = advice_to_dict(advice, kb)
    record_id: int = history.save(document["case"], document, __version__)
    if first:
        sys.stderr.write(
            f"painadvisor: this consultation is kept in {history.path} (it never leaves this computer); "
            "--no-save skips saving, 'painadvisor history delete --all' clears it\n")
    return record_id


def advice_for(kb: Any, case: Any, note: Any, training: Any = None, from_training: tuple[str, ...] = ()) -> Any:
    """The advice for a case, with the training-log tip when a log was read."""
    from painadvisor.engine import advice as engine

    advice = engine.evaluate(kb, case, note, training, from_training)
    if training:
        from painadvisor.training.join import spike_tip

        tip = spike_tip(training)
        if tip is not None:
            advice = advice._replace(tips=(*advice.tips, tip))
    return advice


@contextmanager
def keeping(case: Any, kb: Any, db: Path | None) -> Iterator[tuple[Any, Callable[[Any], None]]]:
    """Read what the history says about this case, then keep the consultation.

    The advice is always given: a history that cannot be read or written is reported
    after it (exit 1), and a file that is not ours is never written to.
    """
    if db is None:
        yield None, lambda advice: None
        return
    from painadvisor.history import recall
    from painadvisor.history.store import History, HistoryError, exists

    problem: HistoryError | None = None
    history: History | None = None
    note = None
    first = True
    try:
        first = not exists(db)
        if not first:
            history = History(db, create=False)
            note = recall.history_note(case, history)
    except HistoryError as err:
        problem = err
    saved: list[Any] = []
    try:
        yield note, saved.append
        if problem is None and saved:
            history = history or History(db)
            _save(saved[0], kb, history, first=first)
    except HistoryError as err:
        problem = err
    finally:
        if history is not None:
            history.close()
    if problem is not None:
        raise problem


def converse(kb: Any, output_format: OutputFormat, output: Path | None, *, force: bool, explain: bool,
             db: Path | None) -> None:
    """The interactive consultation on this terminal, then the advice and the offer of a report."""
    from painadvisor.cli.session import Session, terminal_io
    from painadvisor.history import recall
    from painadvisor.kb.vocabulary import parse_case
    from painadvisor.render.terminal import text_console

    console = text_console()
    read_line, say = terminal_io(console)

    def last_time(location: str) -> tuple[str, dict[str, Any]] | None:
        try:
            return recall.last_answers(db, location, kb) if db is not None else None
        except PainAdvisorError:
            return None  # reported when the consultation is saved

    from painadvisor.kb.cases import valid_text

    if hasattr(sys.stdin, "reconfigure"):
        sys.stdin.reconfigure(errors="surrogateescape")  # a stray byte is kept, then made valid, never lost
    session = Session(kb, console, read_line, last_time=last_time)
    try:
        case = valid_text(parse_case(session.run()))
    except EOFError:
        raise PainAdvisorError("input ended before the consultation was over; nothing was saved") from None
    log = None if session.emergency else _offer_training_log(case, read_line, say)
    from_log: tuple[str, ...] = ()
    if log is not None:
        from painadvisor.training.join import with_log_facts

        case, from_log = with_log_facts(case, log)
    with keeping(case, kb, db) as (note, done):
        advice = advice_for(kb, case, note, log, from_log)
        say("")
        emit(advice, kb, output_format, output, force=force, explain=explain, conversation=True)
        if not session.emergency and output is None and advice.missing:
            more = session.interview.questions_for(list(advice.missing))
            if more and _yes(read_line, f"\nAnswer {len(more)} more question{'s' if len(more) > 1 else ''} "
                                         "to sharpen this? [y/N] "):
                session.ask_all(more)
                case = parse_case({**session.interview.case, **({"note": case["note"]} if "note" in case else {})})
                advice = advice_for(kb, case, note)
                say("")
                emit(advice, kb, output_format, output, force=force, explain=explain, conversation=True)
        done(advice)
    if session.emergency:
        say("\nDo what the red panel says now. This is not a diagnosis, but it should not wait.")
    elif output is None:
        offer_report(advice, kb, read_line, say)


def _offer_training_log(case: Any, read_line: Any, say: Any) -> Any:
    """Offer to read the runner's training log (a file or folder; Tab completes paths)."""
    try:
        reply = read_line("\nRead your training log (FIT, GPX or TCX files, or Strava's activities.csv)? "
                          "Type a file or folder, or press Enter to skip: ").strip()
    except EOFError:
        return None
    if not reply:
        return None
    from painadvisor.training.join import read_log

    try:
        log = read_log([Path(reply).expanduser()], case)
    except PainAdvisorError as err:
        say(f"Could not read it: {err}. Going on without it.")
        return None
    say(f"Read {sum(item['activities'] for item in log['files'])} activities.")
    return log


def _yes(read_line: Any, prompt: str) -> bool:
    try:
        return read_line(prompt).strip().lower() in {"y", "yes", "yeah", "yep", "sure", "ok"}
    except EOFError:
        return False


def offer_report(advice: Any, kb: Any, read_line: Any, say: Any) -> None:
    """Ask whether to save the advice as Markdown; never overwrite a file without asking, and
    ask for another name when the runner does not want to replace one."""
    from datetime import date

    from painadvisor.files.output import write_atomically
    from painadvisor.render.markdown import render_markdown

    if not _yes(read_line, "\nSave this advice as a Markdown report for your physio? [y/N] "):
        return
    default = Path(f"painadvisor-report-{date.today().isoformat()}.md")
    while True:
        try:
            name = read_line(f"File name [{default}] (Enter for that, or 'cancel'): ").strip()
        except EOFError:
            say("Not saved.")
            return
        if name.lower() in {"cancel", "q", "quit", "no", "n", "b", "back"}:
            say("Not saved.")
            return
        target = Path(name) if name else default
        from painadvisor.files.output import exists

        if exists(target) and not _yes(read_line, f"{target} exists. Replace it? [y/N] "):
            say("Then choose another name.")
            continue
        break
    write_atomically(target, render_markdown(advice, kb), force=True)
    say(f"Saved to {target}")


def emit(advice: Any, kb: Any, output_format: OutputFormat, output: Path | None, *, force: bool,
          explain: bool, asked: list[str] | None = None, conversation: bool = False) -> None:
    """Render the advice and send it to stdout or to the output file ("-": stdout)."""
    output = None if output is not None and str(output) == "-" else output
    if asked is not None and output_format is OutputFormat.json:
        from painadvisor.render.json import render_json

        text: str | None = render_json(advice, kb, questions_asked=asked, questions_count=len(asked))
    else:
        text = render(advice, kb, output_format, explain=explain, to_file=output is not None,
                      conversation=conversation)
        if asked is not None and text is not None and output_format is OutputFormat.text:
            text += f"\nQuestions asked ({len(asked)}): {', '.join(asked)}\n"
        elif asked is not None and output_format is OutputFormat.text:
            sys.stdout.write(f"\nQuestions asked ({len(asked)}): {', '.join(asked)}\n")
    if output is None:
        if text is not None:
            sys.stdout.write(text)
        return
    from painadvisor.files.output import write_atomically

    write_atomically(output, text or "", force=force)
    sys.stderr.write(f"painadvisor: advice written to {output}\n")


def render(advice: Any, kb: Any, output_format: OutputFormat, *, explain: bool, to_file: bool,
           conversation: bool = False) -> str | None:
    """The advice as text in the chosen format; the terminal format prints directly to stdout."""
    if output_format is OutputFormat.json:
        from painadvisor.render.json import render_json

        return render_json(advice, kb)
    if output_format is OutputFormat.markdown:
        from painadvisor.render.markdown import render_markdown

        return render_markdown(advice, kb)
    from painadvisor.render.terminal import render_terminal, text_console

    console = text_console(to_file=to_file)
    from painadvisor.render.common import answer_labels

    render_terminal(advice, console, explain=explain, conversation=conversation,
                    overrides=getattr(kb, "overrides", ()), labels=answer_labels(kb))
    return console.export_text() if to_file else None




def ask(replay_file: str | None, output_format: OutputFormat, output: Path | None, *, force: bool, explain: bool,
        db: Path | None, rules: Sequence[str]) -> None:
    """The consultation: in a terminal, or answering itself from a case file (``--replay``)."""
    if replay_file is not None:
        replay(replay_file, output_format, output, force=force, explain=explain, db=db, rules=rules)
        return
    from painadvisor.cli.session import require_terminal
    from painadvisor.kb import loader as knowledge

    require_terminal(sys.stdin is not None and sys.stdin.isatty())
    kb = knowledge.load_knowledge_base(packs=rules)
    converse(kb, output_format, output, force=force, explain=explain, db=db)
