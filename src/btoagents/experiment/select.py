"""Running a selection: Kim and Nelson's procedure KN over stored runs of a select file.

``select()`` reads a select file (:mod:`btoagents.experiment.select_spec`), checks every
arm as a sweep does, and runs procedure KN (:mod:`btoagents.experiment.ranking`): first
``n0`` replications of every arm, then one more replication of each surviving arm at a
time. Every replication is a run of the same results store as sweeps
(:mod:`btoagents.experiment.store`): run key from the file's hash, the arm and the
replication, seed from the experiment seed and the replication only, so replication r of
every arm sees the same random numbers (common random numbers) and adding replication r+1
of an arm is one more run.

Resuming: the procedure is deterministic given the observations, so a select command run
again over the same folder replays KN over the stored runs and runs only what the
procedure still needs (nothing once it has ended). Runs stored as failed run again (the
procedure needs every observation it asks for); if one fails again the command stops with
one line naming it.

The result (the selected arm, replications per arm, when each arm was eliminated, means
and paired differences with CIs) is printed and written as ``selection.csv`` and
``selection.json`` in the results folder; the runs themselves load like a sweep's
(:func:`~btoagents.experiment.store.load_results`, ``btoagents analyze``, DuckDB).
"""

from __future__ import annotations

import json
import math
import time
import warnings
from collections import deque
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from btoagents.config import load_scenario
from btoagents.config.messages import unknown
from btoagents.errors import BtoagentsError, ConfigError
from btoagents.experiment.progress import Progress
from btoagents.experiment.ranking import KimNelson, Selection
from btoagents.experiment.runs import RunTask, run_key
from btoagents.experiment.select_spec import SelectFile
from btoagents.experiment.spec import load_experiment
from btoagents.experiment.status import error_line
from btoagents.experiment.store import ResultStore
from btoagents.experiment.storing import EXECUTORS, attempt, run_into_store, writing
from btoagents.experiment.sweep import (
    Prepared,
    experiment_manifest,
    prepare_spec,
    results_folder,
)
from btoagents.kpis.catalogue import kpi_names
from btoagents.random import replication_seed

TABLE = "selection"


@dataclass
class SelectSummary:
    """What a select command did: the selection, runs the procedure used, runs stored
    before, run now, failed, and the seconds it took."""

    folder: Path
    kpi: str
    selection: Selection
    used: int
    stored_before: int
    ran: int
    failed: int
    elapsed: float

    def line(self) -> str:
        """One line for the command line."""
        sel = self.selection
        best = next(a for a in sel.arms if a.selected)
        cut = " (truncated at max_replications: no guarantee)" if sel.truncated else ""
        return (
            f"{self.folder}: selected {sel.selected!r} ({self.kpi} {best.mean:.6g}, "
            f"{sel.level:.0%} CI {best.ci_low:.6g} .. {best.ci_high:.6g}){cut}; "
            f"{self.used} replications in all, {self.stored_before} already stored, ran "
            f"{self.ran} ({self.failed} failed) in {self.elapsed:.1f} s"
        )


@dataclass
class _Plan:
    """A prepared select file: its spec, the sweep machinery's view of it, run keys."""

    spec: SelectFile
    prep: Prepared
    arms: list[tuple[str, list[str]]]

    def key(self, arm: int, replication: int) -> str:
        return run_key(self.prep.hash, 0, self.arms[arm][0], replication)

    def task(self, arm: int, replication: int) -> RunTask:
        spec, prep = self.spec, self.prep
        name, overrides = self.arms[arm]
        return RunTask(
            key=self.key(arm, replication),
            point=0,
            arm=name,
            replication=replication,
            seed=replication_seed(spec.seed, replication),
            scenario=prep.base.model_dump(mode="json"),
            overrides=(*prep.overrides[0], *overrides),
            factors={},
            kpis=tuple(prep.spec.kpis),
            sample_every=spec.sample_every if spec.timeseries else 0.0,
        )


def prepare_select(path: str | Path, force: bool = False) -> _Plan:
    """Read and check a select file: every arm must give a valid scenario within the run
    budget, and the selection KPI must be one a run reports (one-line errors)."""
    spec, text, folder = load_experiment(path, SelectFile)
    if force:
        spec = spec.model_copy(update={"force": True})
    kpi = spec.select.kpi
    experiment = spec.as_experiment()
    prep = prepare_spec(experiment, text, folder, str(path))
    arms = experiment.arm_items()
    try:
        first = load_scenario(prep.base, [*prep.overrides[0], *arms[0][1]])
    except ConfigError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    known = kpi_names(first)
    if kpi not in known and kpi.split("[", 1)[0] not in {k.split("[", 1)[0] for k in known}:
        raise ConfigError(f"{path}: select.kpi: {unknown('KPI', kpi, sorted(known))}")
    if experiment.kpis and kpi not in experiment.kpis:  # the runs store it too
        prep.spec = experiment.model_copy(update={"kpis": [*experiment.kpis, kpi]})
    return _Plan(spec, prep, arms)


