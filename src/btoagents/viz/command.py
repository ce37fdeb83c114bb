"""The ``btoagents dashboard`` subcommand: serve the SolaraViz page on localhost."""

from __future__ import annotations

import argparse


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Add ``dashboard`` to the CLI's subcommands."""
    p = sub.add_parser("dashboard", help="watch and steer one run in the browser (SolaraViz)")
    p.add_argument("scenario", nargs="?", default="dealer-network", help="preset or TOML file")
    p.add_argument("--port", type=int, default=8765, help="port on 127.0.0.1")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, console) -> int:
    from btoagents.viz.server import serve

    return serve(args, console)
