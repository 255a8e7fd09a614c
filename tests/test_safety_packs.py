"""Issue 15: a rule pack can neither silence a built-in red flag unseen nor reach the terminal
with escape sequences or Rich markup."""

from __future__ import annotations

import copy
import functools
import io
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.console import Console
from typer.testing import CliRunner, Result

from painadvisor.cli.app import app
from painadvisor.errors import RuleError, printable, strip_controls
from painadvisor.kb import rulefields
from painadvisor.kb.loader import builtin_rules_dir, load_knowledge_base, override_warnings, pack_paths

CALF_AFTER_FLIGHT = ["--location", "calf", "--recent-immobility", "--signs", "calf-swollen-one-side"]
NEVER = {"all": [{"fact": "age", "at_least": 99}, {"fact": "age", "at_most": 99},
                 {"fact": "location", "value": "calf"}]}  # so narrow that no runner is ever matched


def invoke(*args: str | Path) -> Result:
    return CliRunner().invoke(app, [str(arg) for arg in args])


@functools.cache
def builtin_entries() -> dict[tuple[str, str], dict[str, Any]]:
    entries = {}
    for path in sorted(builtin_rules_dir().glob("*.yaml")):
        for section, items in (yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}).items():
            entries.update({(section, item["id"]): item for item in items if isinstance(item, dict) and "id" in item})
    return entries


def builtin_entry(section: str, entry_id: str) -> dict[str, Any]:
    return copy.deepcopy(builtin_entries()[section, entry_id])


def write_pack(path: Path, document: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(document, allow_unicode=False, sort_keys=False), encoding="utf-8")
    return path


def silenced_dvt(tmp_path: Path, *, choose: bool, name: str = "silence-dvt.yaml") -> Path:
    """The reported pack: the built-in `dvt` flag replaced by one whose trigger never fires."""
    flag = {**builtin_entry("red_flags", "dvt"), "override": True, "trigger": NEVER}
    document: dict[str, Any] = {"overrides_builtin_safety": True} if choose else {}
    return write_pack(tmp_path / name, {**document, "red_flags": [flag]})


