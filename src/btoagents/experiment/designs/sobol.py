"""Sobol sequence designs (scipy.stats.qmc.Sobol, scrambled): ``samples`` low-discrepancy
points spread over the factor ranges (Sobol 1967; Owen scrambling). A space-filling design,
not the Saltelli sample of Sobol *indices* (that is :mod:`.saltelli`); there is no
design-specific analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from btoagents.experiment.designs.record import DesignRecord
from btoagents.experiment.designs.space import check_ranged, design_seed, unit_rows
from btoagents.experiment.designs.unanalysed import no_analysis

if TYPE_CHECKING:
    from btoagents.experiment.spec import ExperimentSpec

KIND = "sobol"
TABLE: str | None = None
FIELDS: tuple[str, ...] = ()
RANGED = True


def check(spec: ExperimentSpec) -> None:
    """The factors suit the design: each has a ``range`` (a ValueError otherwise)."""
    check_ranged(spec)


def size(spec: ExperimentSpec) -> int:
    """Number of points: ``design.samples`` (a power of 2 keeps the sequence balanced)."""
    return spec.design.samples


def settings(spec: ExperimentSpec) -> dict[str, Any]:
    """Points, the resolved seed and the scrambling (always on)."""
    return {"samples": spec.design.samples, "seed": design_seed(spec), "scramble": True}


def sample(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """The first ``samples`` points of a scrambled Sobol sequence, scaled onto the ranges."""
    from scipy.stats import qmc

    unit = qmc.Sobol(d=len(spec.factors), scramble=True, seed=design_seed(spec))
    return unit_rows(spec, unit.random(spec.design.samples))


def analyze(record: DesignRecord, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """No method-specific analysis: always a ConfigError."""
    raise no_analysis(KIND)
