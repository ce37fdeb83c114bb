"""The ``btoagents`` command line.

Errors from bad input are printed as one line ``error: ...`` and exit with status 2;
warnings (e.g. no steady state) as one line ``warning: ...``. SIGINT (Ctrl-C) and SIGTERM
stop any command with one line ``interrupted: ...`` and exit status 130 or 143, after what
it holds (a sweep's finished runs) is stored.
"""

from __future__ import annotations

import argparse
import importlib
import signal
import sys
import threading
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import NoReturn

import pandas as pd
from rich.console import Console

from btoagents import __version__
from btoagents.config import (
    Scenario,
    SteadyStateWarning,
    load_scenario,
    preset_names,
    preset_text,
)
from btoagents.config.budget import check_budget
from btoagents.config.limits import MAX_REPLICATIONS, MAX_SEED
from btoagents.config.loading import read_scenario_dict
from btoagents.errors import BtoagentsError
from btoagents.products import decoupling_point
from btoagents.report import fmt, print_summary, summary_json

# Commands whose code lives with what they drive; each module's ``add_parser(sub)`` adds the
# subcommand and sets ``handler`` (called as ``handler(args, console)``). These modules import
# nothing heavy at import time, so ``btoagents --help`` stays fast.
PLUGGED_COMMANDS = ("btoagents.figures.command", "btoagents.viz.command")


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line ``error: ...`` and exit status 2,
    like every other bad input (argparse's default prints the usage block first)."""

    def error(self, message: str) -> NoReturn:
        print(f"error: {self.prog}: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def _parser() -> argparse.ArgumentParser:
    p = OneLineParser(
        prog="btoagents",
        description="Agent-based simulation of hybrid build-to-order supply chains.",
    )
    p.add_argument("--version", action="version", version=f"btoagents {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    run = sub.add_parser(
        "run",
        help="run one scenario's replications and show KPIs with 95%% confidence intervals",
        description="Run R replications of a scenario (a TOML file or a preset name) and "
        "print each KPI's mean with a Student-t 95%% confidence interval.",
    )
    run.add_argument(
        "scenario", help="scenario TOML file or preset name (see `btoagents scenarios`)"
    )
    run.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a scenario key, e.g. --set manufacturer.lines=2 (repeatable); "
        "only entities the scenario declares (see --add)",
    )
    run.add_argument(
        "--add",
        action="append",
        default=[],
        metavar="TABLE.NAME",
        help="declare a new product, supplier, component or intermediary with default values "
        "before the --set items, e.g. --add products.flatpack (repeatable)",
    )
    run.add_argument(
        "--force",
        action="store_true",
        help="run even when the pre-run estimate exceeds the event or memory limit",
    )
    run.add_argument(
        "--replications", "-r", type=int, help="replications (default: the scenario's)"
    )
    run.add_argument("--seed", type=int, help="root seed (default: the scenario's)")
    run.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    run.add_argument(
        "--breakdown", action="store_true", help="also show per-product and per-strategy KPIs"
    )
    run.add_argument("--runs", metavar="CSV", help="also write one row per replication to CSV")

    sc = sub.add_parser("scenarios", help="list the built-in presets, or show one's keys")
    sc.add_argument("--show", metavar="NAME", help="print preset NAME's TOML")

    demo = sub.add_parser(
        "demo", help="dealer-network under pure BTS, pure BTO and hybrid; table, CSV and PNG"
    )
    demo.add_argument("--out", default="results/demo", help="output folder (default results/demo)")
    demo.add_argument("--replications", "-r", type=int, default=10)
    demo.add_argument("--seed", type=int)
    sw = sub.add_parser(
        "sweep",
        help="run (or resume) a designed experiment; results under results/<name>/",
        description="Run every (design point, arm, replication) of an experiment file that is "
        "not stored yet. Interrupt it and run it again: it continues where it stopped.",
    )
    sw.add_argument("experiment", help="experiment TOML file (see experiments/)")
    sw.add_argument(
        "--executor",
        default="dask",
        choices=["serial", "process", "dask"],
        help="where runs execute (default: dask LocalCluster on this machine)",
    )
    sw.add_argument("--workers", type=int, help="worker processes (default: all cores)")
    sw.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="an existing Dask scheduler, e.g. tcp://10.0.0.5:8786",
    )
    sw.add_argument("--replications", "-r", type=int, help="override the file's replications")
    sw.add_argument(
        "--new",
        action="store_true",
        help="the file changed: move old results aside and start again",
    )
    sw.add_argument(
        "--force",
        action="store_true",
        help="run even when a run's pre-run estimate exceeds the event or memory limit "
        "(as force = true in the experiment file)",
    )
    sw.add_argument(
        "--retry-failed",
        action="store_true",
        help="also run again the runs stored as failed (once their cause is fixed); "
        "their new rows replace the old ones",
    )
    sw.add_argument("--results", default="results", help="results root folder")

    an = sub.add_parser("analyze", help="tables with CIs, paired differences, Sobol/Morris")
    an.add_argument("results", help="results folder, e.g. results/bto-share-vs-capacity")
    an.add_argument(
        "--by",
        action="append",
        default=[],
        metavar="FACTOR",
        help="pool the design points that share these factors' levels (repeatable); "
        "'--by arm' pools all of them into one row per arm",
    )
    an.add_argument(
        "--kpi", action="append", default=[], metavar="NAME", help="only these KPIs (repeatable)"
    )

    st = sub.add_parser("status", help="how far a sweep is")
    st.add_argument("results", help="results folder")

    val = sub.add_parser(
        "validate",
        help="check the model against queueing and inventory theory; write a report",
        description="Run every validation case (special cases with closed forms), test each "
        "KPI with a z-test at 3 standard errors and write report.md, checks.csv and a PNG. "
        "Exit status 1 when a check fails.",
    )
    val.add_argument("--quick", action="store_true", help="the fast subset (part of make test)")
    val.add_argument("--out", default="results/validation", help="report folder")
    val.add_argument(
        "--family",
        action="append",
        default=[],
        metavar="NAME",
        help="only cases of this family (repeatable), e.g. mm1-bts",
    )
    for module in PLUGGED_COMMANDS:
        importlib.import_module(module).add_parser(sub)
    return p


