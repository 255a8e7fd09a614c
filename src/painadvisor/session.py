"""The interactive consultation on a terminal.  Reading a line is injected, so tests can script it.

Answers: a number or the value itself ("2", "knee.outer"); several for "pick all"
questions ("1,3" or "1 3"; "0" for none); "s" to skip or say you don't know; "b" to
go back to the previous question; "?" for help on the question.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.console import Console
from rich.text import Text

from painadvisor.errors import UsageError
from painadvisor.interview import Answer, Interview
from painadvisor.models import Choice, KnowledgeBase, Question
from painadvisor.render.terminal import clean, render_red_flags
from painadvisor.vocabulary import FACTS_BY_ID, NOTE_MAX_CHARS, Kind

SKIP_WORDS = {"s", "skip", "dk", "don't know", "dont know", "not sure", "?s"}
BACK_WORDS = {"b", "back"}
HELP_WORDS = {"?", "h", "help"}
NONE_WORDS = {"0", "none", "no", "n"}

ReadLine = Callable[[str], str]


class _Back(Exception):
    """The runner asked to go back a question."""


LastTime = Callable[[str], tuple[str, dict[str, object]] | None]


class Session:
    def __init__(self, kb: KnowledgeBase, console: Console, read_line: ReadLine,
                 last_time: LastTime | None = None) -> None:
        self.kb = kb
        self.console = console
        self.read_line = read_line
        self.interview = Interview(kb)
        self.shown_flags: set[str] = set()
        self.last_time = last_time

    def run(self) -> dict[str, object]:
        """Ask until the interview is done; returns the case (with the runner's note)."""
        self.console.print(Text(
            "A few questions about your pain. Answer with a number or a word; "
            "'s' skips a question (don't know), 'b' goes back, '?' explains. This is not a diagnosis.",
            style="italic"))
        question = self.interview.next_question()
        while question is not None:
            try:
                answer = self.ask(question)
            except _Back:
                previous = self.interview.back()
                if previous is None:
                    self.console.print(Text("This is the first question.", style="dim"))
                else:
                    question = previous
                continue
            self.interview.answer(question, answer)
            self.show_new_emergencies()
            if question.fact == "location" and isinstance(answer, str):
                self.offer_last_time(answer)
            question = self.interview.next_question()
        case: dict[str, object] = dict(self.interview.case)
        note = self.read_line("Anything else for the report (press Enter to skip)? ").strip()
        if note and note.lower() not in SKIP_WORDS:
            case["note"] = note[:NOTE_MAX_CHARS]
        return case

    def offer_last_time(self, location: str) -> None:
        """Start from the answers given last time about this place ("same as last time?")."""
        earlier = self.last_time(location) if self.last_time is not None else None
        if earlier is None:
            return
        date, answers = earlier
        reply = self.read_line(f"You asked about this on {date}. Start from the answers you gave then? [Y/n] ")
        if reply.strip().lower() in ("", "y", "yes"):
            self.interview.carry_over(answers)
            self.console.print(Text("Carried over: " + ", ".join(FACTS_BY_ID[fact].label for fact in answers)
                                    + ". The red-flag questions are asked again.", style="dim"))

    def show_new_emergencies(self) -> None:
        flags = [raised for raised in self.interview.red_flags()
                 if raised.flag.triage == "emergency" and raised.flag.id not in self.shown_flags]
        if flags:
            render_red_flags(flags, self.console)
            self.shown_flags.update(raised.flag.id for raised in flags)

    # --- one question -----------------------------------------------------------------

    def ask(self, question: Question) -> Answer:
        number = len(self.interview.asked) + 1
        self.console.print()
        self.console.print(Text(f"Question {number} · about {self.interview.remaining()} more", style="dim"))
        self.console.print(clean(question.text), style="bold")
        kind = FACTS_BY_ID[question.fact].kind
        if kind is Kind.NUMBER:
            return self._ask_number(question)
        choices = list(question.choices)
        if any(choice.group for choice in choices):
            choices = self._pick_group(question, choices)
        return self._ask_choices(question, choices, many=kind is Kind.MANY)

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
        while True:
            reply = self._read(question, "  (a whole number, s to skip, b to go back) > ")
            if reply.lower() in SKIP_WORDS:
                return None
            if reply.isdigit() and (fact.minimum or 0) <= int(reply) <= (fact.maximum or 0):
                return int(reply)
            self.console.print(Text(f"  Please type a whole number from {fact.minimum} to {fact.maximum}.",
                                    style="yellow"))

    def _pick_group(self, question: Question, choices: list[Choice]) -> list[Choice]:
        groups = list(dict.fromkeys(choice.group for choice in choices))
        for index, group in enumerate(groups, start=1):
            self.console.print(f"  {index}. {group}")
        while True:
            reply = self._read(question, "  (number, s to skip) > ")
            word = reply.lower()
            if word in SKIP_WORDS:
                return []
            direct = [choice for choice in choices if str(choice.value) == word]
            if direct:
                return direct
            if word.isdigit() and 1 <= int(word) <= len(groups):
                return [choice for choice in choices if choice.group == groups[int(word) - 1]]
            self.console.print(Text(f"  Please type a number from 1 to {len(groups)}.", style="yellow"))

    def _ask_choices(self, question: Question, choices: list[Choice], *, many: bool) -> Answer:
        if not choices:
            return None
        if len(choices) == 1 and not many:
            return choices[0].value
        for index, choice in enumerate(choices, start=1):
            self.console.print(Text(f"  {index}. ").append_text(clean(choice.label)))
        if many:
            self.console.print(Text(f"  0. {question.none_label or 'none of these'}"))
        hint = "numbers, 0 for none" if many else "number"
        while True:
            reply = self._read(question, f"  ({hint}, s to skip, b to go back) > ")
            if reply.lower() in SKIP_WORDS:
                return None
            picked = _parse_choices(reply, choices, many=many)
            if picked is not None:
                return picked
            self.console.print(Text(f"  Sorry, I did not understand '{_short(reply)}'. Type "
                                    + ("one or more numbers, like 1,3" if many else "one number")
                                    + f" from 1 to {len(choices)}.", style="yellow"))


def _parse_choices(reply: str, choices: list[Choice], *, many: bool) -> Answer:
    words = [word for word in reply.replace(",", " ").lower().split() if word]
    if many and len(words) == 1 and words[0] in NONE_WORDS:
        return ()
    if not words or (len(words) > 1 and not many):
        return None
    picked: list[Choice] = []
    for word in words:
        by_value = [choice for choice in choices if str(choice.value).lower() == word
                    or (isinstance(choice.value, bool) and word in (("yes", "y") if choice.value else ("no", "n")))]
        if by_value:
            picked.append(by_value[0])
        elif word.isdigit() and 1 <= int(word) <= len(choices):
            picked.append(choices[int(word) - 1])
        else:
            return None
    if many:
        return tuple(dict.fromkeys(str(choice.value) for choice in picked))
    return picked[0].value


def _short(text: str) -> str:
    return text if len(text) <= 30 else text[:29] + "…"


def require_terminal(stdin_is_tty: bool) -> None:
    if not stdin_is_tty:
        raise UsageError(
            "the interactive consultation needs a terminal; in scripts use 'painadvisor advise' with flags "
            "or --case FILE, or 'painadvisor ask --replay FILE'")


def terminal_io(console: Console) -> tuple[ReadLine, Callable[[str], None]]:
    """Read a line and say something on a real terminal; prompts are never parsed as markup."""

    def read_line(prompt: str) -> str:
        return console.input(Text(prompt))

    def say(message: str) -> None:
        console.print(Text(message))

    return read_line, say
