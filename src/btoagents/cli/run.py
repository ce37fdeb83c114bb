"""``btoagents run``: one scenario's replications, and each KPI's mean with its 95%
confidence interval as a table or one JSON object."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from btoagents.cli.bounds import check_replications, check_seed
from btoagents.cli.scenario_options import add_replications, add_scenario

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``run`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "run",
        help="run one scenario's replications and show KPIs with 95%% confidence intervals",
        description="Run R replications of a scenario (a TOML file or a preset name) and "
        "print each KPI's mean with a Student-t 95% confidence interval.",
    )
    add_scenario(
        p,
        "override a scenario key, e.g. --set manufacturer.lines=2 (repeatable); "
        "only entities the scenario declares (see --add)",
    )
    p.add_argument(
        "--add",
        action="append",
        default=[],
        metavar="TABLE.NAME",
        help="declare a new product, supplier, component or intermediary with default values "
        "before the --set items, e.g. --add products.flatpack (repeatable)",
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="run even when the pre-run estimate exceeds the event or memory limit",
    )
    add_replications(p, "the scenario's")
    p.add_argument(
        "--breakdown", action="store_true", help="also show per-product and per-strategy KPIs"
    )
    p.add_argument("--runs", metavar="CSV", help="also write one row per replication to CSV")
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Check the options, load the scenario, run it and print its summary."""
    from btoagents.config import load_scenario
    from btoagents.config.budget import check_budget
    from btoagents.errors import BtoagentsError
    from btoagents.replications import simulate, summarize
    from btoagents.report import print_summary, summary_json

    check_replications(args.replications)
    check_seed(args.seed)
    scn = load_scenario(args.scenario, args.overrides, add=args.add)
    check_budget(scn, args.replications or scn.simulation.replications, force=args.force)
    started = time.perf_counter()
    runs = simulate(scn, replications=args.replications, seed=args.seed)
    elapsed = time.perf_counter() - started
    summary = summarize(runs)
    if args.runs:
        try:
            runs.to_csv(args.runs, index=False)
        except OSError as exc:
            raise BtoagentsError(f"--runs {args.runs}: cannot write: {exc.strerror}") from None
    if args.json:
        print(summary_json(scn.name, len(runs), summary))
    else:
        title = (
            f"{scn.name}: {len(runs)} replications of {scn.simulation.horizon:g} days "
            f"(warm-up {scn.simulation.warmup:g}) in {elapsed:.1f} s"
        )
        print_summary(title, summary, breakdown=args.breakdown, console=console)
    return 0
