"""A search's optimiser: Optuna's study, kept in the results folder's journal.

The study lives in ``<folder>/optuna.journal`` (Optuna's ``JournalFileBackend``, one JSON
line per change), so it survives the process. Only one search writes a folder at a time
(the folder's ``sweep.lock``, :mod:`btoagents.experiment.lock`), so the journal takes no
lock of its own: Optuna's file locks outlive a SIGKILL and would make the resumed search
wait for them to go stale. A line half written when the process died is cut off before
the study is opened. A journal lost while runs are stored is rebuilt from the runs: every
stored candidate is told again (all its replications stored) or asked again first
(Optuna's ``enqueue_trial``), so no stored run is wasted.
"""

from __future__ import annotations

import hashlib
import json
import math
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from btoagents.experiment.designs.overrides import toml_value
from btoagents.experiment.search_spec import SearchSpec

if TYPE_CHECKING:
    import optuna

JOURNAL = "optuna.journal"
STUDY = "search"
#: NSGA-II population when the file gives none (a small one suits budgets of tens)
POPULATION = 10
#: TPE and GP random candidates before they model the objective, when the file gives none
STARTUP = 10


@dataclass
class Candidate:
    """One distinct set of lever values: its id (the number of the first trial that asked
    for it), the trials waiting for its result, its stored rows by replication, and its
    result (objective means, every stored KPI's mean) once evaluated."""

    id: int
    params: dict[str, Any]
    values: list[float] | None = None
    failed: bool = False
    trials: list[int] = field(default_factory=list)
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    arrived: set[int] = field(default_factory=set)
    means: dict[str, float] = field(default_factory=dict)

    def feasible(self, spec: SearchSpec) -> bool:
        """Whether every constraint holds on the candidate's means."""
        return all(
            c.violation(self.means.get(c.kpi, math.nan)) <= 0 for c in spec.parsed_constraints()
        )


def params_key(params: dict[str, Any]) -> str:
    """A candidate's identity: its lever values as canonical JSON."""
    return json.dumps(params, sort_keys=True)


def candidate_run_key(search: str, params: dict[str, Any], replication: int) -> str:
    """Stable key of one run of a candidate (16 hex digits): the search's identity, the
    lever values and the replication, so the same candidate finds the same runs."""
    text = f"{search}/{params_key(params)}/{replication}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def lever_overrides(spec: SearchSpec, values: dict[str, Any]) -> list[str]:
    """The dotted ``KEY=VALUE`` overrides that set each lever of ``values``."""
    return [
        f"{key}={toml_value(value)}"
        for name, value in values.items()
        for key in spec.levers[name].targets()
    ]


def distributions(spec: SearchSpec) -> dict[str, optuna.distributions.BaseDistribution]:
    """Each lever as an Optuna distribution (int or float range, or a categorical)."""
    from optuna.distributions import (
        CategoricalDistribution,
        FloatDistribution,
        IntDistribution,
    )

    out: dict[str, Any] = {}
    for name, lever in spec.levers.items():
        if lever.range is None:
            out[name] = CategoricalDistribution(list(lever.choices))
        elif lever.integer:
            step = int(lever.step) if lever.step is not None else 1
            low, high = int(lever.range[0]), int(lever.range[1])
            out[name] = IntDistribution(low, high, log=lever.log, step=step)
        else:
            low, high = float(lever.range[0]), float(lever.range[1])
            step = float(lever.step) if lever.step is not None else None
            out[name] = FloatDistribution(low, high, log=lever.log, step=step)
    return out


class Violations:
    """The sampler's ``constraints_func``: each candidate's constraint values (<= 0:
    satisfied), put here by trial number just before the trial is told. Optuna calls it
    once, when the trial is told, and keeps the values with the trial in the journal, so a
    resumed search needs none of them again."""

    def __init__(self) -> None:
        self.by_number: dict[int, list[float]] = {}

    def __call__(self, trial: optuna.trial.FrozenTrial) -> Sequence[float]:
        return self.by_number.pop(trial.number, [])


def sampler(
    spec: SearchSpec, seed: int, violations: Violations | None = None
) -> optuna.samplers.BaseSampler:
    """The spec's sampler, seeded with ``seed``; with constraints, ``violations`` gives it
    each told trial's constraint values. Optuna 5 deprecates ``constraints_func`` (removed
    in 7, hence the pin below 7) in favour of ``Trial.set_constraint``, which needs a live
    ``Trial`` that a trial resumed from the journal does not have: the deprecation warning
    is silenced here, where the choice is made, rather than shown to every user."""

    cf = (violations or Violations()) if spec.constraints else None
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "`constraints_func` has been deprecated", FutureWarning)
        return _sampler(spec, seed, cf)


