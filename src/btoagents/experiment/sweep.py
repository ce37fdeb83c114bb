"""Running an experiment: validate everything first, then run what is not stored yet.

``sweep()`` checks every factor key and KPI name before the first run, opens (or resumes)
the results folder, skips runs already stored, runs the rest on the chosen executor and
writes finished runs in small atomic batches. Interrupt it at any moment and run it again:
it continues where it stopped, with exactly one row per run.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from btoagents.config import Scenario, load_scenario
from btoagents.errors import ConfigError
from btoagents.experiment.designs import design_points, point_overrides
from btoagents.experiment.executors import run_dask, run_process, run_serial
from btoagents.experiment.progress import Progress
from btoagents.experiment.runs import RunTask, enumerate_tasks
from btoagents.experiment.spec import ExperimentSpec, experiment_hash, load_experiment
from btoagents.experiment.store import ResultStore
from btoagents.model import SupplyChainModel
from btoagents.random import replication_seed

EXECUTORS = ("serial", "process", "dask")
BATCH_ROWS = 25
BATCH_SECONDS = 5.0


@dataclass
class SweepSummary:
    """What a sweep did: runs in the design, already stored, run now, failed, retried."""

    folder: Path
    total: int
    skipped: int
    ran: int
    ok: int
    failed: int
    retried: int
    elapsed: float

    def line(self) -> str:
        return (
            f"{self.folder}: {self.total} runs in the design, {self.skipped} already stored; "
            f"ran {self.ran} ({self.ok} ok, {self.failed} failed, {self.retried} retried) "
            f"in {self.elapsed:.1f} s"
        )


@dataclass
class Prepared:
    spec: ExperimentSpec
    text: str
    hash: str
    base: Scenario
    points: list[dict[str, Any]]
    overrides: list[list[str]]

    def tasks(self) -> Iterator[RunTask]:
        """Every run of the experiment (points x arms x replications), in order."""
        spec = self.spec
        return enumerate_tasks(
            self.hash,
            self.base.model_dump(mode="json"),
            [],
            self.points,
            self.overrides,
            spec.arm_items(),
            spec.replications,
            spec.seed,
            tuple(spec.kpis),
            spec.sample_every if spec.timeseries else 0.0,
        )


def base_scenario(spec: ExperimentSpec, folder: Path) -> Scenario:
    """The experiment's scenario with its fixed overrides (a preset, or a path)."""
    source: str | Path = spec.scenario
    if spec.scenario.endswith(".toml"):
        candidate = folder / spec.scenario
        source = candidate if candidate.exists() else Path(spec.scenario)
    return load_scenario(source, spec.overrides)


def prepare(path: str | Path, replications: int | None = None) -> Prepared:
    """Read and check an experiment: every point and arm must give a valid scenario."""
    spec, text, folder = load_experiment(path)
    if replications is not None:
        if replications < 1:
            raise ConfigError(f"--replications = {replications}: must be at least 1")
        spec = spec.model_copy(update={"replications": replications})
        text += f"\n# --replications {replications}\n"
    label = str(path)
    base = base_scenario(spec, folder)
    points = design_points(spec)
    overrides = [point_overrides(spec, p) for p in points]
    arms = spec.arm_items()
    try:
        for i, ov in enumerate(overrides):
            load_scenario(base, [*ov, *arms[0][1]])
            if i == 0:
                for _, arm in arms[1:]:
                    load_scenario(base, [*ov, *arm])
    except ConfigError as exc:
        raise ConfigError(f"{label}: {exc}") from None
    if spec.kpis:
        probe = load_scenario(base, [f"simulation.horizon={base.simulation.warmup + 1.0}"])
        known = set(SupplyChainModel(probe, seed=0).run())
        # a breakdown NAME[part] of a known KPI may exist in other runs (another stage,
        # strategy or family): runs that lack it store NaN
        bases = {k.split("[", 1)[0] for k in known}
        unknown = [k for k in spec.kpis if k not in known and k.split("[", 1)[0] not in bases]
        if unknown:
            raise ConfigError(f"{label}: kpis: unknown KPI(s) {unknown} (known: {sorted(known)})")
    return Prepared(spec, text, experiment_hash(text), base, points, overrides)


