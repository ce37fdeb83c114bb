"""The ``btoagents`` command line: dispatch and the error policy shared by every command.

Errors from bad input are printed as one line ``error: ...`` and exit with status 2;
warnings (e.g. no steady state) as one line ``warning: ...``. SIGINT (Ctrl-C) and SIGTERM
stop any command with one line ``interrupted: ...`` and exit status 130 or 143, after what
it holds (a sweep's finished runs) is stored.

The parser is built in :mod:`~btoagents.cli.parser` and the signals handled in
:mod:`~btoagents.cli.interrupts`; each subcommand is one module (``btoagents.cli.run``,
``btoagents.cli.sweep``, ..., ``btoagents.figures.command``, ``btoagents.viz.command``).
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

from btoagents.cli.interrupts import Interrupted, report_interrupted, signals_raise
from btoagents.cli.parser import COMMANDS, OneLineParser, build_parser
from btoagents.errors import BtoagentsError

__all__ = ["COMMANDS", "Interrupted", "OneLineParser", "build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``btoagents`` console script; returns the exit status."""
    args = None
    with signals_raise():
        try:
            args = build_parser().parse_args(argv)
            return _dispatch(args)
        except KeyboardInterrupt as exc:
            return report_interrupted(args, exc)


def _dispatch(args: argparse.Namespace) -> int:
    """Run the command ``args`` names; bad input is one ``error:`` line and status 2, and
    each of btoagents' warnings one ``warning:`` line."""
    from rich.console import Console

    console = Console()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        try:
            status = args.handler(args, console)
        except BtoagentsError as exc:
            status = 2
            print(f"error: {exc}", file=sys.stderr)
        if caught:
            from btoagents.config import SteadyStateWarning

            for w in caught:
                ours = issubclass(w.category, UserWarning) and "btoagents" in (w.filename or "")
                if ours or issubclass(w.category, SteadyStateWarning):
                    print(f"warning: {w.message}", file=sys.stderr)
    return status