def cmd_sweep(args: argparse.Namespace, console: Console) -> int:
    from btoagents.experiment import sweep

    if args.workers is not None and args.workers < 1:
        raise BtoagentsError(f"--workers = {args.workers}: must be at least 1")
    summary = sweep(
        args.experiment,
        executor=args.executor,
        workers=args.workers,
        scheduler=args.scheduler,
        replications=args.replications,
        new=args.new,
        results_root=args.results,
        retry_failed=args.retry_failed,
        force=args.force,
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


def cmd_analyze(args: argparse.Namespace, console: Console) -> int:
    from btoagents.experiment.analysis import analyze

    tables = analyze(args.results, by=args.by or None, kpis=args.kpi or None)
    for name, table in tables.items():
        console.print(f"\n[bold]{name}[/bold]")
        console.print(
            table.to_string(index=False, float_format=fmt), highlight=False, soft_wrap=True
        )
    console.print(
        f"\nTables written to {args.results}/analysis/ (CSV and Markdown)", highlight=False
    )
    return 0


def cmd_status(args: argparse.Namespace, console: Console) -> int:
    from btoagents.experiment.status import status, status_lines

    for line in status_lines(status(args.results)):
        console.print(line, highlight=False, soft_wrap=True, markup=False)
    return 0


def cmd_validate(args: argparse.Namespace, console: Console) -> int:
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


def _check_replications(value: int | None) -> None:
    """``--replications``, when given, is 1 to ``MAX_REPLICATIONS``."""
    if value is not None and not 1 <= value <= MAX_REPLICATIONS:
        raise BtoagentsError(
            f"--replications = {value}: must be at least 1 and at most {MAX_REPLICATIONS:,}"
        )


def cmd_run(args: argparse.Namespace, console: Console) -> int:
    from btoagents.replications import simulate, summarize

    _check_replications(args.replications)
    if args.seed is not None and not 0 <= args.seed <= MAX_SEED:
        raise BtoagentsError(f"--seed = {args.seed}: must be >= 0 and below 2^64")
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


def cmd_scenarios(args: argparse.Namespace, console: Console) -> int:
    if args.show:
        print(preset_text(args.show), end="")
        return 0
    for name in preset_names():
        data, _ = read_scenario_dict(name)
        scn = Scenario.model_validate(data)
        families = ", ".join(
            _family_label(f, p, scn.dealers.count) for f, p in scn.products.items()
        )
        console.print(f"[bold]{name}[/bold]: {scn.description}", soft_wrap=True)
        console.print(f"    products: {families}; rho = {scn.offered_load():.2f}", soft_wrap=True)
    console.print("Show one preset's keys with: btoagents scenarios --show NAME")
    return 0


def _family_label(name: str, prod, dealers: int) -> str:
    label = f"{name}: {prod.variants} {prod.strategy}"
    label += f" (decoupling point: {decoupling_point(prod.strategy, dealers)})"
    if prod.tail_share > 0:
        label += f", tail {prod.tail_share:.0%} {prod.tail_strategy}"
    return label


def cmd_demo(args: argparse.Namespace, console: Console) -> int:
    from btoagents.demo import run_demo

    _check_replications(args.replications)
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


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM, raised in the main thread so that ``finally`` blocks run: a sweep
    stores the runs it holds and closes its workers before the command exits."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _raise_interrupted(signum: int, frame: object) -> NoReturn:
    # the first signal only: later ones are ignored while its cleanup stores what is held
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, signal.SIG_IGN)
    raise Interrupted(signum)


