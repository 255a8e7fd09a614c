"""The interactive consultation on a terminal.  Reading a line is injected, so tests can script it.

Answers in the runner's own words (see ``answers``): a number, a value, a label or any
unambiguous word of it, synonyms ("kneecap", "shin splints", "yeah"); several for
"pick all" questions ("stairs down and sitting", "1,3"; "none"); durations as people say
them ("3 weeks", "yesterday"); "s" or "not sure" skips, "b" goes back (at every prompt),
"?" explains.  Where it hurts is shown on a picture of the legs.  Before the advice, a
summary of the answers with the chance to change one.  An emergency is shown the moment
it is raised and ends the questions.
"""

from __future__ import annotations

import typing
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.text import Text

from painadvisor.engine import answers
from painadvisor.engine.interview import Answer, Interview
from painadvisor.errors import UsageError
from painadvisor.kb.models import Choice, KnowledgeBase, Question
from painadvisor.kb.vocabulary import FACTS_BY_ID, NOTE_MAX_CHARS, Kind
from painadvisor.render.bodymap import PLACE_OF, body_map
from painadvisor.render.terminal import clean, render_red_flags

BACK_WORDS = {"b", "back", "go back"}
HELP_WORDS = {"?", "h", "help"}
DONE_WORDS = {"", "y", "yes", "ok", "okay", "fine", "right", "correct", "looks good", "go", "continue"}

ReadLine = Callable[[str], str]
LastTime = Callable[[str], tuple[str, dict[str, object]] | None]


class _Back(Exception):
    """The runner asked to go back a question."""


