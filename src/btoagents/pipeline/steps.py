"""The steps of the paper's pipeline that compute: sweeping the experiments, running the
validation. Both store their results; the figures are drawn from storage afterwards."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from btoagents.errors import BtoagentsError
from btoagents.pipeline.quick import quick_spec, resolve


def experiments(figures) -> dict[str, dict[str, Any]]:
    """Experiment file -> merged quick edits, in the registry's order."""
    out: dict[str, dict[str, Any]] = {}
    for fig in figures:
        edits = out.setdefault(fig.experiment, {})
        for key, value in fig.quick.items():
            if key in edits and edits[key] != value:
                raise BtoagentsError(
                    f"figures {fig.name!r}: quick edit {key}={value!r} conflicts with "
                    f"{edits[key]!r} from another figure of {fig.experiment}"
                )
            edits[key] = value
    return out


def run_experiment(
    file: str,
    edits: dict[str, Any],
    root: Path,
    quick: bool,
    console,
    executor: str,
    workers: int,
) -> Path:
    """Sweep (resume) one experiment; returns its results folder."""
    from btoagents.experiment import sweep
    from btoagents.experiment.store import ResultStore
    from btoagents.experiment.sweep import prepare, results_folder

    path = resolve(file)
    if quick:
        path = quick_spec(path, root / "specs", edits)
        prep = prepare(path)
        folder = results_folder(prep.spec, root)
        old = ResultStore(folder).manifest()
        if old is not None and old.get("experiment_hash") != prep.hash:
            shutil.rmtree(folder)  # quick results of an older version: disposable
    summary = sweep(path, executor=executor, workers=workers, results_root=root)
    console.print(summary.line(), highlight=False, soft_wrap=True)
    if summary.failed:
        console.print(
            f"[yellow]warning:[/] {summary.failed} runs of {file} failed; see "
            f"`btoagents status {summary.folder}`"
        )
    return summary.folder


def run_validation(cases, workers: int, progress) -> Any:
    """:func:`btoagents.validation.run_cases` spread over ``workers`` processes (the same
    checks: each case's seeds come from its name), in the order of ``cases``."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from dataclasses import asdict

    import pandas as pd

    from btoagents.validation.run import run_case

    if workers <= 1:
        from btoagents.validation import run_cases

        return run_cases(cases, progress=progress)
    rows = []
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        started = time.perf_counter()
        for case, checks in zip(cases, pool.map(run_case, cases), strict=True):
            progress(case, checks, time.perf_counter() - started)
            rows.extend(asdict(c) for c in checks)
    return pd.DataFrame(rows)


def validation_checks(root: Path, quick: bool, console, workers: int = 1):
    """The stored validation checks, running the validation first when there are none."""
    from btoagents.figures.validation import load_checks

    folder = root / "validation"
    if not (folder / "checks.csv").exists():
        from btoagents.validation import all_cases, quick_cases, write_report

        cases = quick_cases() if quick else all_cases()
        console.print(
            f"No stored validation in {folder}: running {len(cases)} cases "
            f"({'quick subset' if quick else 'full grid, as make validate'})",
            highlight=False,
        )

        def progress(case, checks, elapsed: float) -> None:
            bad = [c.kpi for c in checks if not c.passed]
            console.print(
                f"{elapsed:6.1f} s  {case.name}: {'ok' if not bad else 'FAILED ' + ', '.join(bad)}",
                highlight=False,
                soft_wrap=True,
            )

        started = time.perf_counter()
        checks = run_validation(cases, workers, progress)
        write_report(checks, folder, time.perf_counter() - started, quick)
    return load_checks(folder)
