"""``btoagents discover``: scenario discovery (PRIM boxes) over a stored sweep's factors, and
with ``--robust`` each arm's regret and satisficing share across a scenario ensemble."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from btoagents.errors import BtoagentsError

if TYPE_CHECKING:
    from rich.console import Console

    from btoagents.experiment.discover_outputs import DiscoverResult, RobustResult


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``discover`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "discover",
        help="PRIM scenario discovery and robustness (regret, satisficing) of stored runs",
        description="Find the region of a stored sweep's factors where a KPI is above (or "
        "below) a threshold: PRIM (Friedman and Fisher 1999) over the design points' means "
        "of one arm, with the coverage and density of every box along the peeling "
        "trajectory, the chosen box's limits, and a figure of the trade-off. With --robust, "
        "each arm's regret and satisficing share across the design points (a scenario "
        "ensemble) instead. Tables (CSV, JSON) and the figure go to RESULTS/discover/.",
    )
    p.add_argument("results", help="results folder, e.g. results/discover-dealer-network")
    p.add_argument("--kpi", required=True, metavar="NAME", help="the KPI to classify by")
    side = p.add_mutually_exclusive_group(required=True)
    side.add_argument(
        "--above",
        type=float,
        metavar="X",
        help="cases of interest: KPI above X (with --robust: larger is better, a scenario "
        "satisfices when the KPI is above X)",
    )
    side.add_argument(
        "--below",
        type=float,
        metavar="X",
        help="cases of interest: KPI below X (with --robust: smaller is better, a scenario "
        "satisfices when the KPI is below X)",
    )
    p.add_argument(
        "--arm", metavar="ARM", help="the arm to analyse (needed when the runs hold several)"
    )
    p.add_argument(
        "--threshold",
        type=float,
        default=0.8,
        metavar="T",
        help="density the chosen box must reach: the box of highest coverage with density "
        ">= T is chosen (the densest when none reaches T)",
    )
    p.add_argument(
        "--box",
        type=int,
        metavar="I",
        help="choose box I of the peeling trajectory instead (0 = every point)",
    )
    p.add_argument(
        "--robust",
        action="store_true",
        help="report each arm's regret and satisficing share across the design points",
    )
    p.add_argument(
        "--percentile",
        type=float,
        default=90.0,
        metavar="P",
        help="with --robust: the regret percentile reported next to the maximum and mean",
    )
    p.add_argument(
        "--out",
        metavar="DIR",
        help="folder for the tables and figure (default: RESULTS/discover/<kpi>-<side>-<X>"
        "[-<arm>]/, or robust-<kpi>-... with --robust)",
    )
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the analysis, print its tables and say where they were written."""
    from btoagents.experiment.discover_outputs import Question, discover_folder, robust_folder

    question = Question(args.kpi, above=args.above, below=args.below)
    if args.robust and (args.arm is not None or args.box is not None):
        option = "--arm" if args.arm is not None else "--box"
        raise BtoagentsError(f"{option}: not used with --robust, which compares every arm")
    if args.robust:
        _print_robust(robust_folder(args.results, question, args.percentile, args.out), console)
    else:
        found = discover_folder(
            args.results, question, args.arm, args.threshold, args.box, args.out
        )
        _print_discovery(found, question.text(), console)
    return 0


def _print_discovery(result: DiscoverResult, asked: str, console: Console) -> None:
    from btoagents.report import fmt

    found = result.discovery
    runs = int(result.cases["runs"].sum())
    console.print(
        f"PRIM over {found.cases} design points of arm {result.arm} ({runs} runs; point "
        f"means): {found.of_interest} with {asked}",
        highlight=False,
        soft_wrap=True,
    )
    if result.means.dropped:
        console.print(
            f"left out (missing at some points): {', '.join(result.means.dropped)}",
            highlight=False,
        )
    console.print("\n[bold]peeling trajectory[/bold]")
    table = found.trajectory[["box", "coverage", "density", "mass", "cases", "restricted"]]
    console.print(table.to_string(index=False, float_format=fmt), highlight=False, soft_wrap=True)
    stats = found.box_stats()
    console.print(
        f"\n[bold]box {found.chosen}[/bold] ({found.reason}): coverage {stats['coverage']:.3f} "
        f"{_ci(stats['coverage_ci'])}, density {stats['density']:.3f} "
        f"{_ci(stats['density_ci'])}, mass {stats['mass']:.3f} ({stats['cases']} points, "
        f"{stats['of_interest']} of interest; Wilson 95% intervals)",
        highlight=False,
        soft_wrap=True,
    )
    limits = found.box_limits()
    limits = limits.assign(levels=limits["levels"].map(lambda v: "" if v is None else "|".join(v)))
    if not limits["levels"].any():
        limits = limits.drop(columns="levels")
    console.print(limits.to_string(index=False, float_format=fmt), highlight=False, soft_wrap=True)
    console.print(f"\nTables and figure written to {result.out}/", highlight=False)


def _ci(interval: list[float] | None) -> str:
    return "[n/a]" if interval is None else f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def _print_robust(result: RobustResult, console: Console) -> None:
    from btoagents.report import fmt

    summary = result.summary
    console.print(
        f"{int(summary['scenarios'].iloc[0])} scenarios (design points) x {len(summary)} arms "
        f"({int(result.means.frame['runs'].sum())} runs; point means)",
        highlight=False,
    )
    console.print(summary.to_string(index=False, float_format=fmt), highlight=False, soft_wrap=True)
    console.print(f"\nTables written to {result.out}/", highlight=False)