class Session:
    def __init__(self, kb: KnowledgeBase, console: Console, read_line: ReadLine,
                 last_time: LastTime | None = None) -> None:
        self.kb = kb
        self.console = console
        self.read_line = read_line
        self.interview = Interview(kb)
        self.shown_flags: set[str] = set()
        self.last_time = last_time
        self.emergency = False
        self.labels = _value_labels(kb)

    # --- the whole conversation ------------------------------------------------------

    def run(self) -> dict[str, object]:
        """Ask until the interview is done; returns the case (with the runner's note)."""
        self.console.print(Text(
            "A few questions about your pain. Answer in your own words or with a number; "
            "'s' (or 'not sure') skips, 'b' goes back, '?' explains. This is not a diagnosis.",
            style="italic"))
        while True:
            self.ask_all()
            if self.emergency:
                return dict(self.interview.case)
            try:
                if not self.confirm():
                    continue
                note = self.read_note()
            except _Back:
                self._go_back()
                continue
            case: dict[str, object] = dict(self.interview.case)
            if note:
                case["note"] = note
            return case

    def ask_all(self, only: list[Question] | None = None) -> None:
        """Ask the interview's questions (or just ``only``) until done or an emergency."""
        queue = list(only) if only is not None else None
        question = self._next(queue)
        while question is not None and not self.emergency:
            try:
                answer = self.ask(question)
            except _Back:
                previous = self._go_back()
                if previous is not None:
                    question = previous
                continue
            self.interview.answer(question, answer)
            self.show_new_emergencies()
            if question.fact == "location" and isinstance(answer, str):
                self.offer_last_time(answer)
            question = self._next(queue)

    def _next(self, queue: list[Question] | None) -> Question | None:
        if queue is None:
            return self.interview.next_question()
        while queue:
            question = queue.pop(0)
            if question.id not in self.interview.asked:
                return question
        return None

    def _go_back(self) -> Question | None:
        previous = self.interview.back()
        if previous is None:
            self.console.print(Text("This is the first question.", style="dim"))
        return previous

    def confirm(self) -> bool:
        """Show what the runner said; True to go on, False after changing an answer."""
        rows = self.summary()
        self.console.print()
        self.console.print(Text("Here is what you told me:", style="bold"))
        for number, (_, text) in enumerate(rows, start=1):
            self.console.print(Text(f"  {number}. ").append_text(clean(text)))
        while True:
            reply = self.read_line("  Is that right? (Enter to go on, or the number of an answer to change) > ")
            word = answers.normalise(reply)
            if word in BACK_WORDS:
                raise _Back
            if word in DONE_WORDS or answers.is_skip(word):
                return True
            row = answers.parse_number(word)
            if row is not None and 1 <= row <= len(rows):
                question = rows[row - 1][0]
                self._forget(question.fact)
                self.ask_all([question])
                return False
            self.console.print(Text(f"  Please press Enter, or type a number from 1 to {len(rows)}.", style="yellow"))

    def summary(self) -> list[tuple[Question, str]]:
        """(question, "label: answer") for each fact the runner gave, in the order asked."""
        rows: list[tuple[Question, str]] = []
        seen: set[str] = set()
        by_id = {question.id: question for question in self.kb.questions}
        for question_id in self.interview.asked:
            question = by_id[question_id]
            fact = question.fact
            if fact in seen or fact not in self.interview.case:
                continue
            seen.add(fact)
            rows.append((question, f"{FACTS_BY_ID[fact].label}: {self.describe(fact, self.interview.case[fact])}"))
        return rows

    def describe(self, fact: str, value: object) -> str:
        if isinstance(value, tuple):
            return ", ".join(self.labels.get((fact, item), str(item)) for item in value)
        if isinstance(value, bool):
            return "yes" if value else "no"
        if fact == "duration_days":
            return "today" if value == 0 else "1 day" if value == 1 else f"{value} days"
        return self.labels.get((fact, value), str(value))

    def _forget(self, fact: str) -> None:
        """Clear an answer so its question can be asked again."""
        self.interview.case.pop(fact, None)
        self.interview.asked[:] = [question_id for question_id in self.interview.asked
                                   if next(q for q in self.kb.questions if q.id == question_id).fact != fact]

    def read_note(self) -> str:
        reply = self.read_line("Anything else for the report (press Enter to skip, b to go back)? ").strip()
        if reply.lower() in BACK_WORDS:
            raise _Back
        if not reply or answers.is_skip(reply):
            return ""
        return reply[:NOTE_MAX_CHARS]

    def offer_last_time(self, location: str) -> None:
        """Start from the answers given last time about this place ("same as last time?")."""
        earlier = self.last_time(location) if self.last_time is not None else None
        if earlier is None:
            return
        date, given = earlier
        reply = self.read_line(f"You asked about this on {date}. Start from the answers you gave then? [Y/n] ")
        if answers.normalise(reply) in {"", *answers.YES_WORDS}:
            self.interview.carry_over(given)
            self.console.print(Text("Carried over: " + ", ".join(FACTS_BY_ID[fact].label for fact in given)
                                    + ". The red-flag questions are asked again.", style="dim"))

    def show_new_emergencies(self) -> None:
        flags = [raised for raised in self.interview.red_flags()
                 if raised.flag.triage == "emergency" and raised.flag.id not in self.shown_flags]
        if flags:
            from painadvisor.render.common import answer_labels

            render_red_flags(flags, self.console, answer_labels(self.kb))
            self.shown_flags.update(raised.flag.id for raised in flags)
            self.emergency = True

    # --- one question -----------------------------------------------------------------

    def ask(self, question: Question) -> Answer:
        number = len(self.interview.asked) + 1
        low, high = self.interview.remaining()
        more = "nearly done" if high <= 1 else f"about {low} more" if low == high else f"about {low}-{high} more"
        self.console.print()
        self.console.print(Text(f"Question {number} · {more}", style="dim"))
        self.console.print(clean(question.text), style="bold")
        kind = FACTS_BY_ID[question.fact].kind
        if kind is Kind.NUMBER:
            return self._ask_number(question)
        if question.fact == "location":
            return self._ask_location(question)
        return self._ask_choices(question, list(question.choices), many=kind is Kind.MANY)

    def _read(self, question: Question, prompt: str) -> str:
        while True:
            reply = self.read_line(prompt).strip()
            word = reply.lower()
            if word in BACK_WORDS:
                raise _Back
            if word in HELP_WORDS:
                self.console.print(clean(question.help or "Pick the answer closest to how it is; 's' to skip."))
                continue
            return reply

    def _ask_number(self, question: Question) -> Answer:
        fact = FACTS_BY_ID[question.fact]
        duration = fact.id == "duration_days"
        example = "for example 3 days, 2 weeks, yesterday" if duration else "a number"
        while True:
            reply = self._read(question, f"  ({example}; s to skip, b to go back) > ")
            if answers.is_skip(reply):
                return None
            value = answers.parse_duration(reply) if duration else answers.parse_number(reply)
            if value is not None and (fact.minimum or 0) <= value <= (fact.maximum or 0):
                return value
            wanted = "how long ago it started, like '3 weeks' or '10 days'" if duration else \
                f"a whole number from {fact.minimum} to {fact.maximum}"
            self.console.print(Text(f"  Sorry, I did not understand '{_short(reply)}'. Please type {wanted}.",
                                    style="yellow"))

    def _ask_location(self, question: Question) -> Answer:
        self.console.print(Text(body_map()))
        self.console.print(Text("Type a number from the picture, or say where in words "
                                "(for example: kneecap, outside of the hip, shin, heel, or just knee).", style="dim"))
        choices = list(question.choices)
        groups = list(dict.fromkeys(choice.group for choice in choices if choice.group))
        while True:
            reply = self._read(question, "  (number or words; s if you can't say, b to go back) > ")
            if answers.is_skip(reply):
                return None
            word = answers.normalise(reply)
            if word.isascii() and word.isdigit() and int(word) in PLACE_OF:
                return PLACE_OF[int(word)]
            group = [name for name in groups if answers.normalise(name) == word]
            if group:
                return self._ask_choices(question, [choice for choice in choices if choice.group == group[0]],
                                         many=False)
            found = answers.match_one(reply, list(choices))
            if isinstance(found, Choice):
                return found.value
            if isinstance(found, answers.Ambiguous):
                return self._offer(question, found.candidates, reply)
            self.console.print(Text(f"  Sorry, I did not understand '{_short(reply)}'. Type a number from the "
                                    "picture, or words like 'kneecap' or 'calf'.", style="yellow"))

    def _offer(self, question: Question, candidates: tuple[Choice, ...], reply: str) -> Answer:
        self.console.print(Text(f"  '{_short(reply)}' could mean more than one thing. Did you mean:", style="yellow"))
        return self._ask_choices(question, list(candidates), many=False)

    def _ask_choices(self, question: Question, choices: list[Choice], *, many: bool) -> Answer:
        if not choices:
            return None
        if many and len(choices) == 1 and question.none_label:  # one sign, asked as a plain either-or
            either = [choices[0], Choice("", question.none_label)]
            either_pick = self._ask_choices(question, either, many=False)
            return None if either_pick is None else (str(either_pick),) if either_pick else ()
        if len(choices) == 1 and not many:
            return choices[0].value
        for index, choice in enumerate(choices, start=1):
            self.console.print(Text(f"  {index}. ").append_text(clean(choice.label)))
        if many:
            self.console.print(Text(f"  0. {question.none_label or 'none of these'}"))
        hint = "numbers or words, 0 for none" if many else "number or words"
        while True:
            reply = self._read(question, f"  ({hint}; s to skip, b to go back) > ")
            if answers.is_skip(reply):
                return None
            if many and question.none_label and answers.normalise(reply) == answers.normalise(question.none_label):
                return ()
            picked: Any = answers.match_many(reply, choices) if many else answers.match_one(reply, choices)
            if isinstance(picked, answers.Ambiguous):
                names = " or ".join(f"'{candidate.label}'" for candidate in picked.candidates)
                self.console.print(Text(f"  '{_short(reply)}' could be {names}; please say which "
                                        "(a number works too).", style="yellow"))
                continue
            if picked is not None:
                return typing.cast(Answer, picked if many else picked.value)
            self.console.print(Text(f"  Sorry, I did not understand '{_short(reply)}'. Type "
                                    + ("one or more numbers, like 1,3, or words" if many else "a number or words")
                                    + f" (1 to {len(choices)}).", style="yellow"))


