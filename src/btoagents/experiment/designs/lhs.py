"""Latin hypercube designs (scipy.stats.qmc.LatinHypercube): ``samples`` points, one in
each of ``samples`` equal strata of every factor's range (McKay, Beckman and Conover,
Technometrics 21(2), 1979). There is no design-specific analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from btoagents.experiment.designs.record import DesignRecord
from btoagents.experiment.designs.space import check_ranged, design_seed, unit_rows
from btoagents.experiment.designs.unanalysed import no_analysis

if TYPE_CHECKING:
    from btoagents.experiment.spec import ExperimentSpec

KIND = "latin_hypercube"
TABLE: str | None = None
FIELDS: tuple[str, ...] = ()
RANGED = True


def check(spec: ExperimentSpec) -> None:
    """The factors suit the design: each has a ``range`` (a ValueError otherwise)."""
    check_ranged(spec)


def size(spec: ExperimentSpec) -> int:
    """Number of points: ``design.samples``."""
    return spec.design.samples


def settings(spec: ExperimentSpec) -> dict[str, Any]:
    """Points and the resolved seed."""
    return {"samples": spec.design.samples, "seed": design_seed(spec)}


def sample(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """``samples`` Latin hypercube points, scaled onto the factor ranges."""
    # imported here: scipy.stats is slow to import and a sweep's workers never need it
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(spec.factors), seed=design_seed(spec))
    return unit_rows(spec, unit.random(spec.design.samples))


def analyze(record: DesignRecord, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """No method-specific analysis: always a ConfigError."""
    raise no_analysis(KIND)
