"""Running a search: ask an optimiser for candidates, evaluate them under common random
numbers, store every run as a sweep does, and continue an interrupted search.

``optimize()`` checks the search file (every lever's extremes and choices must give a
valid scenario; every objective and constraint KPI must be one a run reports) before the
first run. Then it asks Optuna for candidates, ``batch`` at a time (default: one per
worker), and runs each candidate's replications on the chosen executor; replication r of
every candidate runs with the same seed ``replication_seed(seed, r)`` (common random
numbers), so candidates are compared on the same demand and service draws.

**Store.** Runs go into the results folder as a sweep's do
(:class:`~btoagents.experiment.store.ResultStore`: atomic Parquet parts, manifest, lock):
a candidate's id is the ``point`` column, its lever values the ``factor.<lever>`` columns,
and a run's key hashes the search's identity, the candidate's lever values and the
replication, so a candidate asked twice is run once (its stored result is told again).
The optimiser's state is Optuna's journal ``optuna.journal`` in the same folder; a
candidate's result is told only once its runs are stored.

**Resume.** Run the same command again after an interrupt (Ctrl-C, SIGTERM, SIGKILL, a
power cut): candidates asked but not told are evaluated from their stored runs plus the
runs still missing, and the search asks for more until its budget is spent. No run is
stored twice and no candidate is asked again from scratch. A journal that was lost while
runs are stored is rebuilt from them (each stored candidate told again).

A candidate with a failed run (or one lost to dead workers) is told failed: its
objectives are unknown, and the sampler learns nothing from it; ``btoagents status``
shows why its runs failed.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from btoagents.errors import ConfigError
from btoagents.experiment.executors import WAIT
from btoagents.experiment.progress import Progress
from btoagents.experiment.runs import RunTask
from btoagents.experiment.search_optuna import (
    Candidate,
    Violations,
    candidate_run_key,
    distributions,
    lever_overrides,
    open_study,
    params_key,
)
from btoagents.experiment.search_prepare import PreparedSearch, design, manifest, prepare_search
from btoagents.experiment.search_report import SearchReport, report
from btoagents.experiment.store import ResultStore
from btoagents.experiment.storing import EXECUTORS, pool_size, store_runs, writing
from btoagents.experiment.sweep import results_folder
from btoagents.random import replication_seed


def optimize(
    path: str | Path,
    executor: str = "serial",
    workers: int | None = None,
    scheduler: str | None = None,
    budget: int | None = None,
    new: bool = False,
    results_root: str | Path = "results",
    folder: str | Path | None = None,
    progress_every: float = 10.0,
) -> SearchReport:
    """Run (or resume) a search; see the module docstring. Returns its report (best
    candidate or Pareto front, with CIs), also written to ``<folder>/optimize/``."""
    if executor not in EXECUTORS:
        raise ConfigError(f"--executor {executor!r}: expected one of {', '.join(EXECUTORS)}")
    started = time.perf_counter()
    prep = prepare_search(path, budget)
    spec = prep.spec
    store = ResultStore(folder if folder is not None else results_folder(spec, results_root))  # type: ignore[arg-type]
    n_workers = pool_size(executor, workers)  # candidates in flight by default
    with writing(store.folder), store.lock():
        store.open(manifest(prep, path), new=new)
        # the budget may have grown since the folder was made (--budget)
        store.update_manifest(
            runs_total=spec.search.candidates * spec.replications,
            search=manifest(prep, path)["search"],
        )
        rows, _ = store.load()
        search = Search(prep, store, rows, batch=spec.search.batch or n_workers)
        store.begin_attempt(executor=executor, budget=spec.search.candidates, to_run=None)
        progress = Progress(search.runs_left(), spec.name, every=progress_every)
        search.progress = progress
        store_runs(
            store,
            search.feed(),
            progress,
            executor,
            workers,
            scheduler,
            flush_now=search.completes,
            on_stored=search.stored,
        )
        rows, _ = store.load()
        result = report(
            spec,
            rows,
            search.asked(),
            search.told,
            search.ran,
            time.perf_counter() - started,
        )
        store.update_manifest(design=design(rows, spec))
        result.write(store.folder)
    return result


class Search:
    """The ask / evaluate / tell loop over one results folder (see the module docstring)."""

    def __init__(self, prep: PreparedSearch, store: ResultStore, rows: pd.DataFrame, batch: int):
        self.prep = prep
        self.spec = prep.spec
        self.batch = batch
        self.dists = distributions(self.spec)
        self.scenario = prep.base.model_dump(mode="json")
        self.reps = self.spec.replications
        self.kpis = tuple(self.spec.stored_kpis())
        self.progress: Progress | None = None
        self.ran = 0  # runs this call ran
        self.told = 0  # candidates told this call
        #: stored rows by run key (ok or failed; lost runs run again)
        self.rows: dict[str, dict[str, Any]] = {}
        if len(rows):
            kept = rows[rows["status"].isin(["ok", "failed"])]
            self.rows = {r["run_key"]: r for r in kept.to_dict("records")}
        #: constraint values handed to the sampler as each candidate is told
        self.violations = Violations()
        self.study, pending = open_study(
            self.spec, store.folder, self.rows, self._run_key, self.violations
        )
        #: candidates by params key: evaluated ones, and those being evaluated
        self.known: dict[str, Candidate] = {}
        self.queue: deque[RunTask] = deque()
        self.waiting: dict[int, Candidate] = {}  # candidate id -> candidate in flight
        for trial in self.study.trials:
            if trial.state.is_finished() and trial.params:
                self._remember(trial)
        for number, params in pending:
            self._start(number, params)

    # -- identity ---------------------------------------------------------------------------
    def _run_key(self, params: dict[str, Any], replication: int) -> str:
        return candidate_run_key(self.prep.hash, params, replication)

    def _remember(self, trial: Any) -> None:
        """A told trial's candidate (its result, to tell a trial asking for it again)."""
        from optuna.trial import TrialState

        key = params_key(trial.params)
        if key in self.known:
            return
        cand = Candidate(trial.number, dict(trial.params))
        if trial.state == TrialState.COMPLETE:
            cand.values = list(trial.values)
            cand.means = self._means(trial.params)
        else:
            cand.failed = True
        self.known[key] = cand

    def _means(self, params: dict[str, Any]) -> dict[str, float]:
        """Stored KPIs' means over a candidate's stored runs (NaN for none)."""
        rows = [self.rows.get(self._run_key(params, r)) for r in range(self.reps)]
        rows = [r for r in rows if r is not None]
        return {
            k: (sum(float(r[k]) for r in rows) / len(rows) if rows else math.nan) for k in self.kpis
        }

    # -- budget -----------------------------------------------------------------------------
    def asked(self) -> int:
        """Trials asked so far, in all calls (the candidates budget counts them); start
        candidates waiting to be asked (:attr:`SearchSettings.start`) count once asked."""
        from optuna.trial import TrialState

        waiting = self.study.get_trials(deepcopy=False, states=(TrialState.WAITING,))
        return len(self.study.get_trials(deepcopy=False)) - len(waiting)

    def _runs_spent(self) -> int:
        return len(self.known) * self.reps

    def runs_left(self) -> int:
        """Runs the budget still allows (an upper bound: repeated candidates cost none)."""
        asks = max(0, self.spec.search.candidates - self.asked())
        left = (asks + len(self.waiting)) * self.reps
        if self.spec.search.runs is not None:
            left = min(left, max(0, self.spec.search.runs - self._runs_spent()) + len(self.queue))
        return left

    def _may_ask(self) -> bool:
        if self.asked() >= self.spec.search.candidates:
            return False
        runs = self.spec.search.runs
        return runs is None or self._runs_spent() + self.reps <= runs

    # -- the feed ---------------------------------------------------------------------------
    def feed(self) -> Iterator[RunTask]:
        """Tasks for the executor: those of the candidates in flight, then new candidates,
        ``batch`` at most in flight; WAIT while they run (:mod:`.executors`)."""
        while True:
            if self.queue:
                yield self.queue.popleft()
            elif len(self.waiting) < self.batch and self._may_ask():
                trial = self.study.ask(self.dists)
                self._start(trial.number, trial.params)
            elif self.waiting:
                yield WAIT
            else:
                return

    def _start(self, number: int, params: dict[str, Any]) -> None:
        """Trial ``number`` asks for ``params``: tell a known result, join a candidate in
        flight, or queue the runs of a new candidate that are not stored yet."""
        key = params_key(params)
        cand = self.known.get(key)
        if cand is None:
            cand = Candidate(number, dict(params))
            self.known[key] = cand
        cand.trials.append(number)
        if cand.values is not None or cand.failed:
            self._tell(cand)
            return
        if cand.id in self.waiting:
            return
        self.waiting[cand.id] = cand
        factors = {name: params[name] for name in self.spec.levers}
        overrides = tuple(lever_overrides(self.spec, factors))
        for r in range(self.reps):
            k = self._run_key(params, r)
            if k in self.rows:
                cand.rows[r] = self.rows[k]
                continue
            self.queue.append(
                RunTask(
                    key=k,
                    point=cand.id,
                    arm="base",
                    replication=r,
                    seed=replication_seed(self.spec.seed, r),
                    scenario=self.scenario,
                    overrides=overrides,
                    factors=factors,
                    kpis=self.kpis,
                )
            )
        if len(cand.rows) == self.reps:
            self._finish(cand)

    # -- rows coming back -------------------------------------------------------------------
    def completes(self, row: dict[str, Any]) -> bool:
        """Whether ``row`` is the last missing run of its candidate (store it at once)."""
        cand = self.waiting.get(row["point"])
        if cand is None:
            return False
        self.ran += 1
        cand.arrived.add(row["replication"])
        return len(cand.arrived) + len(cand.rows) >= self.reps

    def stored(self, rows: list[dict[str, Any]]) -> None:
        """A batch of rows is on disk: finish (tell) every candidate now complete."""
        for row in rows:
            cand = self.waiting.get(row["point"])
            if cand is None:
                continue
            self.rows[row["run_key"]] = row
            cand.rows[row["replication"]] = row
            if len(cand.rows) >= self.reps:
                self._finish(cand)

    def _finish(self, cand: Candidate) -> None:
        self.waiting.pop(cand.id, None)
        frame = pd.DataFrame(list(cand.rows.values()))
        if (frame["status"] != "ok").any():
            cand.failed = True
        else:
            cand.means = {k: float(frame[k].mean()) for k in self.kpis}
            cand.values = [cand.means[k] for k in self.spec.objectives]
            if any(math.isnan(v) for v in cand.values):
                cand.values, cand.failed = None, True
        self._tell(cand)

    def _tell(self, cand: Candidate) -> None:
        """Tell every trial waiting for ``cand`` its result (constraints first)."""
        from optuna.trial import TrialState

        constraints = self.spec.parsed_constraints()
        for number in cand.trials:
            if constraints:
                viol = [c.violation(cand.means.get(c.kpi, math.nan)) for c in constraints]
                self.violations.by_number[number] = viol
            if cand.failed:
                self.study.tell(number, state=TrialState.FAIL, skip_if_finished=True)
            else:
                self.study.tell(number, cand.values, skip_if_finished=True)
            self.told += 1
        cand.trials.clear()
        self._note()

    def _note(self) -> None:
        """Best so far (one objective) or the front's size, for the progress display."""
        if self.progress is None:
            return
        feasible = [
            c for c in self.known.values() if c.values is not None and c.feasible(self.spec)
        ]
        if not feasible:
            self.progress.note = "no feasible candidate yet"
            return
        if len(self.spec.objectives) == 1:
            ((kpi, direction),) = self.spec.objectives.items()
            pick = max if direction == "maximize" else min
            best = pick(feasible, key=lambda c: c.values[0])
            levers = ", ".join(f"{k}={_short(v)}" for k, v in best.params.items())
            self.progress.note = f"best {kpi} {best.values[0]:.6g} at {levers}"
        else:
            self.progress.note = f"{len(feasible)} feasible candidates"


def _short(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
