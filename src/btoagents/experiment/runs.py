"""Runs: one (design point, arm, replication) each, with a stable key and a CRN seed.

A run's key hashes the experiment's content hash with its point, arm and replication, so
re-running the same file finds the same keys. Its seed depends on the experiment seed and
the replication index only: every design point and arm sees the same random numbers in
replication r (common random numbers).
"""

from __future__ import annotations

import hashlib
import math
import time
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from btoagents.errors import ConfigError
from btoagents.random import replication_seed

if TYPE_CHECKING:
    from btoagents.config import Scenario
    from btoagents.model import SupplyChainModel


@dataclass(frozen=True)
class RunTask:
    """Everything a worker needs to run one replication (picklable, small)."""

    key: str
    point: int
    arm: str
    replication: int
    seed: int
    scenario: dict[str, Any]
    overrides: tuple[str, ...]
    factors: dict[str, Any] = field(default_factory=dict)
    kpis: tuple[str, ...] = ()
    sample_every: float = 0.0


def run_key(exp_hash: str, point: int, arm: str, replication: int) -> str:
    """Stable key of one run (16 hex digits)."""
    text = f"{exp_hash}/{point}/{arm}/{replication}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def enumerate_tasks(
    exp_hash: str,
    scenario: dict[str, Any],
    fixed: list[str],
    points: list[dict[str, Any]],
    point_overrides: list[list[str]],
    arms: list[tuple[str, list[str]]],
    replications: int,
    seed: int,
    kpis: tuple[str, ...] = (),
    sample_every: float = 0.0,
) -> Iterator[RunTask]:
    """Every run of the experiment, replication-major so early results cover all points."""
    for r in range(replications):
        rep_seed = replication_seed(seed, r)
        for p, (point, overrides) in enumerate(zip(points, point_overrides, strict=True)):
            for arm, arm_overrides in arms:
                yield RunTask(
                    key=run_key(exp_hash, p, arm, r),
                    point=p,
                    arm=arm,
                    replication=r,
                    seed=rep_seed,
                    scenario=scenario,
                    overrides=(*fixed, *overrides, *arm_overrides),
                    factors=point,
                    kpis=kpis,
                    sample_every=sample_every,
                )


def task_scenario(task: RunTask) -> Scenario:
    """The task's scenario with its overrides, validated here (in the worker).

    Validating imports the plugins the scenario names (from the worker's working directory
    too, see :mod:`btoagents.plugins`), so the task itself carries plain values only.

    Raises:
        ConfigError: one line, e.g. a plugin this worker cannot import.
    """
    from btoagents.config import Scenario, load_scenario
    from btoagents.config.loading import format_validation_error

    label = f"run {task.key}"
    try:
        base = Scenario.model_validate(task.scenario)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, label)) from None
    overrides = list(task.overrides)
    if task.sample_every > 0:
        overrides.append(f"simulation.sample_every={task.sample_every}")
    return load_scenario(base, overrides)


def execute_run(task: RunTask) -> dict[str, Any]:
    """Run one task; never raises: a failure becomes a row with status 'failed' and its
    traceback, or its one-line reason for a scenario this worker refuses (a ConfigError,
    such as a plugin it cannot import).

    Returns a row: run identity, factor values, status, error, elapsed seconds and KPIs,
    plus ``_timeseries`` (a list of dicts) when time series were asked for.
    """
    from btoagents.runner import run_replication

    def observe(model: SupplyChainModel, kpis: dict[str, float]) -> None:
        ts = model.timeseries()
        ts.insert(0, "run_key", task.key)
        row["_timeseries"] = ts.to_dict("records")

    started = time.perf_counter()
    row: dict[str, Any] = {
        "run_key": task.key,
        "point": task.point,
        "arm": task.arm,
        "replication": task.replication,
        "seed": task.seed,
        **{f"factor.{k}": v for k, v in task.factors.items()},
    }
    try:
        scn = task_scenario(task)
        kpis = run_replication(scn, task.seed, observe if task.sample_every > 0 else None)
        if task.kpis:
            kpis = select_kpis(kpis, task.kpis)
        row.update(status="ok", error=None, **kpis)
    except ConfigError as exc:  # a refused scenario: its one line says why
        row.update(status="failed", error=f"ConfigError: {exc}")
    except Exception:  # noqa: BLE001 - recorded with its traceback, the sweep goes on
        row.update(status="failed", error=traceback.format_exc(limit=20))
    row["elapsed"] = time.perf_counter() - started
    return row


def select_kpis(kpis: dict[str, float], names: tuple[str, ...]) -> dict[str, float]:
    """The KPIs ``names`` from a run's record. A breakdown ``NAME[part]`` that this run does
    not report (a stage or strategy it lacks) is NaN; an unknown name is an error."""
    base = {k.split("[", 1)[0] for k in kpis}
    out = {}
    for name in names:
        if name in kpis:
            out[name] = kpis[name]
        elif "[" in name and name.split("[", 1)[0] in base:
            out[name] = math.nan
        else:
            raise ConfigError(f"kpis: unknown KPI {name!r} (known: {', '.join(sorted(kpis))})")
    return out