@pytest.fixture(scope="module")
def packs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for the packs of this module: written once, so each is validated once and then
    read from the knowledge-base cache."""
    return tmp_path_factory.mktemp("packs")


@pytest.fixture(scope="module")
def unchosen(packs: Path) -> Path:
    return silenced_dvt(packs, choose=False, name="unchosen.yaml")


@pytest.fixture(scope="module")
def chosen(packs: Path) -> Path:
    return silenced_dvt(packs, choose=True, name="chosen.yaml")


@pytest.fixture(scope="module")
def hostile(packs: Path) -> Path:
    return hostile_pack(packs)


# --- a built-in red flag is never replaced unseen -----------------------------------------

def test_a_pack_that_silences_dvt_is_refused_naming_the_flag(unchosen: Path) -> None:
    pack = unchosen
    checked = invoke("rules", "check", pack)
    assert checked.exit_code == 1
    [problem, summary] = checked.stdout.splitlines()
    line = pack.read_text(encoding="utf-8").splitlines().index("  override: true") + 1
    assert problem.startswith(f"{pack}:{line}: red flag 'dvt' is built in (first in ")
    assert problem.endswith("a pack may add red flags, but replacing or narrowing a built-in one needs "
                            "'overrides_builtin_safety: true' at the top of the file")
    assert summary == "1 problem found"
    advised = invoke("advise", *CALF_AFTER_FLIGHT, "--no-save", "--rules", pack)
    assert advised.exit_code == 1 and "Self-care" not in advised.stdout
    assert "red flag 'dvt' is built in" in advised.stderr


def test_the_same_pack_as_json_is_refused_too(tmp_path: Path) -> None:
    pack = tmp_path / "silence-dvt.json"
    flag = {**builtin_entry("red_flags", "dvt"), "override": True, "trigger": NEVER}
    pack.write_text(json.dumps({"red_flags": [flag]}), encoding="utf-8")
    with pytest.raises(RuleError) as raised:
        load_knowledge_base(pack_paths([pack]), cache=False)
    assert [problem.split(" (first in ")[0] for problem in raised.value.problems] == [
        f"{pack}: red flag 'dvt' is built in"]


def test_with_the_explicit_key_the_override_is_recorded_and_reported(chosen: Path) -> None:
    pack = chosen
    kb = load_knowledge_base(pack_paths([pack]))
    assert kb.overrides == (("dvt", str(pack)),)
    assert override_warnings(kb) == [
        f"warning: {pack}: replaces the built-in red flag 'dvt' (overrides_builtin_safety: true); "
        "its advice is no longer the built-in one"]
    assert invoke("rules", "check", pack).exit_code == 0
    assert load_knowledge_base(pack_paths([pack]), cache=False).overrides == kb.overrides  # cached or not


def test_rules_check_prints_the_override_warning(chosen: Path) -> None:
    pack = chosen
    checked = invoke("rules", "check", pack)
    assert checked.exit_code == 0
    assert f"warning: {pack}: replaces the built-in red flag 'dvt'" in checked.stdout


def test_the_built_in_pack_overrides_nothing(kb: Any) -> None:
    assert kb.overrides == ()


def test_a_pack_may_add_red_flags_and_override_other_entries_without_the_key(tmp_path: Path) -> None:
    flag = {"id": "my-clinic-flag", "name": "Ask the clinic", "triage": "see-doctor", "message": "Call us.",
            "trigger": {"fact": "location", "any_of": ["calf"]}, "sources": ["taunton2002"]}
    question = {**builtin_entry("questions", "location"), "override": True}
    pack = write_pack(tmp_path / "adds.yaml", {"red_flags": [flag], "questions": [question]})
    kb = load_knowledge_base(pack_paths([pack]), cache=False)
    assert "my-clinic-flag" in {flag.id for flag in kb.red_flags} and kb.overrides == ()


def test_a_pack_overriding_its_own_flag_needs_no_key(tmp_path: Path) -> None:
    flag = {"id": "my-clinic-flag", "name": "Ask the clinic", "triage": "see-doctor", "message": "Call us.",
            "trigger": {"fact": "location", "any_of": ["calf"]}, "sources": ["taunton2002"]}
    first = write_pack(tmp_path / "a.yaml", {"red_flags": [flag]})
    second = write_pack(tmp_path / "b.yaml", {"red_flags": [{**flag, "override": True, "name": "Renamed"}]})
    kb = load_knowledge_base(pack_paths([first, second]), cache=False)
    assert next(flag for flag in kb.red_flags if flag.id == "my-clinic-flag").name == "Renamed"


def test_a_later_pack_cannot_ride_on_an_earlier_packs_key(chosen: Path, unchosen: Path) -> None:
    with pytest.raises(RuleError) as raised:
        load_knowledge_base(pack_paths([chosen, unchosen]))
    assert [problem.split(":")[0] for problem in raised.value.problems] == [str(unchosen)]


@pytest.mark.parametrize("value", ["yes", 1, "true"])
def test_the_key_must_be_true_or_false(tmp_path: Path, value: object) -> None:
    pack = write_pack(tmp_path / "p.yaml", {"overrides_builtin_safety": value, "sources": []})
    with pytest.raises(RuleError) as raised:
        load_knowledge_base(pack_paths([pack]), cache=False)
    assert raised.value.problems == [f"{pack}:1: overrides_builtin_safety must be true or false"]


# --- escape sequences and markup from a pack ------------------------------------------------

OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x07"  # write to the clipboard
OSC8 = "\x1b]8;;https://evil.example/\x1b\\"  # a hyperlink
CLEAR = "\x1b[2J\x1b[H"  # clear the screen
ESCAPES = ("\x1b", "\x9b", "\x9d", "\x07", "\x90", "\x9c")


def hostile_pack(tmp_path: Path) -> Path:
    source = {"id": "evil2024", "authors": f"Evil{OSC52} Team", "year": 2024, "title": f"Title{CLEAR}",
              "published": "J \x9b31mEvil"}
    cause = {"id": "evil-cramp", "name": f"Calf cramp {OSC52}(evil)", "area": "shin-calf", "level": "self-care",
             "base_rate": 0.5, "explanation": f"It explains{CLEAR} itself\x00.",
             "evidence": [{"fact": "location", "any_of": ["calf"], "weight": 6.0,
                           "note": f"a {OSC8}link{OSC8} in a note"}],
             "sources": ["evil2024"]}
    flag = {"id": "evil-flag", "name": f"Evil {CLEAR}flag [/bold]", "triage": "see-doctor",
            "message": "Message\x1b]0;window title\x07 [red]here[/red]", "running": "Stop\x07.",
            "trigger": {"fact": "location", "any_of": ["calf"]}, "sources": ["evil2024"]}
    tip = {"id": "evil-tip", "kind": "now", "text": f"Rest{CLEAR} [/bold] and [link=https://x]ice[/link].",
           "sources": ["evil2024"], "for_causes": ["evil-cramp"]}
    question = builtin_entry("questions", "location")
    question["override"] = True
    question["text"] = f"Where{CLEAR} does it hurt? [/bold]"
    question["choices"] = [{**choice, "group": "Calf [/bold]", "label": f"calf {OSC52}muscle"}
                           if choice["value"] == "calf" else choice for choice in question["choices"]]
    return write_pack(tmp_path / "hostile.yaml", {"sources": [source], "causes": [cause], "red_flags": [flag],
                                                  "tips": [tip], "questions": [question]})


@pytest.mark.parametrize("args", [
    pytest.param(["advise", "--location", "calf", "--no-save"], id="advise-text"),
    pytest.param(["advise", "--location", "calf", "--no-save", "--explain"], id="advise-explain"),
    pytest.param(["advise", "--location", "calf", "--no-save", "--format", "json"], id="advise-json"),
    pytest.param(["advise", "--location", "calf", "--no-save", "--format", "markdown"], id="advise-markdown"),
    pytest.param(["rules", "list"], id="rules-list"),
    pytest.param(["explain", "evil-cramp"], id="explain"),
    pytest.param(["causes"], id="causes"),
])
def test_escape_sequences_from_a_pack_never_reach_stdout(hostile: Path, args: list[str]) -> None:
    pack = hostile
    result = invoke(*args, "--rules", pack)
    assert result.exit_code == 0, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not any(code in result.stdout for code in ESCAPES), repr(result.stdout)
    if args[0] == "advise" and "json" in args:
        advice = json.loads(result.stdout)
        assert advice["causes"][0]["name"] == "Calf cramp (evil)"
        assert [flag["name"] for flag in advice["red_flags"] if flag["id"] == "evil-flag"] == [
            "Evil flag [/bold]"]
    elif args[0] == "advise" and "markdown" not in args:
        assert "Evil flag [/bold]" in result.stdout  # markup is shown literally, never interpreted


def test_the_knowledge_base_holds_only_clean_text(hostile: Path) -> None:
    kb = load_knowledge_base(pack_paths([hostile]))
    cause = kb.cause("evil-cramp")
    assert (cause.name, cause.explanation, cause.evidence[0].note) == (
        "Calf cramp (evil)", "It explains itself.", "a link in a note")
    question = next(question for question in kb.questions if question.id == "location")
    calf = next(choice for choice in question.choices if choice.value == "calf")
    assert (question.text, calf.group, calf.label) == ("Where does it hurt? [/bold]", "Calf [/bold]", "calf muscle")
    assert kb.sources["evil2024"].citation() == "Evil Team (2024). Title. J Evil."


def test_the_consultation_shows_a_hostile_group_label_literally(hostile: Path) -> None:
    from painadvisor.cli.session import Session

    kb = load_knowledge_base(pack_paths([hostile]))
    screen = io.StringIO()
    replies = iter(["Calf [/bold]"])

    def read_line(prompt: str) -> str:
        screen.write(prompt)
        try:
            return next(replies)
        except StopIteration:
            raise EOFError from None

    with pytest.raises(EOFError):  # the script ran out, never a MarkupError
        Session(kb, Console(file=screen, width=100, color_system=None), read_line).run()
    assert not any(code in screen.getvalue() for code in ESCAPES)


@pytest.mark.parametrize(("raw", "clean"), [
    pytest.param("Calf \x1b[2J\x1b[Hcramp", "Calf cramp", id="csi"),
    pytest.param("a\x1b]52;c;SGVsbG8=\x07b", "ab", id="osc-52-bel"),
    pytest.param("a\x1b]8;;http://e\x1b\\link\x1b]8;;\x1b\\b", "alinkb", id="osc-8-st"),
    pytest.param("a\x9b31mb\x9d0;t\x9cc", "abc", id="c1-csi-and-osc"),
    pytest.param("a\x1bPqdata\x1b\\b", "ab", id="dcs"),
    pytest.param("one\ttwo\nthree\r\nfour", "one two three four", id="white-space"),
    pytest.param("bell\x07 nul\x00 del\x7f", "bell nul del", id="c0"),
    pytest.param("right\u202eto-left", "rightto-left", id="bidi-override"),
    pytest.param("[/bold] [red]x[/red]", "[/bold] [red]x[/red]", id="markup-stays-literal"),
    pytest.param("Café ☕ 10 km", "Café ☕ 10 km", id="unicode-kept"),
])
def test_rule_text_is_cleaned(raw: str, clean: str) -> None:
    assert rulefields.text(raw, 1) == clean


@pytest.mark.parametrize("raw", ["\x1b[2J", " \x07 ", "\x1b]52;c;AAAA\x07"])
def test_text_that_is_only_escapes_is_empty(raw: str) -> None:
    with pytest.raises(rulefields.FieldError, match="must be non-empty text"):
        rulefields.text(raw, 3)


def test_messages_show_control_characters_as_question_marks() -> None:
    assert printable("bad\x1b[2J\nname") == "bad?[2J?name"
    assert strip_controls("keep\ttabs\x1b[1m", keep_whitespace=True) == "keep\ttabs"


def test_a_rule_problem_quoting_an_escape_is_printed_inert(tmp_path: Path) -> None:
    pack = tmp_path / "p.yaml"
    pack.write_text('"evil\\e]52;c;AAAA\\a": []\n', encoding="utf-8")
    result = invoke("rules", "check", pack)
    assert result.exit_code == 1
    assert not any(code in result.stdout for code in ESCAPES)
    assert "unknown section 'evil?]52;c;AAAA?'" in result.stdout
