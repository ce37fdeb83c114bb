"""An experiment's budget, checked before its first run: its size, and every run's estimate.

A sweep's runs are independent (each its own process or worker), so the event and memory
limits of :mod:`btoagents.config.budget` apply per run; the experiment as a whole is
bounded by ``MAX_REPLICATIONS`` and ``MAX_RUNS`` (:mod:`btoagents.config.limits`). An
experiment file with ``force = true`` lifts the per-run limits, as ``btoagents run
--force`` does for one scenario.
"""

from __future__ import annotations

import warnings

from btoagents.config import Scenario, SteadyStateWarning, load_scenario
from btoagents.config.budget import check_budget
from btoagents.config.limits import MAX_REPLICATIONS, MAX_RUNS
from btoagents.errors import ConfigError
from btoagents.experiment.spec import ExperimentSpec

FORCE_HINT = "set force = true in the experiment file to run it anyway"


def check_experiment_budget(
    spec: ExperimentSpec, base: Scenario, overrides: list[list[str]], label: str
) -> None:
    """Refuse, in one line naming ``label``, an experiment too large to start.

    Args:
        spec: the experiment (its replications may come from ``--replications``).
        base: its scenario with the fixed overrides applied.
        overrides: per design point, the overrides that put the scenario there.
        label: the experiment file, for messages.

    The runs estimated are those the sweep validates: every design point under the first
    arm and the first point under every arm (with the time-series setting the runs use).
    """
    if not 1 <= spec.replications <= MAX_REPLICATIONS:
        raise ConfigError(
            f"{label}: replications = {spec.replications}: expected 1 to {MAX_REPLICATIONS:,}"
        )
    arms = spec.arm_items()
    runs = len(overrides) * len(arms) * spec.replications
    if runs > MAX_RUNS:
        raise ConfigError(
            f"{label}: {runs:,} runs (points x arms x replications); expected at most {MAX_RUNS:,}"
        )
    extra = [f"simulation.sample_every={spec.sample_every!r}"] if spec.timeseries else []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SteadyStateWarning)  # the sweep warns once itself
        for i, point in enumerate(overrides):
            for arm, arm_overrides in arms if i == 0 else arms[:1]:
                scn = load_scenario(base, [*point, *arm_overrides, *extra])
                check_budget(
                    scn,
                    force=spec.force,
                    label=f"{label}: design point {i}, arm {arm!r}: one run",
                    hint=FORCE_HINT,
                )
