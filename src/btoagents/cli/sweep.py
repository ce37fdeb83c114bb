"""``btoagents sweep``: run (or resume) a designed experiment; its results go under
``RESULTS/<name>/``, and an interrupted sweep continues where it stopped."""

from __future__ import annotations

import argparse
import warnings
from typing import TYPE_CHECKING

from btoagents.cli.executor_options import add_executor_options, executor_arguments
from btoagents.errors import BtoagentsError

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``sweep`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "sweep",
        help="run (or resume) a designed experiment; results under results/<name>/",
        description="Run every (design point, arm, replication) of an experiment file that is "
        "not stored yet. Interrupt it and run it again: it continues where it stopped.",
    )
    p.add_argument("experiment", help="experiment TOML file (see experiments/)")
    add_executor_options(
        p, "dask", "where runs execute (default: dask LocalCluster on this machine)"
    )
    p.add_argument(
        "--replications",
        "-r",
        type=int,
        metavar="R",
        help="override the file's replications (default: the file's)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="run even when a run's pre-run estimate exceeds the event or memory limit "
        "(as force = true in the experiment file)",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="also run again the runs stored as failed (once their cause is fixed); "
        "their new rows replace the old ones",
    )
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the sweep, then print its summary line and what to do about failed runs."""
    from btoagents.experiment import sweep

    summary = sweep(
        args.experiment,
        replications=args.replications,
        retry_failed=args.retry_failed,
        force=args.force,
        **executor_arguments(args),
    )
    console.print(summary.line(), highlight=False, soft_wrap=True)
    failed = summary.failed - summary.lost
    if failed:
        console.print(
            f"{failed} runs failed: `btoagents status {summary.folder}` shows their errors; "
            f"once the cause is fixed, `btoagents sweep {args.experiment} --retry-failed` "
            "runs them again",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    if summary.lost:
        console.print(
            f"{summary.lost} runs lost to dead workers: the same command runs them again",
            highlight=False,
            soft_wrap=True,
            markup=False,
        )
    return 0


def interrupted_line(args: argparse.Namespace) -> str:
    """What an interrupted sweep reports: how many runs are stored, and how to go on."""
    return f"{stored_runs(args)} runs stored, rerun the same command to continue"


def stored_runs(args: argparse.Namespace) -> int:
    """Runs stored as done (ok or failed) in a sweep's results folder: a rerun skips them."""
    from btoagents.experiment.spec import load_experiment
    from btoagents.experiment.store import ResultStore
    from btoagents.experiment.sweep import results_folder

    try:
        with warnings.catch_warnings():  # a damaged part: the rerun says so
            warnings.simplefilter("ignore")
            spec = load_experiment(args.experiment)[0]
            return len(ResultStore(results_folder(spec, args.results)).done_keys())
    except (BtoagentsError, OSError):
        return 0
