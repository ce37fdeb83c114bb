"""``btoagents figures``: run the paper's experiments, then draw every figure from storage.

1. Every experiment named in :data:`~btoagents.figures.registry.FIGURES` is swept (resumed:
   stored runs are skipped) into ``RESULTS/<name>/``.
2. The validation report is read from ``RESULTS/validation/checks.csv``; when there is
   none, the validation runs first (the full grid, as ``make validate`` does).
3. Each figure's function draws it from the stored results only and writes
   ``OUT/<name>.pdf`` and ``.png``; the numbers functions and the validation table write
   ``OUT/../generated/numbers.tex`` (macros) and the table fragments.

``--quick`` does the same at a small scale in its own results root, ``RESULTS/quick/``, so
quick and full results never mix: each experiment file is shrunk in memory (fewer
replications, a short horizon, at most three levels per factor, small sampled designs)
and written to ``RESULTS/quick/specs/`` before it is swept, and the validation runs its
quick subset. The figures and ``numbers.tex`` then say that they are a quick build.
"""

from __future__ import annotations

import importlib
import os
import shutil
import time
import tomllib
import traceback
from pathlib import Path
from typing import Any

import tomli_w

from btoagents.errors import BtoagentsError

#: The repository root (experiment files are named relative to it).
ROOT = Path(__file__).resolve().parents[3]

QUICK_REPLICATIONS = 2
QUICK_WARMUP = 30.0
QUICK_WINDOW = 120.0
QUICK_LEVELS = 3
QUICK_SAMPLES = 8


def resolve(file: str | Path) -> Path:
    """An experiment file named relative to the repository root (or the working folder)."""
    path = Path(file)
    if path.is_absolute() or path.exists():
        return path
    candidate = ROOT / path
    return candidate if candidate.exists() else path


def load_function(ref: str):
    """``"package.module:function"`` -> the function."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def _thin(levels: list[Any], keep: int) -> list[Any]:
    """At most ``keep`` levels: the first, the last and evenly spaced ones between."""
    if len(levels) <= keep:
        return list(levels)
    idx = sorted({round(i * (len(levels) - 1) / (keep - 1)) for i in range(keep)})
    return [levels[i] for i in idx]


def _set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def shrink(path: Path, edits: dict[str, Any] | None = None) -> dict[str, Any]:
    """The experiment at ``path`` at quick scale, as a TOML document (a dict).

    At most ``QUICK_REPLICATIONS`` replications; a ``QUICK_WARMUP``-day warm-up (or the
    experiment's, if shorter) and a ``QUICK_WINDOW``-day window; full factorial factors
    thinned to ``QUICK_LEVELS`` levels (first, middle, last); sampled designs to
    ``QUICK_SAMPLES`` samples; then ``edits`` (dotted keys) on top. A scenario file named
    relative to the experiment becomes absolute, since the derived file lives elsewhere.
    """
    from btoagents.experiment.spec import load_experiment
    from btoagents.experiment.sweep import base_scenario

    spec, text, folder = load_experiment(path)
    data = tomllib.loads(text)
    base = base_scenario(spec, folder)
    data["replications"] = min(spec.replications, QUICK_REPLICATIONS)
    warmup = min(base.simulation.warmup, QUICK_WARMUP)
    data["overrides"] = [
        *spec.overrides,
        f"simulation.warmup={warmup}",
        f"simulation.horizon={warmup + QUICK_WINDOW}",
    ]
    kind = spec.design.kind
    if kind == "full_factorial":
        for name, factor in data.get("factors", {}).items():
            if "levels" in factor:
                factor["levels"] = _thin(factor["levels"], QUICK_LEVELS)
                data["factors"][name] = factor
    elif kind != "points":
        design = data.setdefault("design", {})
        design["samples"] = min(spec.design.samples, QUICK_SAMPLES)
    scenario = data["scenario"]
    if scenario.endswith(".toml") and not Path(scenario).is_absolute():
        candidate = folder / scenario
        if candidate.exists():
            data["scenario"] = str(candidate.resolve())
    for key, value in (edits or {}).items():
        _set_dotted(data, key, value)
    return data


def quick_spec(path: Path, folder: Path, edits: dict[str, Any] | None = None) -> Path:
    """Write the quick version of experiment ``path`` into ``folder``; returns its path."""
    from btoagents.experiment.store import write_atomic_bytes

    data = shrink(path, edits)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / path.name
    text = f"# Quick version of {path.name}, written by `btoagents figures --quick`.\n"
    text += tomli_w.dumps(data)
    if not out.exists() or out.read_text() != text:
        write_atomic_bytes(out, text.encode())
    return out


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


def main(args, console) -> int:
    """Run the experiments, draw the figures, write the numbers; 0 when everything worked."""
    from btoagents.figures.numbers import Generated
    from btoagents.figures.registry import FIGURES
    from btoagents.figures.stored import Stored
    from btoagents.figures.validation import validation_numbers
    from btoagents.validation import all_cases

    started = time.perf_counter()
    quick = bool(args.quick)
    root = Path(args.results) / "quick" if quick else Path(args.results)
    out = Path(args.out)
    generated = out.parent / "generated"
    workers = min(2, os.cpu_count() or 1) if quick else (os.cpu_count() or 1)
    executor = "process" if workers > 1 else "serial"

    folders: dict[str, Path] = {}
    for file, edits in experiments(FIGURES).items():
        folders[file] = run_experiment(file, edits, root, quick, console, executor, workers)
    checks = validation_checks(root, quick, console, workers)

    gen = Generated()
    gen.add("BuildScale", "quick" if quick else "full", "quick: a small-scale draft")
    errors = 0
    loaded: dict[str, Any] = {}
    for fig in FIGURES:
        try:
            data = loaded.get(fig.experiment)
            if data is None:
                data = loaded[fig.experiment] = Stored.load(folders[fig.experiment])
            paths = load_function(fig.plot)(data, out / fig.name)
            if fig.numbers:
                load_function(fig.numbers)(data, gen)
            console.print(f"figure {fig.name}: {', '.join(str(p) for p in paths)}", highlight=False)
        except Exception:  # one broken figure should not hide the others
            errors += 1
            console.print(f"[red]figure {fig.name} failed:[/]\n{traceback.format_exc()}")
    validation_numbers(checks, gen, len(all_cases()), quick)
    hashes = []
    for file, folder in folders.items():
        manifest = loaded[file].manifest if file in loaded else {}
        hashes.append(f"{file}: {folder} (hash {manifest.get('experiment_hash', '?')})")
    header = (
        f"Numbers quoted in paper.tex, {'QUICK (small-scale)' if quick else 'full-scale'} "
        f"build from stored results:\n" + "\n".join(hashes) + f"\nvalidation: {root / 'validation'}"
    )
    written = gen.write(generated, header)
    console.print(
        f"numbers and tables: {', '.join(str(p) for p in written)}; "
        f"{time.perf_counter() - started:.0f} s",
        highlight=False,
    )
    return 1 if errors else 0
