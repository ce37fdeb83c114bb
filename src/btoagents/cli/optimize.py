"""``btoagents optimize``: search levers for the best candidate (one objective) or the
Pareto front (several) under common random numbers; runs go under ``RESULTS/<name>/`` as a
sweep's do, and an interrupted search continues where it stopped."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from btoagents.cli.executor_options import add_executor_options, executor_arguments
from btoagents.errors import BtoagentsError

if TYPE_CHECKING:
    from rich.console import Console


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add ``optimize`` to the CLI's subcommands."""
    p = subparsers.add_parser(
        "optimize",
        help="search levers for the best candidate or the Pareto front (Optuna, CRN)",
        description="Ask Optuna (TPE, GP or NSGA-II) for candidate lever values, evaluate "
        "each over the same replication seeds (common random numbers), store every run as "
        "a sweep does, and print the best feasible candidate with its CI (one objective) or "
        "the Pareto front with CIs (several). Interrupt it and run it again: it continues "
        "where it stopped.",
    )
    p.add_argument("search", help="search TOML file (see experiments/optimize_*.toml)")
    p.add_argument(
        "--budget",
        type=int,
        metavar="N",
        help="candidates to ask in all, replacing search.candidates (a larger one continues "
        "a finished search)",
    )
    add_executor_options(
        p, "process", "where runs execute; --workers is also how many candidates run at once"
    )
    return p


def run(args: argparse.Namespace, console: Console) -> int:
    """Run the search, then print its summary line and the best candidate or the front."""
    from btoagents.experiment.search import optimize
    from btoagents.report import fmt

    result = optimize(args.search, budget=args.budget, **executor_arguments(args))
    console.print(result.line(), highlight=False, soft_wrap=True)
    title = "Pareto front" if result.multi else "best candidate"
    if result.result.empty:
        console.print(f"no feasible candidate: {title} is empty", highlight=False)
    else:
        console.print(f"\n[bold]{title}[/bold] (mean over replications, 95% CI)")
        table = result.result[result.columns()]
        console.print(
            table.to_string(index=False, float_format=fmt), highlight=False, soft_wrap=True
        )
    if not result.multi and not result.result.empty:
        best = result.result.iloc[0].to_dict()
        lines = " ".join(f"--set {o}" for o in result.overrides(best))
        console.print(f"\nits overrides: {lines}", highlight=False, soft_wrap=True, markup=False)
    if result.paired:
        p = result.paired
        ties = f"; {p['ties']} candidates tie with the best" if p.get("ties") else ""
        console.print(
            f"\nbest - runner-up (candidate {p['runner_up']}), paired over {p['n']} "
            f"replications: {p['kpi']} {fmt(p['difference'])} "
            f"[{fmt(p['ci_low'])}, {fmt(p['ci_high'])}]{ties}",
            highlight=False,
            soft_wrap=True,
        )
    console.print(
        f"\nWritten: {', '.join(str(f) for f in result.files)}", highlight=False, soft_wrap=True
    )
    return 0


def interrupted_line(args: argparse.Namespace) -> str:
    """What an interrupted search reports: runs stored, and how to go on."""
    import warnings

    from btoagents.experiment.search_spec import load_search
    from btoagents.experiment.store import ResultStore
    from btoagents.experiment.sweep import results_folder

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = load_search(args.search)[0]
            n = len(ResultStore(results_folder(spec, args.results)).done_keys())  # type: ignore[arg-type]
    except (BtoagentsError, OSError):
        n = 0
    return f"{n} runs stored, rerun the same command to continue the search"
