"""``btoagents select``: pick the best arm of a select file with Kim and Nelson's fully
sequential procedure under common random numbers; its runs go under ``RESULTS/<name>/``
like a sweep's, and an interrupted selection continues where it stopped."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from btoagents.cli.executor_options import add_executor_options, executor_arguments

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``select`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "select",
        help="pick the best arm (ranking and selection, Kim-Nelson, CRN)",
        description="Select the best arm of a select file (an experiment file with arms and a "
        "[select] section: kpi, direction, alpha, delta, n0, max_replications) with Kim and "
        "Nelson's fully sequential procedure KN (ACM TOMACS 2001): n0 replications of every "
        "arm, then one more of each surviving arm at a time, until one is left. It selects "
        "the best arm with probability at least 1 - alpha when the best beats the others by "
        "at least delta. Replication r of every arm uses the same seed (common random "
        "numbers). Runs are stored like a sweep's; run it again after an interruption and it "
        "continues. Prints the table and writes selection.csv and selection.json to the "
        "results folder.",
    )
    p.add_argument("experiment", help="select TOML file (see experiments/select_*.toml)")
    add_executor_options(p, "process")
    p.add_argument(
        "--force",
        action="store_true",
        help="run even when a run's pre-run estimate exceeds the event or memory limit",
    )
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the selection, then print its table and summary line."""
    from btoagents.experiment.select import select, selection_table
    from btoagents.report import fmt

    summary = select(args.experiment, force=args.force, **executor_arguments(args))
    table = selection_table(summary.selection)
    console.print(table.to_string(index=False, float_format=fmt), highlight=False, soft_wrap=True)
    console.print(summary.line(), highlight=False, soft_wrap=True, markup=False)
    console.print(
        f"Table written to {summary.folder}/selection.csv and selection.json",
        highlight=False,
        markup=False,
    )
    return 0


def interrupted_line(args: argparse.Namespace) -> str:
    """What an interrupted selection reports: runs stored, and how to go on."""
    from btoagents.experiment.select import stored_runs

    runs = stored_runs(args.experiment, args.results)
    return f"{runs} runs stored, rerun the same command to continue"