def results_folder(spec: ExperimentSpec, root: str | Path = "results") -> Path:
    return Path(root) / spec.name


def sweep(
    path: str | Path,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    replications: int | None = None,
    new: bool = False,
    results_root: str | Path = "results",
    folder: str | Path | None = None,
    progress_every: float = 10.0,
) -> SweepSummary:
    """Run (or resume) an experiment; see the module docstring."""
    if executor not in EXECUTORS:
        raise ConfigError(f"--executor {executor!r}: expected one of {', '.join(EXECUTORS)}")
    started = time.perf_counter()
    prep = prepare(path, replications)
    spec = prep.spec
    store = ResultStore(folder or results_folder(spec, results_root))
    seeds = [replication_seed(spec.seed, r) for r in range(spec.replications)]
    arms = spec.arm_items()
    total = len(prep.points) * len(arms) * spec.replications
    store.open(
        {
            "name": spec.name,
            "experiment_file": str(path),
            "experiment_text": prep.text,
            "experiment_hash": prep.hash,
            "scenario": prep.base.model_dump(mode="json"),
            "design": {"kind": spec.design.kind, "points": prep.points},
            "factors": {n: f.model_dump(mode="json") for n, f in spec.factors.items()},
            "arms": [name for name, _ in arms],
            "seeds": {"experiment": spec.seed, "replications": seeds},
            "runs_total": total,
        },
        new=new,
    )
    done = store.done_keys()
    tasks = [t for t in prep.tasks() if t.key not in done]
    progress = Progress(len(tasks), spec.name, every=progress_every)
    batch: list[dict[str, Any]] = []
    last_flush = time.perf_counter()
    counts = {"ok": 0, "failed": 0}

    def on_row(row: dict[str, Any]) -> None:
        nonlocal last_flush
        batch.append(row)
        counts["ok" if row["status"] == "ok" else "failed"] += 1
        progress.advance(row["status"] != "ok")
        if len(batch) >= BATCH_ROWS or time.perf_counter() - last_flush >= BATCH_SECONDS:
            store.write_rows(batch)
            batch.clear()
            last_flush = time.perf_counter()

    n = workers or os.cpu_count() or 1
    try:
        if executor == "serial" or not tasks:
            stats = run_serial(tasks, on_row)
        elif executor == "process":
            stats = run_process(tasks, on_row, n)
        else:
            stats = run_dask(tasks, on_row, n, scheduler)
    finally:
        store.write_rows(batch)
        progress.close()
    elapsed = time.perf_counter() - started
    store.update_manifest(finished=time.strftime("%Y-%m-%dT%H:%M:%S"), last_sweep_seconds=elapsed)
    return SweepSummary(
        store.folder,
        total,
        total - len(tasks),
        len(tasks),
        counts["ok"],
        counts["failed"],
        stats.retried,
        elapsed,
    )


def status(folder: str | Path) -> dict[str, Any]:
    """How far a sweep is: runs in the design, stored ok, failed, missing."""
    from btoagents.experiment.store import load_results

    store = ResultStore(folder)
    manifest = store.manifest()
    if manifest is None:
        raise ConfigError(f"{folder}: no manifest.json (not a results folder)")
    rows = load_results(folder)
    ok = int((rows["status"] == "ok").sum()) if len(rows) else 0
    failed = int((rows["status"] == "failed").sum()) if len(rows) else 0
    lost = int((rows["status"] == "lost").sum()) if len(rows) else 0
    total = int(manifest["runs_total"])
    return {
        "name": manifest["name"],
        "total": total,
        "ok": ok,
        "failed": failed,
        "lost": lost,
        "missing": total - ok - failed,
        "parts": len(store.part_files()),
        "created": manifest.get("created"),
        "finished": manifest.get("finished"),
    }
