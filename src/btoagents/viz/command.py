"""The ``btoagents dashboard`` subcommand: serve the SolaraViz page on localhost."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from btoagents.viz import budget

if TYPE_CHECKING:
    from rich.console import Console

#: seconds a session whose page went away without closing (a dropped connection, a tab of a
#: sleeping laptop) is kept for its page to come back, before its run is freed.
SESSION_TIMEOUT = 300.0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``dashboard`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "dashboard",
        help="watch and steer one run in the browser (SolaraViz)",
        description="Serve the dashboard on 127.0.0.1. Each visitor's run has a budget: "
        "a step or run that goes over it stops with a one-line message in the page.",
    )
    p.add_argument("scenario", nargs="?", default="dealer-network", help="preset or TOML file")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1 (default: 8765)")
    p.add_argument(
        "--step-events",
        type=int,
        default=budget.STEP_EVENTS,
        metavar="N",
        help="model events one step may process (default: %(default)s)",
    )
    p.add_argument(
        "--step-seconds",
        type=float,
        default=budget.STEP_SECONDS,
        metavar="S",
        help="wall-clock seconds one step may take (default: %(default)s)",
    )
    p.add_argument(
        "--run-events",
        type=int,
        default=budget.RUN_EVENTS,
        metavar="N",
        help="model events one run may process over all its steps (default: %(default)s)",
    )
    p.add_argument(
        "--memory-mb",
        type=float,
        default=budget.MEMORY_MB,
        metavar="MB",
        help="resident memory of the server beyond which runs stop and none is built "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--session-timeout",
        type=float,
        default=SESSION_TIMEOUT,
        metavar="S",
        help="seconds a disconnected page's session is kept before its run is freed "
        "(default: %(default)s)",
    )
    p.add_argument(
        "--plugin",
        action="append",
        default=[],
        metavar="KIND=SPEC",
        help="offer a plugin named by import path in the policy selector of its kind, e.g. "
        "fulfillment=examples.custom_policy:StockHot (repeatable; visitors can pick only "
        "registered plugins and these)",
    )
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    from btoagents.viz.server import serve

    return serve(args, console)
