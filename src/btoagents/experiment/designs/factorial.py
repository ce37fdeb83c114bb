"""Full factorial designs: every combination of the factors' levels.

Points run through the levels of the last factor fastest (``itertools.product`` order).
There is no design-specific analysis: the points are compared by the summary and paired
tables of :mod:`btoagents.experiment.analysis`, and main effects are the summary pooled
``--by`` one factor.
"""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from btoagents.experiment.designs.record import DesignRecord
from btoagents.experiment.designs.unanalysed import no_analysis

if TYPE_CHECKING:
    from btoagents.experiment.spec import ExperimentSpec

KIND = "full_factorial"
#: the analysis table of this method (None: no method-specific analysis)
TABLE: str | None = None
FIELDS: tuple[str, ...] = ()
RANGED = False


def check(spec: ExperimentSpec) -> None:
    """The factors suit the design: at least one, each with ``levels`` (a ValueError
    otherwise)."""
    if not spec.factors:
        raise ValueError("factors: at least one factor is needed")
    for name, f in spec.factors.items():
        if not f.levels:
            raise ValueError(f"factors.{name}: full_factorial needs `levels`")


def size(spec: ExperimentSpec) -> int:
    """Number of points: the product of the factors' numbers of levels."""
    return math.prod(len(f.levels) for f in spec.factors.values())


def settings(spec: ExperimentSpec) -> dict[str, Any]:
    """The levels of each factor, in factor order."""
    return {"levels": {n: list(f.levels) for n, f in spec.factors.items()}}


def sample(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """Every combination of levels, the last factor varying fastest."""
    names = list(spec.factors)
    grids = [spec.factors[n].levels for n in names]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)]


def analyze(record: DesignRecord, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """No method-specific analysis (see the module docstring): always a ConfigError."""
    raise no_analysis(KIND)
