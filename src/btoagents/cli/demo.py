"""``btoagents demo``: the dealer-network preset under pure BTS, pure BTO and its hybrid,
as a table, a CSV and the inventory/lead-time frontier as a PNG."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from btoagents.cli.bounds import check_replications

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``demo`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "demo",
        help="dealer-network under pure BTS, pure BTO and hybrid; table, CSV and PNG",
        description="Run the dealer-network preset as pure build-to-stock, pure "
        "build-to-order and the hybrid it ships with; print each arm's KPIs and write "
        "runs.csv, summary.csv and frontier.png to the output folder.",
    )
    p.add_argument("--out", default="results/demo", help="output folder")
    p.add_argument(
        "--replications", "-r", type=int, default=10, metavar="R", help="replications per arm"
    )
    p.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the three arms, print their summaries and where the files went."""
    import pandas as pd

    from btoagents.demo import run_demo
    from btoagents.report import fmt, print_summary

    check_replications(args.replications)
    started = time.perf_counter()
    summary, files = run_demo(args.out, replications=args.replications, seed=args.seed)
    elapsed = time.perf_counter() - started
    for arm, part in summary.groupby("arm", sort=False):
        print_summary(
            f"dealer-network, {arm}", part.set_index("kpi").drop(columns="arm"), console=console
        )
    wide = summary.pivot(index="kpi", columns="arm", values="mean")
    keys = ["fg_inventory", "lead_time_mean", "fill_rate", "lost_sales_rate", "profit"]
    console.print(pd.DataFrame(wide.loc[keys]).map(fmt).to_string())
    console.print(f"\nDemo finished in {elapsed:.1f} s. Results:")
    for label, path in files.items():
        console.print(f"  {label:8s} {path}")
    return 0
