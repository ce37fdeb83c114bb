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
"""

from __future__ import annotations

import json
import math
import time
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from btoagents.config import Scenario, load_scenario
from btoagents.config.budget import check_budget
from btoagents.errors import ConfigError
from btoagents.experiment.executors import WAIT
from btoagents.experiment.progress import Progress
from btoagents.experiment.runs import RunTask
from btoagents.experiment.search_optuna import (
    Candidate,
    candidate_run_key,
    distributions,
    lever_overrides,
    open_study,
    params_key,
)
from btoagents.experiment.search_report import SearchReport, report
from btoagents.experiment.search_spec import SearchSpec, load_search, search_hash
from btoagents.experiment.store import ResultStore
from btoagents.experiment.sweep import (
    EXECUTORS,
    _writing,
    base_scenario,
    check_kpi_names,
    plugins_used,
    results_folder,
    store_runs,
)
from btoagents.random import replication_seed

FORCE_HINT = "set force = true in the search file to run it anyway"


@dataclass
class PreparedSearch:
    """A checked search file: its spec, identity, base scenario and plugins."""

    spec: SearchSpec
    text: str
    hash: str
    base: Scenario
    plugins: list[dict[str, Any]] = field(default_factory=list)


def prepare_search(path: str | Path, budget: int | None = None) -> PreparedSearch:
    """Read and check a search file: every lever's ends (or choices) must give a valid
    scenario within the per-run budget, and every stored KPI must be one a run reports.
    ``budget`` replaces the file's ``search.candidates``. One-line ConfigErrors."""
    spec, text, folder = load_search(path)
    label = str(path)
    if budget is not None:
        if not 1 <= budget <= 100_000:
            raise ConfigError(f"--budget = {budget}: must be at least 1 and at most 100,000")
        spec = spec.model_copy(
            update={"search": spec.search.model_copy(update={"candidates": budget})}
        )
    base = base_scenario(spec, folder)  # type: ignore[arg-type]  # same three fields
    checked: list[Scenario] = []
    for name, lever in spec.levers.items():
        for value in lever.extremes():
            try:
                scn = load_scenario(base, lever_overrides(spec, {name: value}))
            except ConfigError as exc:
                hint = ""
                if lever.range is not None and not lever.integer and "an integer" in str(exc):
                    hint = f"; set integer = true in [levers.{name}]"
                raise ConfigError(f"{label}: levers.{name} = {value!r}: {exc}{hint}") from None
            check_budget(
                scn,
                force=spec.force,
                label=f"{label}: levers.{name} = {value!r}: one run",
                hint=FORCE_HINT,
            )
            checked.append(scn)
    check_kpi_names(spec.stored_kpis(), checked, label)
    # a range's ends name the plugins of the base; a choice may name others (describing
    # a plugin reads the installed distributions' metadata: once per distinct scenario)
    distinct = {json.dumps(describe_key(s)): s for s in checked}
    return PreparedSearch(spec, text, search_hash(spec), base, plugins_used(distinct.values()))


def describe_key(scn: Scenario) -> list[Any]:
    """The plugin choices of a scenario (each plugin kind's field), to describe each
    distinct set once."""
    from btoagents.plugins.kinds import KINDS

    return [
        repr(getattr(getattr(scn, kind.section, None), kind.field, None)) for kind in KINDS.values()
    ]


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
    n_workers = workers or 1
    with _writing(store.folder), store.lock():
        store.open(_manifest(prep, path), new=new)
        # the budget may have grown since the folder was made (--budget)
        store.update_manifest(
            runs_total=spec.search.candidates * spec.replications,
            search=_manifest(prep, path)["search"],
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
        store.update_manifest(design=_design(rows, spec))
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
        self.study, pending = open_study(self.spec, store.folder, self.rows, self._run_key)
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
        """Trials asked so far, in all calls (the candidates budget counts them)."""
        return len(self.study.get_trials(deepcopy=False))

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
            if row["status"] == "lost":
                cand.failed = True
                cand.rows[row["replication"]] = row
            else:
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
        from optuna.trial import Trial, TrialState

        constraints = self.spec.parsed_constraints()
        for number in cand.trials:
            trial_id = self.study._storage.get_trial_id_from_study_id_trial_number(
                self.study._study_id, number
            )
            if constraints:
                viol = [c.violation(cand.means.get(c.kpi, math.nan)) for c in constraints]
                Trial(self.study, trial_id).set_user_attr("constraints", viol)
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


def _manifest(prep: PreparedSearch, path: str | Path) -> dict[str, Any]:
    spec = prep.spec
    return {
        "name": spec.name,
        "kind": "search",
        "experiment_file": str(path),
        "experiment_text": prep.text,
        "experiment_hash": prep.hash,
        "scenario": prep.base.model_dump(mode="json"),
        "design": {"kind": "points", "settings": {}, "problem": None, "points": []},
        "plugins": prep.plugins,
        "factors": {n: lever.model_dump(mode="json") for n, lever in spec.levers.items()},
        "arms": ["base"],
        "seeds": {
            "experiment": spec.seed,
            "replications": [replication_seed(spec.seed, r) for r in range(spec.replications)],
        },
        "runs_total": spec.search.candidates * spec.replications,
        "search": {
            "sampler": spec.sampler_name(),
            "objectives": dict(spec.objectives),
            "constraints": list(spec.constraints),
            "candidates": spec.search.candidates,
            "runs": spec.search.runs,
        },
    }


def _design(rows: pd.DataFrame, spec: SearchSpec) -> dict[str, Any]:
    """The manifest's design record of a search: its candidates' lever values in the order
    of their ids (the ``point`` column; ids need not be consecutive), as an explicit
    design, so ``btoagents analyze`` reads the folder as a sweep's."""
    points: list[dict[str, Any]] = []
    if len(rows):
        cols = [f"factor.{n}" for n in spec.levers if f"factor.{n}" in rows.columns]
        first = rows.drop_duplicates("point").sort_values("point")[cols]
        first.columns = [c.removeprefix("factor.") for c in cols]
        points = json.loads(first.to_json(orient="records"))
    return {"kind": "points", "settings": {}, "problem": None, "points": points}
