"""Explicit designs (``kind = "points"``): the ``[[points]]`` list of the experiment file,
in file order. A point may set only some factors; the others keep the scenario's values.
There is no design-specific analysis.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from btoagents.experiment.designs.record import DesignRecord
from btoagents.experiment.designs.unanalysed import no_analysis

if TYPE_CHECKING:
    from btoagents.experiment.spec import ExperimentSpec

KIND = "points"
TABLE: str | None = None
FIELDS: tuple[str, ...] = ()
RANGED = False


def check(spec: ExperimentSpec) -> None:
    """The design suits the factors: a non-empty ``[[points]]`` list whose points name
    only declared factors (a ValueError otherwise)."""
    if not spec.points:
        raise ValueError("design.kind = 'points' needs a [[points]] list")
    for i, point in enumerate(spec.points):
        unknown = set(point) - set(spec.factors)
        if unknown:
            raise ValueError(f"points[{i}]: unknown factor(s) {sorted(unknown)}")


def size(spec: ExperimentSpec) -> int:
    """Number of points: the length of the list."""
    return len(spec.points)


def settings(spec: ExperimentSpec) -> dict[str, Any]:
    """No settings: the points are the design."""
    return {}


def sample(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """The listed points (copies), in file order."""
    return [dict(p) for p in spec.points]


def analyze(record: DesignRecord, y: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    """No method-specific analysis: always a ConfigError."""
    raise no_analysis(KIND)
