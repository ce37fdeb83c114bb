"""The command line's help: every subcommand has a help line and a description, every option
a help line, defaults are shown and no literal ``%%`` is left in what argparse renders.

The subcommands are found on the real parser, not listed here, so a new command module is
checked as soon as it is plugged in.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from btoagents.cli import COMMANDS, build_parser, main
from btoagents.cli.parser import DefaultsFormatter, OneLineParser, Subcommands

#: modules ``btoagents --help`` must not load: the scientific stack and the console library
HEAVY = ("numpy", "pandas", "scipy", "pydantic", "mesa", "matplotlib", "dask", "rich")


def subcommands(
    parser: argparse.ArgumentParser,
) -> dict[str, tuple[str | None, argparse.ArgumentParser]]:
    """Each subcommand of ``parser``: its help line in the command list and its parser."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            lines = {choice.dest: choice.help for choice in action._choices_actions}
            return {name: (lines.get(name), sub) for name, sub in action.choices.items()}
    return {}


def option_problems(parser: argparse.ArgumentParser, where: str) -> list[str]:
    """Options and positionals of ``parser`` (other than -h) without a help line."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        text = action.help
        if text is None or text is argparse.SUPPRESS or not text.strip():
            name = "/".join(action.option_strings) or action.dest
            found.append(f"{where}: {name} has no help line")
    return found


def help_problems(parser: argparse.ArgumentParser) -> list[str]:
    """Everything wrong with the help of ``parser`` and of each of its subcommands."""
    found = option_problems(parser, parser.prog)
    if "%%" in parser.format_help():
        found.append(f"{parser.prog} --help shows a literal %%")
    for name, (line, sub) in subcommands(parser).items():
        if not line or not line.strip():
            found.append(f"{name}: no help line in the command list")
        if not sub.description or not sub.description.strip():
            found.append(f"{name}: no description")
        if "%%" in sub.format_help():
            found.append(f"{name} --help shows a literal %%")
        found.extend(option_problems(sub, name))
    return found


def every_help(parser: argparse.ArgumentParser) -> str:
    """The top-level help and every subcommand's, as rendered."""
    parts = [parser.format_help()]
    parts += [sub.format_help() for _, sub in subcommands(parser).values()]
    return "\n".join(parts)


def command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m btoagents.cli``."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    script = shutil.which("btoagents", path=search)
    return [script] if script else [sys.executable, "-m", "btoagents.cli"]


# --- the real parser ---------------------------------------------------------------------


def test_the_walk_finds_a_subcommand_for_every_command_module():
    found = subcommands(build_parser())
    assert len(found) == len(COMMANDS) > 0


def test_every_subcommand_and_option_has_help_and_no_literal_percent_signs():
    assert help_problems(build_parser()) == []


def test_defaults_are_shown_but_not_the_empty_ones():
    parser = build_parser()
    dashboard = subcommands(parser)["dashboard"][1].format_help()
    assert "(default: dealer-network)" in dashboard  # the optional positional
    assert "(default: 8765)" in dashboard
    text = every_help(parser)
    assert "(default: results)" in text  # sweep's and figures' --results
    for empty in ("(default: None)", "(default: False)", "(default: [])"):
        assert empty not in text, empty
    assert "(default: (default" not in text  # a stated default is not stated twice


def test_run_help_renders_95_percent_once_escaped():
    parser = build_parser()
    for text in (parser.format_help(), subcommands(parser)["run"][1].format_help()):
        assert "95% confidence" in " ".join(text.split())


def test_each_subcommands_help_as_the_command_line_prints_it(capsys):
    # `btoagents COMMAND --help` for every subcommand: exit 0, its description, every option
    # with its help line, no literal %% (what a user reads, not only the parser's objects)
    for name, (_, sub) in subcommands(build_parser()).items():
        with pytest.raises(SystemExit) as info:
            main([name, "--help"])
        assert info.value.code == 0, name
        text = " ".join(capsys.readouterr().out.split())
        assert text.startswith(f"usage: btoagents {name}"), name
        assert " ".join(sub.description.split()) in text, name
        assert "%%" not in text, name
        for action in sub._actions:
            for option in action.option_strings:
                assert option in text, (name, option)
            if action.help and action.help is not argparse.SUPPRESS:
                first = " ".join(action.help.replace("%%", "%").split()[:3])
                if "%(" not in first:
                    assert first in text, (name, first)


def test_version_prints_the_installed_package_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out == f"btoagents {metadata.version('btoagents')}\n"


# --- the checks above can fail -----------------------------------------------------------


def test_the_check_finds_a_missing_help_line_option_help_and_a_literal_percent():
    parser = argparse.ArgumentParser(prog="demo-cli")
    parser.add_argument("--loud", action="store_true")  # no help
    sub = parser.add_subparsers(dest="command", help="the command")
    bare = sub.add_parser("bare")  # no help line, no description
    bare.add_argument("--level", type=int, help="")
    sub.add_parser("escaped", help="ok", description="a 95%% interval")
    problems = help_problems(parser)
    assert problems == [
        "demo-cli: --loud has no help line",
        "bare: no help line in the command list",
        "bare: no description",
        "bare: --level has no help line",
        "escaped --help shows a literal %%",
    ]


def test_the_walk_finds_no_subcommands_on_a_parser_without_them():
    assert subcommands(argparse.ArgumentParser()) == {}


# --- the parser's help machinery ---------------------------------------------------------


def test_a_subcommand_without_a_description_shows_its_help_line_as_one():
    parser = OneLineParser(prog="x", formatter_class=DefaultsFormatter)
    sub = parser.add_subparsers(dest="command", action=Subcommands)
    plain = sub.add_parser("plain", help="show 95%% intervals")
    own = sub.add_parser("own", help="short", description="Its own words.")
    assert plain.description == "Show 95% intervals."
    assert "Show 95% intervals." in plain.format_help()
    assert own.description == "Its own words."


def test_the_defaults_formatter_states_a_default_once():
    parser = argparse.ArgumentParser(formatter_class=DefaultsFormatter)
    parser.add_argument("--out", default="here", help="folder")
    parser.add_argument("--port", default=1, help="port (default: one)")
    parser.add_argument("--seed", type=int, help="seed")
    parser.add_argument("--flag", action="store_true", help="flag")
    parser.add_argument("--item", action="append", default=[], help="item")
    parser.add_argument("name", help="name")
    text = parser.format_help()
    assert "folder (default: here)" in text
    assert "port (default: one)" in text and "(default: 1)" not in text
    assert text.count("(default") == 2


# --- a real process ----------------------------------------------------------------------


def test_the_console_script_help_lists_every_subcommand():
    done = subprocess.run(
        [*command(), "--help"], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "%%" not in done.stdout
    listed = re.findall(r"^    (\S+)", done.stdout, flags=re.MULTILINE)
    assert listed == list(subcommands(build_parser()))


def test_help_of_every_subcommand_loads_nothing_heavy():
    # what keeps `btoagents --help` fast: the command modules import their work in `run`
    code = (
        "import sys\n"
        "from btoagents.cli import build_parser\n"
        "parser = build_parser()\n"
        "action = parser._subparsers._group_actions[0]\n"
        "parser.format_help()\n"
        "[sub.format_help() for sub in action.choices.values()]\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[]", done.stdout
