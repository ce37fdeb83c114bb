"""``btoagents status``: how far a sweep is, from its stored results alone."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``status`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "status",
        help="how far a sweep is",
        description="Show how far a sweep is from its stored results: runs ok, failed "
        "(with their error lines), lost and missing, and damaged parts. Read-only (takes no "
        "lock), so a sweep may be running meanwhile.",
    )
    p.add_argument("results", help="results folder of one experiment, e.g. results/tiny")
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Print the status lines of the results folder."""
    from btoagents.experiment.status import status, status_lines

    for line in status_lines(status(args.results)):
        console.print(line, highlight=False, soft_wrap=True, markup=False)
    return 0