@contextmanager
def _signals_raise() -> Iterator[None]:
    """Within the block SIGINT and SIGTERM raise :class:`Interrupted` (in the main thread
    only; a signal ignored by whoever started the command stays ignored)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    for sig, handler in previous.items():
        if handler != signal.SIG_IGN:
            signal.signal(sig, _raise_interrupted)
    try:
        yield
    finally:
        for sig, handler in previous.items():
            if handler is not None:
                signal.signal(sig, handler)


def _stored_runs(args: argparse.Namespace) -> int:
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


def _interrupted(args: argparse.Namespace | None, exc: KeyboardInterrupt) -> int:
    """Print the one line of an interrupted command; return its exit status (128 + signal)."""
    command = getattr(args, "command", None)
    if command == "sweep":
        line = f"{_stored_runs(args)} runs stored, rerun the same command to continue"
    elif command:
        line = f"btoagents {command} stopped before it finished"
    else:
        line = "stopped before it started"
    print(f"interrupted: {line}", file=sys.stderr, flush=True)
    return 128 + getattr(exc, "signum", signal.SIGINT)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``btoagents`` console script; returns the exit status."""
    args = None
    with _signals_raise():
        try:
            args = _parser().parse_args(argv)
            return _dispatch(args)
        except KeyboardInterrupt as exc:
            return _interrupted(args, exc)


def _dispatch(args: argparse.Namespace) -> int:
    """Run the command ``args`` names; bad input is one ``error:`` line and status 2."""
    console = Console()
    handlers = {
        "run": cmd_run,
        "scenarios": cmd_scenarios,
        "demo": cmd_demo,
        "validate": cmd_validate,
        "sweep": cmd_sweep,
        "analyze": cmd_analyze,
        "status": cmd_status,
    }
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", UserWarning)
        try:
            handler = handlers.get(args.command) or args.handler
            status = handler(args, console)
        except BtoagentsError as exc:
            status = 2
            print(f"error: {exc}", file=sys.stderr)
        for w in caught:
            ours = issubclass(w.category, UserWarning) and "btoagents" in (w.filename or "")
            if ours or issubclass(w.category, SteadyStateWarning):
                print(f"warning: {w.message}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
