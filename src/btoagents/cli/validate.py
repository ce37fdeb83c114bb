"""``btoagents validate``: the model against queueing and inventory theory, as a report
(``report.md``, ``checks.csv`` and a PNG); exit status 1 when a check fails."""

from __future__ import annotations

import argparse
import time
from typing import TYPE_CHECKING

from btoagents.errors import BtoagentsError

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``validate`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "validate",
        help="check the model against queueing and inventory theory; write a report",
        description="Run every validation case (special cases with closed forms), test each "
        "KPI with a z-test at 3 standard errors and write report.md, checks.csv and a PNG. "
        "Exit status 1 when a check fails.",
    )
    p.add_argument("--quick", action="store_true", help="the fast subset (part of make test)")
    p.add_argument("--out", default="results/validation", help="report folder")
    p.add_argument(
        "--family",
        action="append",
        default=[],
        metavar="NAME",
        help="only cases of this family (repeatable), e.g. mm1-bts",
    )
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the cases with one progress line each, write the report; 1 if a check failed."""
    from btoagents.validation import all_cases, quick_cases, run_cases, write_report

    cases = quick_cases() if args.quick else all_cases()
    if args.family:
        known = sorted({c.family for c in all_cases()})
        for fam in args.family:
            if fam not in known:
                raise BtoagentsError(f"--family {fam!r}: unknown (known: {', '.join(known)})")
        cases = [c for c in cases if c.family in args.family]

    def progress(case, checks, elapsed: float) -> None:
        bad = [c.kpi for c in checks if not c.passed]
        verdict = "ok" if not bad else "FAILED: " + ", ".join(bad)
        worst = max(abs(c.z) for c in checks)
        console.print(
            f"{elapsed:6.1f} s  {case.name}: max |z| = {worst:.2f}  {verdict}",
            soft_wrap=True,
            highlight=False,
        )

    started = time.perf_counter()
    checks = run_cases(cases, progress=progress)
    elapsed = time.perf_counter() - started
    report = write_report(checks, args.out, elapsed, args.quick)
    failed = int((~checks["passed"]).sum())
    console.print(
        f"{len(checks) - failed}/{len(checks)} checks passed in {elapsed:.0f} s; report: {report}",
        highlight=False,
    )
    return 1 if failed else 0