def _value_labels(kb: KnowledgeBase) -> dict[tuple[str, object], str]:
    labels: dict[tuple[str, object], str] = {}
    for question in kb.questions:
        for choice in question.choices:
            if not isinstance(choice.value, bool):
                labels.setdefault((question.fact, choice.value), choice.label)
    return labels


def _short(text: str) -> str:
    text = "".join(ch if ch.isprintable() else "?" for ch in text)
    return text if len(text) <= 30 else text[:29] + "..."


def _complete_path(text: str, state: int) -> str | None:
    """Tab completion of file and folder names (for the training log)."""
    import glob
    import os

    matches = sorted(glob.glob(os.path.expanduser(text) + "*"))
    matches = [match + "/" if os.path.isdir(match) else match for match in matches]
    return matches[state] if state < len(matches) else None


def require_terminal(stdin_is_tty: bool) -> None:
    if not stdin_is_tty:
        raise UsageError(
            "the interactive consultation needs a terminal; in scripts use 'painadvisor advise' with flags "
            "or --case FILE, or 'painadvisor ask --replay FILE'")


def terminal_io(console: Console) -> tuple[ReadLine, Callable[[str], None]]:
    """Read a line (with line editing and history where the platform has readline) and say
    something on a real terminal; prompts are never parsed as markup."""
    try:
        import readline  # (imported for its effect too: arrow keys and history in input())

        readline.set_completer_delims(" \t\n;")
        readline.set_completer(_complete_path)
        readline.parse_and_bind("tab: complete")
    except ImportError:  # Windows without pyreadline: plain input still works
        pass

    def read_line(prompt: str) -> str:
        return console.input(Text(prompt))

    def say(message: str) -> None:
        console.print(Text(message))

    return read_line, say
