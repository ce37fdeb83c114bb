"""Saltelli designs and Sobol indices (SALib.sample.sobol, SALib.analyze.sobol).

A base sample of ``samples`` = N points in 2D dimensions (a scrambled Sobol sequence) gives
the matrices A and B and, per factor i, A with column i from B: N (D + 2) points, or
N (2D + 2) with ``second_order`` (Saltelli, "Making best use of model evaluations to
compute sensitivity indices", Computer Physics Communications 145, 2002). The analysis
estimates first-order indices S1 (the share of the output variance due to factor i alone)
and total-order indices ST (its share including every interaction), with bootstrap 95%
confidence intervals (Saltelli et al., Computer Physics Communications 181, 2010). Indices
are dimensionless shares of variance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from btoagents.experiment.designs.record import DesignRecord
from btoagents.experiment.designs.space import check_ranged, design_seed, salib_problem, value_rows

if TYPE_CHECKING:
    from btoagents.experiment.spec import ExperimentSpec

KIND = "saltelli"
#: the analysis table and its per-factor columns
TABLE: str | None = "sobol"
FIELDS: tuple[str, ...] = ("S1", "S1_conf", "ST", "ST_conf")
RANGED = True


def check(spec: ExperimentSpec) -> None:
    """The factors suit the design: at least two, each with a ``range`` (a ValueError
    otherwise: the analysis apportions effects among factors)."""
    check_ranged(spec)
    if len(spec.factors) < 2:
        raise ValueError(f"design {KIND!r} needs at least two factors")


def size(spec: ExperimentSpec) -> int:
    """Number of points: N (D + 2), or N (2D + 2) with second-order indices."""
    n, d = spec.design.samples, len(spec.factors)
    return n * (2 * d + 2 if spec.design.second_order else d + 2)


def settings(spec: ExperimentSpec) -> dict[str, Any]:
    """Base N, the resolved seed and whether second-order indices are sampled for."""
    d = spec.design
    return {"samples": d.samples, "seed": design_seed(spec), "second_order": d.second_order}


def sample(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """SALib's Saltelli sample of the experiment's problem, in SALib's row order."""
    from SALib.sample import sobol as salib_sobol

    d = spec.design
    values = salib_sobol.sample(
        salib_problem(spec), d.samples, calc_second_order=d.second_order, seed=design_seed(spec)
    )
    return value_rows(spec, values)


def analyze(record: DesignRecord, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """SALib's Sobol indices of the outputs ``y`` (one per design point, in design order):
    ``S1``, ``ST`` and their 95% half-widths ``S1_conf``, ``ST_conf`` (and ``S2`` with
    second order). ``seed`` seeds the bootstrap, so the intervals are reproducible."""
    from SALib.analyze import sobol as salib_sobol

    second = bool(record.settings.get("second_order"))
    return salib_sobol.analyze(record.require_problem(), y, calc_second_order=second, seed=seed)
