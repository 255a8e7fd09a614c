"""The console script.  Plain, well-formed calls of the common commands run without Typer.

Typer builds a pydantic adapter for every value it parses, which costs more than the
advice itself, and ``advise`` is what scripts call in loops.  So ``main`` first tries to
read the arguments itself, from the same tables Typer's commands are declared from
(``optiontable``, and the vocabulary for ``advise``): only options the command has, each
with a value where it needs one, and its positional arguments.  Anything else (help,
another command, an unknown or malformed option) goes to the full Typer CLI, which gives
the same result and the usual messages.  Both paths run the same ``actions``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

from painadvisor.cli import optiontable
from painadvisor.kb.vocabulary import FACTS, Kind


def parse(command: optiontable.Command, args: list[str]) -> dict[str, Any] | None:
    """The options of a plain call of ``command``, or None when only the full CLI should handle it."""
    table = [option for option in command.options if option.fast]
    if len(table) != len(command.options) and any(
            word.partition("=")[0] in option.flags for option in command.options if not option.fast for word in args):
        return None
    values = {flag: option for option in table if option.kind != "switch" for flag in option.flags}
    switches = {flag: option.dest for option in table if option.kind == "switch" for flag in option.flags}
    facts = {fact.flag: fact for fact in FACTS} if command.facts else {}
    for fact in FACTS if command.facts else ():
        if fact.kind is Kind.YES_NO:
            name = fact.id.replace("_", "-")
            switches[f"--{name}"], switches[f"--no-{name}"] = f"+{fact.id}", f"-{fact.id}"
    options: dict[str, Any] = {option.dest: option.default for option in table}
    if command.facts:
        options["flags"] = {}
    positionals: list[str] = []
    position = 0
    while position < len(args):
        word = args[position]
        if not word.startswith("-") or word == "-":
            positionals.append(word)
            position += 1
            continue
        # '--name=value'; a short option takes no '=' (Click reads '-o=x' as the value '=x')
        name, has_value, value = word.partition("=") if word.startswith("--") else (word, "", "")
        if name in switches and not has_value:
            target = switches[name]
            if target[0] in "+-":
                options["flags"][target[1:]] = target[0] == "+"
            else:
                options[target] = True
            position += 1
            continue
        if name not in values and (name not in facts or facts[name].kind is Kind.YES_NO):
            return None
        if not has_value:
            if position + 1 >= len(args) or (args[position + 1].startswith("-") and args[position + 1] != "-"):
                return None
            value = args[position + 1]
            position += 1
        position += 1
        if name in values:
            option = values[name]
            if option.kind in ("texts", "paths"):  # a text as given: '' must stay an error, not become '.'
                options[option.dest] = [*(options[option.dest] or []), Path(value) if option.kind == "paths" else value]
            elif option.kind == "choice" and value not in option.choices:
                return None  # Typer says what the choices are
            else:
                options[option.dest] = Path(value) if option.kind == "path" else value
        elif facts[name].kind is Kind.MANY:
            options["flags"].setdefault(facts[name].id, []).append(value)
        else:
            options["flags"][facts[name].id] = value
    if len(positionals) != len(command.positionals):
        return None  # Typer says what is missing or extra
    options.update(zip(command.positionals, positionals, strict=True))
    for option in table:  # as Click reads an environment variable: an empty one is not set
        if option.envvar and options[option.dest] is None and os.environ.get(option.envvar):
            options[option.dest] = Path(os.environ[option.envvar]) if option.kind == "path" else \
                os.environ[option.envvar]
    return options


def parse_advise(args: list[str]) -> dict[str, Any] | None:
    return parse(optiontable.ADVISE, args)


def run_fast(args: list[str]) -> int | None:
    """Run a plain call of a common command; None when the full CLI should take it."""
    if not args or args[0] not in optiontable.COMMANDS:
        return None
    options = parse(optiontable.COMMANDS[args[0]], args[1:])
    if options is None:
        return None
    from painadvisor.errors import EXIT_INTERRUPTED, PainAdvisorError, fail, quiet_broken_pipe

    try:
        _run(args[0], options)
    except PainAdvisorError as err:
        return fail(str(err), err.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("\npainadvisor: interrupted\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return quiet_broken_pipe()
    return 0


def _run(name: str, options: dict[str, Any]) -> None:
    from painadvisor.cli import actions, rule_commands

    rules = options.get("rules") or []
    if name == "explain":
        rule_commands.explain(options["cause_id"], optiontable.ListFormat(options["output_format"]), rules)
    elif name == "causes":
        rule_commands.causes(optiontable.ListFormat(options["output_format"]), rules)
    elif name == "facts":
        rule_commands.facts(optiontable.OutputFormat(options["output_format"]), rules)
    elif name == "schema":
        rule_commands.schema()
    else:
        db = None
        if not options["no_save"]:
            from painadvisor.files.paths import db_path

            db = db_path(options["db"])
        output_format = optiontable.OutputFormat(options["output_format"])
        if name == "ask":
            actions.ask(options["replay"], output_format, options["output"], force=options["force"],
                        explain=options["explain"], db=db, rules=rules)
            return
        from painadvisor.kb.cases import case_from_flags

        actions.advise(options["case_file"], case_from_flags(options["flags"]), output_format, options["output"],
                       force=options["force"], explain=options["explain"], db=db, rules=rules,
                       save=True if options["save"] else None, training=options["training"] or [])


def load_pack_facts(args: list[str]) -> None:
    """Rule packs may add facts, and each fact is a flag: when packs are given (``--rules`` or
    ``PAINADVISOR_RULES``), they are loaded before any flag is parsed.  A pack that cannot be
    loaded is reported later, by the command that reads it."""
    packs = [value for name, value in zip(args, args[1:], strict=False) if name == "--rules"]
    packs += [word.partition("=")[2] for word in args if word.startswith("--rules=")]
    if not packs and not os.environ.get("PAINADVISOR_RULES", "").strip():
        return
    from painadvisor.errors import PainAdvisorError
    from painadvisor.kb.loader import load_knowledge_base

    try:
        load_knowledge_base(packs=[pack for pack in packs if pack.strip()])
    except PainAdvisorError:
        pass


ASCII_FALLBACK = {"•": "*", "█": "#", "░": ".", "⚠": "!", "·": "-", "…": "...", "—": "-", "–": "-",
                  "━": "=", "┃": "|", "┏": "+", "┓": "+", "┗": "+", "┛": "+", "─": "-", "│": "|", "╭": "+",
                  "╮": "+", "╰": "+", "╯": "+", "’": "'", "‘": "'", "“": '"', "”": '"', "≥": ">=", "≤": "<=",
                  "×": "x", "°": " deg", "é": "e", "ö": "o", "ü": "u", "ç": "c"}


def _ascii_fallback(error: UnicodeError) -> tuple[str, int]:
    """Characters the output cannot encode (a Windows console, LANG=C) become plain ASCII."""
    assert isinstance(error, UnicodeEncodeError)
    text = error.object[error.start:error.end]
    return "".join(ASCII_FALLBACK.get(char, "?") for char in text), error.end


def _safe_streams() -> None:
    import codecs

    codecs.register_error("painadvisor-ascii", _ascii_fallback)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
        if encoding not in ("utf8", "utf16", "utf32") and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="painadvisor-ascii")


def main() -> None:
    if os.environ.get("NO_COLOR") == "":
        os.environ.pop("NO_COLOR")  # an empty NO_COLOR means "not set" (no-color.org)
    _safe_streams()
    load_pack_facts(sys.argv[1:])
    code = run_fast(sys.argv[1:])
    fast = code is not None
    if code is None:
        from painadvisor.cli.app import main as full_cli

        try:
            full_cli()
            code = 0
        except SystemExit as done:
            if done.code is not None and not isinstance(done.code, int):
                raise
            code = done.code or 0
    code = _flushed(code)
    if fast and sys.argv[1] != "ask":
        # Everything is written, flushed and closed (files are written atomically, the history in
        # a finished transaction): skip freeing the knowledge base object by object, a tenth of a run.
        os._exit(code)
    sys.exit(code)


def _flushed(code: int) -> int:
    """``code`` once standard output and error are flushed (141 if the reader of the output went
    away); a closed stream (``2>&-``) is no failure."""
    for stream in (sys.stdout, sys.stderr):
        if stream is None:
            continue
        try:
            stream.flush()
        except BrokenPipeError:
            if stream is sys.stdout:
                from painadvisor.errors import quiet_broken_pipe

                code = quiet_broken_pipe()
        except (OSError, ValueError):
            pass
    return code
