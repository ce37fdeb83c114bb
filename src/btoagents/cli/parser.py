"""The ``btoagents`` argument parser: one subcommand per module, usage errors in one line,
and help that shows every option's default.

Each module named in :data:`COMMANDS` has ``add_parser(subparsers) -> ArgumentParser``,
which adds its subcommand, and ``run(args, console) -> int``, which runs it. It may also
have ``interrupted_line(args) -> str``: what a SIGINT or SIGTERM during the command reports.
These modules import nothing heavy at import time (their ``run`` does), so that
``btoagents --help`` and usage errors answer without loading the scientific stack.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any, NoReturn

from btoagents import __version__

#: the subcommands' modules, in the order ``btoagents --help`` lists them
COMMANDS = (
    "btoagents.cli.run",
    "btoagents.cli.scenarios",
    "btoagents.cli.demo",
    "btoagents.cli.sweep",
    "btoagents.cli.optimize",
    "btoagents.cli.select",
    "btoagents.cli.analyze",
    "btoagents.cli.discover",
    "btoagents.cli.status",
    "btoagents.cli.validate",
    "btoagents.cli.calibrate",
    "btoagents.figures.command",
    "btoagents.viz.command",
)


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line ``error: ...`` and exit status 2,
    like every other bad input (argparse's default prints the usage block first)."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


class DefaultsFormatter(argparse.HelpFormatter):
    """Help that ends each option's line with its default, unless the line already states
    it or the default says nothing (unset, off, an empty list)."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help
        if not text or "%(default)" in text or "(default" in text:
            return text
        optional = action.nargs in (argparse.OPTIONAL, argparse.ZERO_OR_MORE)
        if (action.option_strings or optional) and _says_something(action.default):
            text += " (default: %(default)s)"
        return text


def _says_something(default: object) -> bool:
    """Whether a default is worth showing: not unset, not a flag's off, not an empty list."""
    if default is None or default is argparse.SUPPRESS or isinstance(default, bool):
        return False
    return not (isinstance(default, list | tuple) and not default)


class Subcommands(argparse._SubParsersAction):
    """The subcommands: each shows its defaults in its help, and one added without a
    description shows its help line as one."""

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        kwargs.setdefault("formatter_class", DefaultsFormatter)
        line = kwargs.get("help")
        if not kwargs.get("description") and line:
            # help lines are %-formatted by argparse, descriptions are not
            text = line.replace("%%", "%")
            kwargs["description"] = text[:1].upper() + text[1:].rstrip(".") + "."
        return super().add_parser(name, **kwargs)


def build_parser() -> OneLineParser:
    """The ``btoagents`` parser with every subcommand of :data:`COMMANDS`; each subcommand's
    namespace carries its module's ``run`` as ``handler``."""
    parser = OneLineParser(
        prog="btoagents",
        description="Agent-based simulation of hybrid build-to-order supply chains.",
        formatter_class=DefaultsFormatter,
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"btoagents {__version__}",
        help="print the version of btoagents and exit",
    )
    sub = parser.add_subparsers(
        dest="command",
        required=True,
        metavar="COMMAND",
        action=Subcommands,
        help="one of the commands below; `btoagents COMMAND --help` shows its options",
    )
    for name in COMMANDS:
        module = importlib.import_module(name)
        module.add_parser(sub).set_defaults(
            handler=module.run, interrupted_line=getattr(module, "interrupted_line", None)
        )
    return parser
