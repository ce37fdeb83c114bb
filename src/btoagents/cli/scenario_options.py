"""The options of the commands that run one scenario's replications (``run``,
``calibrate``): the scenario, ``--set`` overrides, replications, seed and JSON output."""

from __future__ import annotations

import argparse


def add_scenario(p: argparse.ArgumentParser, set_help: str) -> None:
    """The scenario (a file or preset name) and its repeatable ``--set KEY=VALUE``."""
    p.add_argument("scenario", help="scenario TOML file or preset name (see `btoagents scenarios`)")
    p.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help=set_help,
    )


def add_replications(p: argparse.ArgumentParser, default: str) -> None:
    """``--replications``/``-r`` (its default named by ``default``), ``--seed`` and ``--json``."""
    p.add_argument(
        "--replications", "-r", type=int, metavar="R", help=f"replications (default: {default})"
    )
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