def _sampler(spec: SearchSpec, seed: int, cf: Violations | None) -> optuna.samplers.BaseSampler:
    import optuna

    name = spec.sampler_name()
    startup = spec.search.startup or STARTUP
    if name == "tpe":
        return optuna.samplers.TPESampler(
            seed=seed, n_startup_trials=startup, multivariate=True, constraints_func=cf
        )
    if name == "gp":
        return optuna.samplers.GPSampler(seed=seed, n_startup_trials=startup, constraints_func=cf)
    if name == "nsga2":
        return optuna.samplers.NSGAIISampler(
            population_size=spec.search.population or POPULATION, seed=seed, constraints_func=cf
        )
    return optuna.samplers.RandomSampler(seed=seed)


class _HeldByFolder:
    """The journal's lock: already held (the results folder's lock, taken by the search)."""

    def acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None


def _cut_partial_line(path: Path) -> None:
    """Cut a journal's last line if the process died while writing it."""
    if not path.exists():
        return
    data = path.read_bytes()
    if data and not data.endswith(b"\n"):
        with path.open("r+b") as f:
            f.truncate(data.rfind(b"\n") + 1)


def open_study(
    spec: SearchSpec,
    folder: Path,
    rows: dict[str, dict[str, Any]],
    run_key: Callable[[dict[str, Any], int], str],
    violations: Violations | None = None,
) -> tuple[optuna.Study, list[tuple[int, dict[str, Any]]]]:
    """The search's study (created, resumed or rebuilt from ``rows``, the stored runs by
    key) and its trials asked but not told, as (trial number, lever values); a trial whose
    lever values were not all written before an interrupt is told failed. ``violations``
    carries constraint values to the sampler (:class:`Violations`)."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend
    from optuna.trial import TrialState

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    path = folder / JOURNAL
    _cut_partial_line(path)
    backend = JournalFileBackend(str(path), lock_obj=_HeldByFolder())  # type: ignore[arg-type]
    storage = JournalStorage(backend)
    directions = list(spec.objectives.values())
    study = optuna.create_study(
        storage=storage, study_name=STUDY, directions=directions, load_if_exists=True
    )
    study.sampler = sampler(spec, spec.seed + len(study.trials), violations)
    if not study.trials and rows:
        _rebuild(study, spec, rows, run_key)
    for start in spec.search.start:  # asked first; once, however often the search resumes
        study.enqueue_trial(start, skip_if_exists=True)
    pending = []
    for trial in study.get_trials(deepcopy=False, states=(TrialState.RUNNING,)):
        if set(trial.params) == set(spec.levers):
            pending.append((trial.number, dict(trial.params)))
        else:
            study.tell(trial.number, state=TrialState.FAIL)
    return study, pending


def _rebuild(
    study: optuna.Study,
    spec: SearchSpec,
    rows: dict[str, dict[str, Any]],
    run_key: Callable[[dict[str, Any], int], str],
) -> None:
    """Tell the study every candidate stored in ``rows`` (a lost journal): complete ones
    with their means, incomplete ones enqueued to be asked (and finished) first."""
    import optuna

    dists = distributions(spec)
    by_point: dict[int, list[dict[str, Any]]] = {}
    for row in rows.values():
        by_point.setdefault(int(row["point"]), []).append(row)
    for point in sorted(by_point):
        group = by_point[point]
        params = {n: _plain(group[0].get(f"factor.{n}")) for n in spec.levers}
        if any(run_key(params, int(r["replication"])) != r["run_key"] for r in group):
            continue  # not a run of this search's candidates
        if len(group) < spec.replications:
            study.enqueue_trial(params)
            continue
        if any(r["status"] != "ok" for r in group):
            study.add_trial(
                optuna.trial.create_trial(
                    state=optuna.trial.TrialState.FAIL, params=params, distributions=dists
                )
            )
            continue
        means = {k: sum(float(r[k]) for r in group) / len(group) for k in spec.stored_kpis()}
        viol = [c.violation(means.get(c.kpi, math.nan)) for c in spec.parsed_constraints()]
        study.add_trial(
            optuna.trial.create_trial(
                params=params,
                distributions=dists,
                values=[means[k] for k in spec.objectives],
                constraints={str(i): v for i, v in enumerate(viol)} if viol else None,
            )
        )


def _plain(value: Any) -> Any:
    """A stored factor value as a plain Python value (numpy scalars unwrapped)."""
    return value.item() if hasattr(value, "item") else value