def select(
    path: str | Path,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    new: bool = False,
    results_root: str | Path = "results",
    folder: str | Path | None = None,
    progress_every: float = 10.0,
    force: bool = False,
) -> SelectSummary:
    """Run (or resume) a selection; see the module docstring.

    Holds the results folder's lock throughout, as a sweep does.
    """
    if executor not in EXECUTORS:
        raise ConfigError(f"--executor {executor!r}: expected one of {', '.join(EXECUTORS)}")
    started = time.perf_counter()
    plan = prepare_select(path, force)
    spec = plan.spec
    sel = spec.select
    store = ResultStore(folder if folder is not None else results_folder(spec, results_root))
    every_key = [plan.key(i, r) for i in range(len(plan.arms)) for r in range(sel.max_replications)]
    manifest = {
        **experiment_manifest(plan.prep, path),
        "procedure": {"kind": "kim-nelson", **sel.model_dump(mode="json")},
        "runs_total": len(plan.arms) * sel.n0,
    }
    values: dict[str, float] = {}
    errors: dict[str, str] = {}
    with ExitStack() as held:
        with writing(store.folder):
            held.enter_context(store.lock())
            store.open(manifest, new=new, expected_keys=every_key)
            _take(store.load()[0].to_dict("records"), sel.kpi, values, errors)
            stored_before = len(values)
            store.begin_attempt(executor=executor, procedure="kim-nelson")
        kn = KimNelson(
            [name for name, _ in plan.arms],
            sel.alpha,
            sel.delta,
            sel.n0,
            sel.max_replications,
            maximize=spec.maximize,
            level=1 - sel.alpha,
        )
        progress = Progress(0, f"select {spec.name}", every=progress_every)
        stages = _Stages(kn, plan, values, errors, progress, store)
        with attempt(store, progress) as (stored, stats):
            stages.fill()
            while stages.queue:
                got = run_into_store(
                    store, stages, executor, workers, scheduler, progress, stored, stages.on_row
                )
                stats.retried += got.retried
            for i, r in kn.wanted():  # blocked by a failed run: its one line
                _value(plan, values, errors, i, r, store.folder)
    selection = kn.result()
    summary = SelectSummary(
        store.folder,
        sel.kpi,
        selection,
        selection.total_replications,
        stored_before,
        sum(stored.values()),
        stored["failed"] + stored["lost"],
        time.perf_counter() - started,
    )
    write_selection(summary, spec)
    return summary


class _Stages:
    """The runs procedure KN asks for, as a task source that executors pull from.

    :meth:`fill` replays KN over the observations at hand (stored or just run) as far as
    they go, then queues the runs of the next stage that are not stored. :meth:`on_row`
    takes each finished run's KPI; the last run of a stage fills the queue again. So an
    executor that pulls tasks as it goes (serial, process) runs every stage in one pool;
    one that takes its tasks up front (Dask) runs a stage per call, and ``select`` calls it
    while the queue holds runs. A run that failed in this command is not queued again:
    the selection then stops, and says which run failed.
    """

    def __init__(
        self,
        kn: KimNelson,
        plan: _Plan,
        values: dict[str, float],
        errors: dict[str, str],
        progress: Progress,
        store: ResultStore,
    ) -> None:
        self.kn, self.plan, self.values, self.errors = kn, plan, values, errors
        self.progress, self.store = progress, store
        self.queue: deque[RunTask] = deque()
        self.waiting: set[str] = set()
        self.tried: set[str] = set()

    def __iter__(self) -> _Stages:
        return self

    def __next__(self) -> RunTask:
        if not self.queue:
            raise StopIteration  # for now: the stage's last run queues the next stage
        return self.queue.popleft()

    def __len__(self) -> int:
        return len(self.queue)

    def on_row(self, row: dict[str, Any]) -> None:
        """Take a finished run; when it completes the stage, go on with KN."""
        _take([row], self.plan.spec.select.kpi, self.values, self.errors)
        self.waiting.discard(row["run_key"])
        if not self.waiting:
            self.fill()

    def fill(self) -> None:
        """Advance KN over the observations at hand; queue the next stage's missing runs."""
        kn, plan = self.kn, self.plan
        advanced = False
        while not kn.done:
            wanted = kn.wanted()
            keys = {(i, r): plan.key(i, r) for i, r in wanted}
            missing = [ir for ir, key in keys.items() if key not in self.values]
            if missing:
                if any(keys[ir] in self.tried for ir in missing):
                    break  # a run failed in this command: select reports it
                tasks = [plan.task(i, r) for i, r in missing]
                self.queue.extend(tasks)
                self.waiting = {t.key for t in tasks}
                self.tried |= self.waiting
                self.progress.extend(len(tasks), _label(plan.spec.name, kn))
                break
            if not all(math.isfinite(self.values[key]) for key in keys.values()):
                break  # a KPI that is not a number: select reports it
            for (i, r), key in keys.items():
                kn.observe(i, r, self.values[key])
            kn.advance()
            advanced = True
        if advanced:
            with writing(self.store.folder, running=True):
                self.store.update_manifest(runs_total=kn_used(kn))


