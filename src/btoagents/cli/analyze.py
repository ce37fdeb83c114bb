"""``btoagents analyze``: a sweep's tables: each KPI's mean with its confidence interval per
design point and arm, paired differences between arms, and Sobol or Morris indices."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``analyze`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "analyze",
        help="tables with CIs, paired differences, Sobol/Morris",
        description="Analyse a sweep's stored results: each KPI's mean with its Student-t "
        "95% confidence interval per design point and arm, paired differences of every arm "
        "against the first, and Sobol or Morris indices for Saltelli or Morris designs. "
        "Prints the tables and writes them as CSV and Markdown to the results folder's "
        "analysis/.",
    )
    p.add_argument("results", help="results folder, e.g. results/bto-share-vs-capacity")
    p.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="FACTOR",
        help="pool the design points that share these factors' levels (repeatable); "
        "'--by arm' pools all of them into one row per arm",
    )
    p.add_argument(
        "--kpi",
        action="append",
        default=[],
        metavar="NAME",
        help="only these KPIs (repeatable; default: all)",
    )
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Compute, print and write the tables."""
    from btoagents.experiment.analysis import analyze
    from btoagents.report import fmt

    tables = analyze(args.results, by=args.by or None, kpis=args.kpi or None)
    for name, table in tables.items():
        console.print(f"\n[bold]{name}[/bold]")
        console.print(
            table.to_string(index=False, float_format=fmt), highlight=False, soft_wrap=True
        )
    console.print(
        f"\nTables written to {args.results}/analysis/ (CSV and Markdown)", highlight=False
    )
    return 0
