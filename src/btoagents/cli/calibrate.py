"""``btoagents calibrate``: a realistic preset against the empirical patterns its sources
report (pattern-oriented calibration, :mod:`btoagents.calibration`)."""

from __future__ import annotations

import argparse
import json
import time
from typing import TYPE_CHECKING

from btoagents.cli.bounds import check_replications, check_seed
from btoagents.cli.scenario_options import add_replications, add_scenario

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``calibrate`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "calibrate",
        help="check a preset against the empirical patterns its sources report",
        description="Run a scenario's replications and check each pattern of its "
        "[calibration] section: the pattern, its source, the reported range, the model's mean "
        "with a 95% confidence interval, and pass (mean in range) or fail. "
        "Exit status 1 when a pattern fails.",
    )
    add_scenario(
        p, "override a scenario key before checking, e.g. --set customers.late_tolerance=7"
    )
    add_replications(p, "the scenario's calibration.replications")
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Check the patterns and print them; 1 when one fails."""
    from rich.markup import escape
    from rich.table import Table

    from btoagents.calibration import check_patterns
    from btoagents.config import load_scenario
    from btoagents.report import fmt

    check_replications(args.replications)
    check_seed(args.seed)
    scn = load_scenario(args.scenario, args.overrides)
    started = time.perf_counter()
    checks = check_patterns(scn, replications=args.replications, seed=args.seed)
    elapsed = time.perf_counter() - started
    failed = sum(not c.passed for c in checks)
    if args.json:
        rows = [
            {
                "pattern": c.pattern.name,
                "kpi": c.pattern.kpi
                if c.pattern.per is None
                else f"{c.pattern.kpi}/{c.pattern.per}",
                "low": c.pattern.low,
                "high": c.pattern.high,
                "source": c.pattern.source,
                "mean": c.mean,
                "ci_low": c.ci_low,
                "ci_high": c.ci_high,
                "passed": c.passed,
            }
            for c in checks
        ]
        print(json.dumps({"scenario": scn.name, "patterns": rows, "failed": failed}))
        return 1 if failed else 0
    n = args.replications or scn.calibration.replications
    table = Table(
        title=f"{scn.name}: {len(checks)} patterns, {n} replications in {elapsed:.1f} s",
        title_justify="left",
    )
    table.add_column("#", justify="right")
    table.add_column("pattern (KPI)")
    table.add_column("range", justify="right")
    table.add_column("model, 95% CI", justify="right")
    table.add_column("verdict")
    for i, c in enumerate(checks, 1):
        p = c.pattern
        kpi = p.kpi if p.per is None else f"{p.kpi} / {p.per}"
        model = f"{fmt(c.mean)}\n[{fmt(c.ci_low)}, {fmt(c.ci_high)}]"
        verdict = ("pass" if c.inside else "pass (CI crosses range)") if c.passed else "FAIL"
        table.add_row(str(i), escape(f"{p.name}\n{kpi}"), c.range_text(), model, verdict)
    console.print(table)
    console.print("Sources:", highlight=False)
    for i, c in enumerate(checks, 1):
        console.print(f"  {i}. {escape(c.pattern.source)}", highlight=False, soft_wrap=True)
    console.print(
        f"{len(checks) - failed} of {len(checks)} patterns pass"
        + (f"; {failed} fail" if failed else ""),
        highlight=False,
    )
    return 1 if failed else 0
