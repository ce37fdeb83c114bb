"""The options every command that runs an experiment's runs shares (``sweep``, ``optimize``,
``select``): where the runs execute, the results root, starting again, and the check of
``--workers``. One definition, so the three commands say the same thing the same way."""

from __future__ import annotations

import argparse
from typing import Any

from btoagents.errors import BtoagentsError


def add_executor_options(
    p: argparse.ArgumentParser, default: str, executor_help: str = "where runs execute"
) -> None:
    """Add ``--executor`` (default ``default``), ``--workers``, ``--scheduler``, ``--new``
    and ``--results`` to the subcommand ``p``."""
    p.add_argument(
        "--executor",
        default=default,
        choices=["serial", "process", "dask"],
        help=executor_help,
    )
    p.add_argument("--workers", type=int, metavar="N", help="worker processes (default: all cores)")
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask)",
    )
    p.add_argument(
        "--new",
        action="store_true",
        help="the file changed: move old results aside and start again",
    )
    p.add_argument(
        "--results",
        "--out",
        dest="results",
        metavar="DIR",
        default="results",
        help="results root folder: the runs and tables go to DIR/<name>/",
    )


def check_workers(args: argparse.Namespace) -> None:
    """Refuse ``--workers`` below 1 in one line."""
    if args.workers is not None and args.workers < 1:
        raise BtoagentsError(f"--workers = {args.workers}: must be at least 1")


def executor_arguments(args: argparse.Namespace) -> dict[str, Any]:
    """The parsed options of :func:`add_executor_options` as the keyword arguments that
    ``sweep``, ``optimize`` and ``select`` take, ``--workers`` checked first."""
    check_workers(args)
    return {
        "executor": args.executor,
        "workers": args.workers,
        "scheduler": args.scheduler,
        "new": args.new,
        "results_root": args.results,
    }
