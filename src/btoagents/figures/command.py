"""The ``btoagents figures`` subcommand: run the paper's experiments and render its figures."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``figures`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "figures",
        help="run the paper's experiments (resuming) and write every figure to paper/figures/",
    )
    p.add_argument("--quick", action="store_true", help="small scale, a few minutes")
    p.add_argument("--results", default="results", help="results root folder")
    p.add_argument("--out", default="paper/figures", help="figure folder")
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    from btoagents.pipeline import main

    return main(args, console)
