"""Morris designs and elementary effects (SALib.sample.morris, SALib.analyze.morris).

``samples`` = r trajectories of D + 1 points on a grid of ``levels`` levels, each step
changing one factor (Morris, "Factorial sampling plans for preliminary computational
experiments", Technometrics 33(2), 1991): r (D + 1) points. The analysis gives per factor
mu* (the mean absolute elementary effect, in output units per unit of the factor's range
scaled to [0, 1]), its bootstrap 95% half-width ``mu_star_conf`` and sigma (the spread of
the effects: nonlinearity or interactions; Campolongo, Cariboni and Saltelli,
Environmental Modelling & Software 22, 2007).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from btoagents.experiment.designs.record import DesignRecord
from btoagents.experiment.designs.space import (
    check_ranged,
    design_seed,
    point_matrix,
    salib_problem,
    value_rows,
)

if TYPE_CHECKING:
    from btoagents.experiment.spec import ExperimentSpec

KIND = "morris"
TABLE: str | None = "morris"
FIELDS: tuple[str, ...] = ("mu_star", "mu_star_conf", "sigma")
RANGED = True
#: grid levels when a record does not say (the DesignSpec default)
DEFAULT_LEVELS = 4


def check(spec: ExperimentSpec) -> None:
    """The factors suit the design: at least two, each with a ``range`` (a ValueError
    otherwise: the analysis apportions effects among factors)."""
    check_ranged(spec)
    if len(spec.factors) < 2:
        raise ValueError(f"design {KIND!r} needs at least two factors")


def size(spec: ExperimentSpec) -> int:
    """Number of points: r (D + 1)."""
    return spec.design.samples * (len(spec.factors) + 1)


def settings(spec: ExperimentSpec) -> dict[str, Any]:
    """Trajectories, the resolved seed and the grid levels."""
    d = spec.design
    return {"samples": d.samples, "seed": design_seed(spec), "levels": d.levels}


def sample(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """SALib's Morris trajectories of the experiment's problem, in SALib's row order."""
    from SALib.sample import morris as salib_morris

    d = spec.design
    values = salib_morris.sample(
        salib_problem(spec), d.samples, num_levels=d.levels, seed=design_seed(spec)
    )
    return value_rows(spec, values)


def analyze(record: DesignRecord, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """SALib's Morris statistics of the outputs ``y`` (one per design point, in design
    order): ``mu``, ``mu_star``, ``mu_star_conf`` and ``sigma`` per factor; ``seed`` seeds
    the bootstrap of ``mu_star_conf``. The inputs are the recorded points (integer factors
    as rounded), so the effects are those of the values the runs used."""
    from SALib.analyze import morris as salib_morris

    problem = record.require_problem()
    x = point_matrix(record.points, problem["names"])
    levels = record.settings.get("levels") or DEFAULT_LEVELS
    return salib_morris.analyze(problem, x, y, num_levels=levels, seed=seed)
