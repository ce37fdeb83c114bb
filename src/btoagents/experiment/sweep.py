"""Running an experiment: validate everything first, then run what is not stored yet.

``sweep()`` checks every factor key and KPI name before the first run, opens (or resumes)
the results folder, skips runs already stored, runs the rest on the chosen executor and
writes finished runs in small atomic batches. Interrupt it at any moment and run it again:
it continues where it stopped, with exactly one row per run. It holds the folder's lock
while it writes (one sweep per folder at a time), sets damaged files aside and records
each attempt in the manifest (see :mod:`btoagents.experiment.store`).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from btoagents.config import Scenario, load_scenario
from btoagents.config.limits import MAX_REPLICATIONS
from btoagents.config.loading import look_up
from btoagents.errors import ConfigError
from btoagents.experiment.budget import check_experiment_budget
from btoagents.experiment.designs import design_points, design_record, point_overrides
from btoagents.experiment.executors import ExecStats
from btoagents.experiment.progress import Progress
from btoagents.experiment.runs import RunTask, enumerate_tasks
from btoagents.experiment.spec import ExperimentSpec, experiment_hash, load_experiment
from btoagents.experiment.store import ResultStore
from btoagents.experiment.storing import EXECUTORS, store_runs, writing
from btoagents.kpis.catalogue import kpi_names
from btoagents.plugins import describe as describe_plugins
from btoagents.random import replication_seed

__all__ = ["EXECUTORS", "Prepared", "SweepSummary", "prepare", "prepare_spec", "sweep"]


@dataclass
class SweepSummary:
    """What a sweep did: runs in the design, already stored, run now, ok, not ok (failed
    or lost), resubmitted after a worker died, lost, and stored failures run again."""

    folder: Path
    total: int
    skipped: int
    ran: int
    ok: int
    failed: int
    retried: int
    elapsed: float
    lost: int = 0
    retried_failed: int = 0

    def line(self) -> str:
        """One line for the command line."""
        again = f" ({self.retried_failed} failed runs run again)" if self.retried_failed else ""
        return (
            f"{self.folder}: {self.total} runs in the design, {self.skipped} already stored"
            f"{again}; ran {self.ran} ({self.ok} ok, {self.failed} failed, {self.retried} "
            f"retried) in {self.elapsed:.1f} s"
        )


@dataclass
class Prepared:
    spec: ExperimentSpec
    text: str
    hash: str
    base: Scenario
    points: list[dict[str, Any]]
    overrides: list[list[str]]
    plugins: list[dict[str, Any]] = field(default_factory=list)

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
        source = candidate if look_up(candidate) else Path(spec.scenario)
    return load_scenario(source, spec.overrides, add=spec.add)


def prepare(path: str | Path, replications: int | None = None, force: bool = False) -> Prepared:
    """Read and check an experiment: every point and arm must give a valid scenario.

    ``replications`` replaces the file's (and changes the experiment's hash); ``force``
    lifts the per-run event and memory limits, as ``force = true`` in the file does (and,
    since it changes no result, leaves the hash alone).
    """
    spec, text, folder = load_experiment(path)
    if replications is not None:
        if not 1 <= replications <= MAX_REPLICATIONS:
            raise ConfigError(
                f"--replications = {replications}: "
                f"must be at least 1 and at most {MAX_REPLICATIONS:,}"
            )
        spec = spec.model_copy(update={"replications": replications})
        text += f"\n# --replications {replications}\n"
    if force:
        spec = spec.model_copy(update={"force": True})
    return prepare_spec(spec, text, folder, str(path))


def prepare_spec(spec: ExperimentSpec, text: str, folder: Path, label: str) -> Prepared:
    """Check an experiment read from ``label`` (its text, in ``folder``): every point and
    arm must give a valid scenario within the run budget, and its KPIs must exist."""
    base = base_scenario(spec, folder)
    points = design_points(spec)
    overrides = [point_overrides(spec, p) for p in points]
    arms = spec.arm_items()
    # the time-series setting the runs use (it bounds the samples they hold)
    extra = [f"simulation.sample_every={spec.sample_every!r}"] if spec.timeseries else []
    checked: list[tuple[int, str, Scenario]] = []
    try:
        for i, ov in enumerate(overrides):
            for arm, arm_ov in arms if i == 0 else arms[:1]:
                checked.append((i, arm, load_scenario(base, [*ov, *arm_ov, *extra])))
    except ConfigError as exc:
        raise ConfigError(f"{label}: {exc}") from None
    check_experiment_budget(spec, len(overrides), checked, label)
    scenarios = [scn for _, _, scn in checked]
    if spec.kpis:
        check_kpi_names(spec.kpis, scenarios, label)
    return Prepared(
        spec, text, experiment_hash(text), base, points, overrides, plugins_used(scenarios)
    )


def check_kpi_names(names: Sequence[str], scenarios: Sequence[Scenario], label: str) -> None:
    """Refuse requested KPI names that no run of ``scenarios`` can report, by the declared
    catalogue (:func:`btoagents.kpis.catalogue.kpi_names`); nothing is simulated.

    A breakdown ``NAME[part]`` of a known KPI may be missing from some runs (a stage,
    strategy or family they lack): such runs store NaN, so it is accepted.
    """
    known: set[str] = set()
    for scn in scenarios:
        known.update(kpi_names(scn))
    bases = {k.split("[", 1)[0] for k in known}
    unknown = [k for k in names if k not in known and k.split("[", 1)[0] not in bases]
    if unknown:
        raise ConfigError(f"{label}: kpis: unknown KPI(s) {unknown} (known: {sorted(known)})")


def plugins_used(scenarios: Sequence[Scenario]) -> list[dict[str, Any]]:
    """Which non-built-in plugins the runs use (:func:`btoagents.plugins.describe`: kind,
    spec, module, distribution and version, source sha256), each once.

    ``scenarios`` are the ones :func:`prepare` checked: every arm at the first point and
    every point under the first arm, which between them hold every plugin a run can name.
    """
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for scn in scenarios:
        for record in describe_plugins(scn):
            out.setdefault((record["kind"], record["spec"]), record)
    return list(out.values())


def results_folder(spec: ExperimentSpec, root: str | Path = "results") -> Path:
    """``root/<name>``: the experiment's results folder, always directly inside ``root``.

    The name is checked by the experiment schema already; this guard refuses any name that
    would still lead elsewhere. The check is lexical (no symlinks followed), so a results
    folder that is a symlink to another disk keeps working.
    """
    root_abs = Path(os.path.abspath(root))
    target = Path(os.path.abspath(root_abs / spec.name))
    if target.parent != root_abs or target.name != spec.name:
        raise ConfigError(
            f"name = {spec.name!r}: the results folder {target} would not be inside {root}"
        )
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
    retry_failed: bool = False,
    force: bool = False,
) -> SweepSummary:
    """Run (or resume) an experiment; see the module docstring.

    Holds the results folder's lock throughout: a second sweep of the same folder is
    refused in one line. With ``retry_failed`` the runs stored as 'failed' run again and
    their new rows supersede the old ones.
    """
    if executor not in EXECUTORS:
        raise ConfigError(f"--executor {executor!r}: expected one of {', '.join(EXECUTORS)}")
    started = time.perf_counter()
    prep = prepare(path, replications, force)
    spec = prep.spec
    store = ResultStore(folder if folder is not None else results_folder(spec, results_root))
    every = list(prep.tasks())
    with ExitStack() as held:
        with writing(store.folder):
            held.enter_context(store.lock())
            keys = [t.key for t in every]
            store.open(experiment_manifest(prep, path), new=new, expected_keys=keys)
            latest = store.latest_status()
            keep = {"ok"} if retry_failed else {"ok", "failed"}
            done = {k for k, s in latest.items() if s in keep}
            again = sum(s == "failed" for s in latest.values()) if retry_failed else 0
            store.begin_attempt(
                retry_failed=retry_failed, executor=executor, to_run=len(every) - len(done)
            )
        tasks = [t for t in every if t.key not in done]
        counts, stats = _run(store, tasks, spec.name, executor, workers, scheduler, progress_every)
    total = len(every)
    return SweepSummary(
        store.folder,
        total,
        total - len(tasks),
        len(tasks),
        counts["ok"],
        counts["failed"] + counts["lost"],
        stats.retried,
        time.perf_counter() - started,
        lost=counts["lost"],
        retried_failed=again,
    )


def experiment_manifest(prep: Prepared, path: str | Path) -> dict[str, Any]:
    """The manifest of a results folder of ``prep``, read from ``path``."""
    spec = prep.spec
    arms = spec.arm_items()
    return {
        "name": spec.name,
        "experiment_file": str(path),
        "experiment_text": prep.text,
        "experiment_hash": prep.hash,
        "scenario": prep.base.model_dump(mode="json"),
        "design": design_record(spec, prep.points).to_json(),
        "plugins": prep.plugins,
        "factors": {n: f.model_dump(mode="json") for n, f in spec.factors.items()},
        "arms": [name for name, _ in arms],
        "seeds": {
            "experiment": spec.seed,
            "replications": [replication_seed(spec.seed, r) for r in range(spec.replications)],
        },
        "runs_total": len(prep.points) * len(arms) * spec.replications,
    }


def _run(
    store: ResultStore,
    tasks: list[RunTask],
    name: str,
    executor: str,
    workers: int | None,
    scheduler: str | None,
    progress_every: float,
) -> tuple[Counter[str], ExecStats]:
    """Run ``tasks``, storing rows in batches; records the attempt's end in the manifest
    however it ends. Returns the stored rows' status counts and the executor's stats."""
    progress = Progress(len(tasks), name, every=progress_every)
    return store_runs(store, tasks, progress, executor, workers, scheduler)
