"""Understanding a runner's typed answer: numbers, words, synonyms, durations.  Pure.

Every choice accepts its number, its value, its label, any unambiguous word or start of
a word of its label ("kneecap", "ball"), and common synonyms ("shin splints" for the
inner shin, "yeah" for yes, "not sure" to skip).  "Pick all" questions take several
("stairs down and sitting").  Numbers can be words ("thirty-four"), durations can be
said as a person says them ("3 weeks", "2 months", "yesterday", "since Sunday").  An
answer that fits several choices comes back as ``Ambiguous`` with the closest few, so
the conversation can offer them instead of a bare error.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from painadvisor.kb.models import Choice

SKIP_WORDS = {"s", "skip", "dk", "don't know", "dont know", "do not know", "not sure", "unsure", "no idea",
              "i don't know", "i dont know", "pass", "?s"}
NONE_WORDS = {"0", "none", "no", "n", "nothing", "none of these", "none of them", "neither", "nope", "nah"}
YES_WORDS = {"y", "yes", "yeah", "yep", "yup", "sure", "true", "i have", "i did", "i can", "it does", "correct"}
NO_WORDS = {"n", "no", "nope", "nah", "false", "i have not", "i haven't", "i did not", "i didn't", "not really",
            "never"}
FILLER = {"the", "my", "a", "an", "of", "it", "its", "it's", "is", "in", "on", "at", "i", "im", "i'm", "me",
          "around", "just", "side", "part", "area", "bit", "kind", "sort", "like", "hurts", "pain", "painful",
          "sore", "mostly", "mainly", "about", "with", "when", "feels", "feel", "very", "quite", "really",
          "there", "to", "for", "and"}

# Words runners use that the labels do not contain, by value.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "knee.front": ("kneecap", "knee cap", "patella", "front of the knee", "front of knee"),
    "knee.below-kneecap": ("below kneecap", "patellar tendon", "under the kneecap", "under kneecap"),
    "knee.outer": ("outside of the knee", "outer knee", "lateral knee", "it band", "itb"),
    "knee.inner": ("inner knee", "medial knee", "inside of the knee"),
    "knee.back": ("behind the knee", "back of knee", "back of the knee", "hamstring behind knee"),
    "knee.inside": ("inside the knee", "in the joint", "deep in the knee", "deep knee"),
    "shin.inner": ("shin splints", "shin splints area", "inner shin", "inside of the shin", "medial shin"),
    "shin.front": ("front of the shin", "outer shin", "front shin", "anterior shin"),
    "calf": ("calves", "calf muscle", "lower leg back"),
    "achilles": ("achilles tendon", "tendon above the heel", "heel cord"),
    "heel.bottom": ("under the heel", "bottom of the heel", "heel pad", "sole of the heel"),
    "heel.back": ("back of the heel", "behind the heel", "heel bump"),
    "foot.arch": ("arch", "instep", "middle of the sole"),
    "foot.forefoot": ("ball of the foot", "ball of foot", "forefoot", "metatarsals", "front of the foot"),
    "foot.top": ("top of the foot", "top of foot", "upper foot", "laces area"),
    "foot.outer": ("outer edge of the foot", "outside of the foot", "little toe side", "side of the foot"),
    "foot.toes": ("toes", "toe", "between the toes", "under the toes", "big toe"),
    "hip.outer": ("outside of the hip", "outer hip", "side of the hip", "hip bone", "lateral hip"),
    "hip.groin": ("groin", "front of the hip", "hip flexor", "crease"),
    "buttock": ("bum", "butt", "glute", "glutes", "sitting bone", "backside", "seat"),
    "thigh.front": ("quad", "quads", "quadriceps", "front of the thigh", "front thigh"),
    "thigh.back": ("hamstring", "hamstrings", "back of the thigh", "back thigh"),
    "thigh.inner": ("inner thigh", "adductor", "adductors", "groin muscle"),
    "ankle.inner": ("inside of the ankle", "inner ankle", "medial ankle"),
    "ankle.outer": ("outside of the ankle", "outer ankle", "lateral ankle"),
    "lower-leg": ("lower leg", "leg below the knee", "shin or calf"),
    "stairs-down": ("stairs down", "down stairs", "downstairs", "going down stairs", "descending stairs"),
    "stairs-up": ("stairs up", "up stairs", "upstairs", "climbing stairs"),
    "sitting-long": ("sitting", "sitting down", "long sitting", "desk", "driving", "hard chair"),
    "getting-up": ("getting up", "first steps after sitting", "standing up"),
    "speedwork": ("speed", "intervals", "sprints", "sprinting", "fast running", "track sessions"),
    "tight-shoes": ("tight laces", "laces", "tight shoes"),
    "coughing": ("cough", "sneezing", "sneeze", "straining"),
    "lying-on-side": ("lying on it", "lying on that side", "sleeping on that side"),
    "after-distance": ("after a while", "after a few miles", "after some km", "same distance", "at a set distance"),
    "morning-first-steps": ("first steps", "morning", "mornings", "first thing"),
    "at-night": ("night", "nights", "in bed"),
    "at-rest": ("rest", "resting", "sitting still"),
    "all-the-time": ("constant", "always", "all the time"),
    "next-day": ("day after", "the day after", "next day"),
    "ache": ("aching", "dull", "sore"),
    "sharp": ("stabbing", "knife"),
    "throbbing": ("pulsing", "pounding"),
    "cramp": ("cramping", "clenching", "spasm"),
    "tight": ("tightness", "stiff"),
    "burning": ("burn", "hot pain"),
    "gradual": ("slowly", "gradually", "over time", "crept up", "built up"),
    "sudden": ("suddenly", "all at once", "at once", "one moment"),
    "better": ("improving", "getting better", "easing"),
    "same": ("no change", "unchanged", "about the same", "same as before"),
    "worse": ("worsening", "getting worse", "deteriorating"),
    "cannot-bear-weight": ("can't walk", "cannot walk", "cant walk", "can't stand", "can't put weight"),
    "limp": ("limping", "hobbling"),
    "calf-swollen-one-side": ("swollen calf", "calf swollen", "fat calf"),
    "dark-urine": ("dark pee", "brown urine", "cola urine", "dark wee"),
    "numbness": ("numb", "no feeling"),
    "tingling": ("pins and needles", "tingle", "tingly"),
    "weakness": ("weak", "foot drop", "foot slaps", "tripping"),
    "cold-pale-foot": ("cold foot", "pale foot", "white foot"),
    "fever": ("feverish", "temperature", "shivery"),
    "breathless-chest-pain": ("breathless", "short of breath", "chest pain", "out of breath"),
    "left": ("l", "left leg", "left side"),
    "right": ("r", "right leg", "right side"),
    "both": ("both legs", "both sides", "either", "left and right"),
}

_NUMBER_WORDS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "two": 2, "couple": 2, "three": 3, "few": 3, "four": 4, "five": 5,
    "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "several": 4,
}
_UNITS = {"d": 1, "day": 1, "days": 1, "w": 7, "wk": 7, "wks": 7, "week": 7, "weeks": 7, "fortnight": 14,
          "fortnights": 14, "m": 30, "mo": 30, "month": 30, "months": 30, "y": 365, "yr": 365, "yrs": 365,
          "year": 365, "years": 365}
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class Ambiguous:
    """The answer fits several choices: these, closest first."""

    candidates: tuple[Choice, ...]


class Skip:
    """The runner does not know (or skips)."""


SKIP = Skip()


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"[^\w'/+.-]+", " ", text.lower())).strip()


def is_skip(reply: str) -> bool:
    return normalise(reply) in SKIP_WORDS


def match_one(reply: str, choices: Sequence[Choice]) -> Choice | Ambiguous | None:
    """The choice a reply means; Ambiguous when it could be several; None when nothing fits."""
    text = normalise(reply)
    if not text:
        return None
    if text.isascii() and text.isdigit():
        number = int(text) if len(text) < 4 else 0
        return choices[number - 1] if 1 <= number <= len(choices) else None
    if all(isinstance(choice.value, bool) for choice in choices):
        if text in YES_WORDS or text.startswith(("yes", "yeah")):
            return _by_value(choices, True)
        if text in NO_WORDS or text.startswith(("no ", "not ")):
            return _by_value(choices, False)
    words = [word for word in text.split() if word not in FILLER] or text.split()
    for said in (text, " ".join(words)):
        exact = [choice for choice in choices if said in _names(choice)]
        if len(exact) == 1:
            return exact[0]
    fitting = [choice for choice in choices if all(_word_fits(word, choice) for word in words)]
    if len(fitting) == 1:
        return fitting[0]
    if len(fitting) > 1:
        return Ambiguous(tuple(fitting[:3]))
    scored = sorted(((sum(_word_fits(word, choice) for word in words), index) for index, choice in enumerate(choices)),
                    reverse=True)
    close = [choices[index] for score, index in scored if score > 0][:3]
    return Ambiguous(tuple(close)) if close else None


def match_many(reply: str, choices: Sequence[Choice]) -> tuple[str, ...] | Ambiguous | None:
    """The values a "pick all" reply means (empty: none of these)."""
    text = normalise(reply)
    if text in NONE_WORDS:
        return ()
    pieces = re.split(r"\s*(?:,|;|&|\+|/|\band\b|\bplus\b|\balso\b)\s*", reply.lower())
    parts = [normalise(part) for part in pieces if normalise(part)]
    if len(parts) == 1 and len(text.split()) > 1 and all(word.isdigit() for word in text.split()):
        parts = text.split()  # "1 3"
    picked: list[str] = []
    for part in parts:
        found = match_one(part, choices)
        if isinstance(found, Ambiguous) or found is None:
            return found
        picked.append(str(found.value))
    return tuple(dict.fromkeys(picked))


def parse_number(reply: str) -> int | None:
    """A whole number in digits or words ("34", "thirty-four", "7/10", "7 out of 10")."""
    text = normalise(reply).replace("-", " ")
    text = re.sub(r"\b(years?|yrs?|old|out of 10|/10|about|around|roughly|maybe|i'm|i am)\b", " ", text).strip()
    if re.fullmatch(r"\d{1,4}", text):
        return int(text)
    match = re.fullmatch(r"(\d{1,3})\s*/\s*10", text)
    if match:
        return int(match.group(1))
    return _words_to_number(text.split())


def parse_duration(reply: str, today: dt.date | None = None) -> int | None:
    """Days since it started, from how a person says it ("3 weeks", "yesterday", "since Sunday")."""
    today = today or dt.date.today()
    raw = normalise(reply)
    if raw.startswith("since "):
        return _since(raw[6:].strip(), today)
    text = raw.replace("-", " ")
    text = re.sub(r"\b(ago|about|around|roughly|maybe|for|the|past|last|almost|nearly|over|just)\b", " ", text)
    text = re.sub(r"\s+", " ", text).strip()
    if text in ("today", "this morning", "tonight", "now"):
        return 0
    if text in ("yesterday", "last night"):
        return 1
    if text == "week":
        return 7
    if text.startswith("since "):
        return _since(text[6:].strip(), today)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([a-z]+)?", text)
    if match:
        size = float(match.group(1))
        unit = _UNITS.get(match.group(2) or "d")
        return round(size * unit) if unit is not None and size < 100000 else None
    words = text.split()
    if words and words[-1] in _UNITS:
        amount = _words_to_number([word for word in words[:-1] if word not in ("of", "and")]) if words[:-1] else 1
        if amount is None and words[:-1] == ["half", "a"]:
            return round(_UNITS[words[-1]] / 2)
        return amount * _UNITS[words[-1]] if amount is not None else None
    number = _words_to_number(words)
    return number


def _since(what: str, today: dt.date) -> int | None:
    if what in _WEEKDAYS:
        back = (today.weekday() - _WEEKDAYS.index(what)) % 7
        return back or 7
    if what in ("yesterday",):
        return 1
    if what in ("last week",):
        return 7
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d %B", "%B %d", "%d %b", "%b %d"):
        try:
            day = dt.datetime.strptime(what, fmt).date()
        except ValueError:
            continue
        if day.year == 1900:
            day = day.replace(year=today.year)
            if day > today:
                day = day.replace(year=today.year - 1)
        return (today - day).days if day <= today else None
    return None


def _words_to_number(words: list[str]) -> int | None:
    words = [word for word in words if word not in ("and", "of")]
    if len(words) > 1 and words[0] in ("a", "an"):  # "a couple", "a few"
        words = words[1:]
    if not words:
        return None
    total = 0
    for word in words:
        if word.isascii() and word.isdigit() and len(word) < 5:
            total += int(word)
        elif word in _NUMBER_WORDS:
            value = _NUMBER_WORDS[word]
            total = total * value if value == 100 and total else total + value
        else:
            return None
    return total


def _by_value(choices: Sequence[Choice], value: object) -> Choice | None:
    return next((choice for choice in choices if choice.value == value), None)


def _names(choice: Choice) -> set[str]:
    value = str(choice.value).lower()
    names = {value, value.replace(".", " ").replace("-", " "), normalise(choice.label)}
    names.update(normalise(word) for word in SYNONYMS.get(str(choice.value), ()))
    return names


def _word_fits(word: str, choice: Choice) -> bool:
    """A reply word fits a choice when it starts a word of its label, value or synonyms."""
    haystack = " ".join(_names(choice)).replace("(", " ").replace(")", " ").replace(",", " ").split()
    return any(part.startswith(word) for part in haystack) if len(word) >= 3 else word in haystack
