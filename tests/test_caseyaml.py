"""Simple case files are read without PyYAML, and always exactly as PyYAML reads them."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from painadvisor.files.caseyaml import read_simple_case
from painadvisor.files.reading import LocatedDict, LocatedList, ParseError
from painadvisor.files.safeyaml import load_yaml


def located(value: Any) -> Any:
    """A value with every line number it carries, to compare both readers' results exactly."""
    if isinstance(value, LocatedDict):
        return ("map", value.line, [(key, value.key_lines.get(key), type(item).__name__, located(item))
                                    for key, item in value.items()])
    if isinstance(value, LocatedList):
        return ("list", value.line, list(value.item_lines), [(type(item).__name__, located(item)) for item in value])
    return value


def pyyaml(text: str) -> Any:
    try:
        return located(load_yaml(text, "case.yaml"))
    except ParseError as err:
        return f"error: {err}"


# Pieces of YAML, simple and not: the reader must take the simple ones and refuse the rest.
WORDS = st.sampled_from(["knee.outer", "after-distance", "stairs-down", "left", "yes", "no", "on", "off", "true",
                         "false", "null", "y", "n", "nan", "inf", "0", "7", "10", "010", "-3", "1_000", "1:30",
                         "2024-01-02", "0x1f", "1e3", ".5", ".inf", "~", "'quoted'", '"dq"', "a b", "a#b", "a #b",
                         "é", "x:y", "&anchor x", "*alias", "!!str 5", "[]", "[a, b]", "[a,b]", "[a, ]", "{a: 1}",
                         "|", ">", "- a", "a_b", "A", "Yes", "TRUE", "foot.toes", "lower-leg", "note text.",
                         '"a\\"b"', "'it''s'", '"a, b"', '"#x"', "'[a]'", '"é"', '"\\n"', "\"a'", "'a\"",
                         "a\u2028b: c", "\xa0x", "x\x85y", "\x7f", "\x0b"])
KEYS = st.sampled_from(["location", "side", "when", "worse_with", "duration_days", "pop", "on", "yes", "null",
                        "a_b", "Key", "2x", "x-y", "location"])


PLAIN = st.sampled_from(["knee.outer", "after-distance", "yes", "off", "true", "7", "10", "a_b", "foot.toes",
                         "lower-leg", "left", "x.y-z", '"knee.outer"', "'yes'", '"10"', '""', "'A b (c)/d+e'",
                         '"after-distance"'])


@st.composite
def documents(draw: st.DrawFn) -> str:
    """Mostly plain files (so the fast reader's results are compared often), else anything."""
    plain = draw(st.booleans())
    words = PLAIN if plain else WORDS
    lines: list[str] = []
    for position in range(draw(st.integers(0, 6))):
        kinds = ["scalar", "flow", "block", "comment", "blank"] if plain else \
            ["scalar", "flow", "block", "comment", "blank", "empty", "nested", "odd"]
        kind = draw(st.sampled_from(kinds))
        key = f"fact_{position}" if plain else draw(KEYS)
        spaces = " " if plain else draw(st.sampled_from([" ", "  ", ""]))
        comment = draw(st.sampled_from(["", "  # why", " #x", "#y"]))
        if kind == "scalar":
            lines.append(f"{key}:{spaces}{draw(words)}{comment}")
        elif kind == "flow":
            items = draw(st.lists(words, max_size=3))
            lines.append(f"{key}: [{', '.join(items)}]{comment}")
        elif kind == "block":
            lines.append(f"{key}:{comment}")
            indent = draw(st.sampled_from(["  ", "    "] if plain else ["  ", "    ", "", " "]))
            for _ in range(draw(st.integers(1 if plain else 0, 3))):
                lines.append(f"{indent}- {draw(words)}{draw(st.sampled_from(['', ' # c']))}")
                if draw(st.booleans()):
                    lines.append(draw(st.sampled_from(["", "  # between", "# between"])))
        elif kind == "comment":
            lines.append(draw(st.sampled_from(["# a comment", "  # indented", "#"])))
        elif kind == "blank":
            lines.append(draw(st.sampled_from(["", "   "])))
        elif kind == "empty":
            lines.append(f"{key}:")
        elif kind == "nested":
            lines += [f"{key}:", f"  inner: {draw(WORDS)}"]
        else:
            lines.append(draw(st.sampled_from(["---", "...", "\tlocation: knee", "location: knee\r", "? a",
                                               "- top", "%YAML 1.1", "location : knee"])))
    return "\n".join(lines) + draw(st.sampled_from(["", "\n", "\n\n"]))


@given(documents())
def test_whatever_it_reads_it_reads_exactly_as_pyyaml(text: str) -> None:
    simple = read_simple_case(text)
    if simple is not None:
        assert located(simple) == pyyaml(text), text


@pytest.mark.parametrize("text", [
    "location: knee.outer\nside: right\nonset: gradual\nwhen: [after-distance]\nworse_with: [downhill, stairs-down]\n"
    "duration_days: 10\nload_change: large\n",
    "# my knee\nlocation: knee.outer  # the outside\nwhen:\n  - after-distance\n  - during-run\npop: no\n",
    "location: calf\nrecent_immobility: yes\nsigns: []\n",
    'location: "knee.outer"\nwhen: ["after-distance"]\nduration_days: 10\nhills: "lots"\n',  # as json.dumps writes
])
def test_a_plain_case_file_takes_the_fast_way(text: str) -> None:
    simple = read_simple_case(text)
    assert simple is not None and located(simple) == pyyaml(text)


@pytest.mark.parametrize("text", [
    "location: knee.outer\nnote: The race is in three weeks.\n",  # free text: PyYAML reads it
    "case:\n  location: calf\n",  # a vignette
    "location: knee\nlocation: calf\n",  # PyYAML reports the duplicate
    "location: 'it''s'\n", "", "# only a comment\n", "duration_days: 010\n", "pop: null\n", "when:\n",
    "location: knee # after the fall\u2028signs: [deformity]\n",  # YAML ends a line at U+2028 too
    "when: [after-run,\xa0during-run]\n", "location: knee\n# \x01\n", "location: knee\x0c\n",
])
def test_anything_else_is_left_to_pyyaml(text: str) -> None:
    assert read_simple_case(text) is None
