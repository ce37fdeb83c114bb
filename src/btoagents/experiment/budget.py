"""An experiment's budget, checked before its first run: its size, and every run's estimate.

A sweep's runs are independent (each its own process or worker), so the event and memory
limits of :mod:`btoagents.config.budget` apply per run; the experiment as a whole is
bounded by ``MAX_RUNS`` (replications by the spec and ``--replications`` check). An
experiment file with ``force = true`` lifts the per-run limits, as ``btoagents run
--force`` does for one scenario.
"""

from __future__ import annotations

from btoagents.config import Scenario
from btoagents.config.budget import check_budget
from btoagents.config.limits import MAX_RUNS
from btoagents.errors import ConfigError
from btoagents.experiment.spec import ExperimentSpec

FORCE_HINT = "set force = true in the experiment file to run it anyway"


def check_experiment_budget(
    spec: ExperimentSpec, points: int, runs: list[tuple[int, str, Scenario]], label: str
) -> None:
    """Refuse, in one line naming ``label``, an experiment too large to start.

    Args:
        spec: the experiment (its replications may come from ``--replications``, already
            checked against ``MAX_REPLICATIONS``).
        runs: the scenarios the sweep validated, as (design point, arm, scenario): every
            point under the first arm and the first point under every arm, with the
            time-series setting the runs use.
        points: the number of design points.
        label: the experiment file, for messages.
    """
    total = points * len(spec.arm_items()) * spec.replications
    if total > MAX_RUNS:
        raise ConfigError(
            f"{label}: {total:,} runs (points x arms x replications); expected at most {MAX_RUNS:,}"
        )
    for i, arm, scn in runs:
        check_budget(
            scn,
            force=spec.force,
            label=f"{label}: design point {i}, arm {arm!r}: one run",
            hint=FORCE_HINT,
        )