def kn_used(kn: KimNelson) -> int:
    """Replications the procedure has used so far, summed over the arms."""
    alive = len(kn.survivors) * kn.stage
    return alive + sum(at for at, _ in kn.eliminated.values())


def _label(name: str, kn: KimNelson) -> str:
    leader = kn.leader()
    if leader is None:
        return f"select {name}: first stage"
    return (
        f"select {name}: {len(kn.survivors)} arms left after {kn.stage} replications, "
        f"best so far {leader[0]} ({leader[1]:.4g})"
    )


def _take(
    rows: list[dict[str, Any]], kpi: str, values: dict[str, float], errors: dict[str, str]
) -> None:
    """Keep each run's selection KPI (the newest row of a run wins; failed runs' errors)."""
    for row in rows:
        key = row["run_key"]
        if row.get("status") == "ok":
            values[key] = float(row.get(kpi, math.nan))
            errors.pop(key, None)
        else:
            values.pop(key, None)
            errors[key] = error_line(row.get("error")) or str(row.get("status"))


def _value(
    plan: _Plan,
    values: dict[str, float],
    errors: dict[str, str],
    arm: int,
    replication: int,
    folder: Path,
) -> float:
    key = plan.key(arm, replication)
    name = plan.arms[arm][0]
    where = f"{folder}: run {key} (arm {name!r}, replication {replication})"
    if key not in values:
        why = errors.get(key, "no row stored")
        raise BtoagentsError(
            f"{where} failed: {why}; the runs stored so far are kept, and the same command "
            "runs it again once the cause is fixed"
        )
    value = values[key]
    if not math.isfinite(value):
        raise BtoagentsError(
            f"{where}: select.kpi {plan.spec.select.kpi!r} = {value}: the selection needs "
            "a number in every run (a breakdown KPI the arm lacks is NaN)"
        )
    return value


def selection_table(selection: Selection) -> pd.DataFrame:
    """One row per arm: replications, elimination stage and arm, mean with CI, and the
    paired difference from the selected arm with CI."""
    table = pd.DataFrame(selection.records())
    table["eliminated_at"] = table["eliminated_at"].astype("Int64")  # the selected: <NA>
    return table


def write_selection(summary: SelectSummary, spec: SelectFile) -> None:
    """Write ``selection.csv`` (the table) and ``selection.json`` (table and settings)."""
    sel = summary.selection
    record = {
        "name": spec.name,
        "kpi": summary.kpi,
        "direction": spec.select.direction,
        "procedure": "Kim and Nelson (2001) KN, ACM TOMACS 11(3):251-273",
        "selected": sel.selected,
        "alpha": sel.alpha,
        "delta": sel.delta,
        "n0": sel.n0,
        "max_replications": spec.select.max_replications,
        "eta": sel.eta,
        "h2": sel.h2,
        "ci_level": sel.level,
        "truncated": sel.truncated,
        "replications_used": sel.total_replications,
        "arms": [_finite(r) for r in sel.records()],
    }
    folder = summary.folder
    try:
        selection_table(sel).to_csv(folder / f"{TABLE}.csv", index=False)
        (folder / f"{TABLE}.json").write_text(json.dumps(record, indent=2) + "\n")
    except OSError as exc:
        raise BtoagentsError(
            f"{exc.filename or folder}: cannot write the selection table: "
            f"{exc.strerror or exc}; the runs are stored"
        ) from None


def _finite(record: dict[str, Any]) -> dict[str, Any]:
    """JSON has no NaN: a CI of one replication is null."""
    return {
        k: None if isinstance(v, float) and not math.isfinite(v) else v for k, v in record.items()
    }


def stored_runs(path: str | Path, results_root: str | Path = "results") -> int:
    """Runs stored ok in a select file's results folder (0 when unknown)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            spec = load_experiment(path, SelectFile)[0]
            return len(ResultStore(results_folder(spec, results_root)).done_keys(True))
    except (BtoagentsError, OSError):
        return 0
