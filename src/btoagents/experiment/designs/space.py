"""The factor space of an experiment: its one SALib problem, and design points from rows.

Sampled designs draw rows in the unit cube (scipy.stats.qmc) or in the factor ranges
(SALib); :func:`unit_rows` and :func:`value_rows` turn them into design points, dicts
factor name -> value in the order of ``spec.factors``, with integer factors rounded to the
nearest integer. The SALib problem (Herman and Usher, "SALib: an open-source Python library
for sensitivity analysis", JOSS 2(9), 2017) is built here only, and the sweep records it
in the manifest, so the analysis reads the problem the design was drawn from.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from btoagents.experiment.spec import ExperimentSpec


def salib_problem(spec: ExperimentSpec) -> dict[str, Any]:
    """The SALib problem dict of the experiment's ranged factors: ``num_vars``, ``names``
    (in the order of ``spec.factors``) and ``bounds`` ([low, high] in each factor's units).

    Only designs whose factors all take a ``range`` have one (the spec checks that for
    every design but ``full_factorial`` and ``points``)."""
    names = list(spec.factors)
    missing = [n for n in names if spec.factors[n].range is None]
    if missing:
        raise ValueError(f"factors {missing} have no `range`: no SALib problem")
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(spec.factors[n].range) for n in names],  # type: ignore[arg-type]
    }


def check_ranged(spec: ExperimentSpec) -> None:
    """A sampled design needs at least one factor, each with a ``range`` (a ValueError
    naming the first factor without one)."""
    if not spec.factors:
        raise ValueError("factors: at least one factor is needed")
    for name, f in spec.factors.items():
        if f.range is None:
            raise ValueError(
                f"factors.{name}: design {spec.design.kind!r} needs `range = [low, high]`"
            )


def design_seed(spec: ExperimentSpec) -> int:
    """The seed of a sampled design: ``design.seed``, else the experiment's seed."""
    return spec.design.seed if spec.design.seed is not None else spec.seed


def unit_rows(spec: ExperimentSpec, unit: np.ndarray) -> list[dict[str, Any]]:
    """Design points from rows in the unit cube, scaled linearly onto each factor's range."""
    names = list(spec.factors)
    lows = np.array([spec.factors[n].range[0] for n in names])  # type: ignore[index]
    highs = np.array([spec.factors[n].range[1] for n in names])  # type: ignore[index]
    return value_rows(spec, lows + unit * (highs - lows))


def value_rows(spec: ExperimentSpec, values: np.ndarray) -> list[dict[str, Any]]:
    """Design points from rows of factor values (one column per factor, in order);
    integer factors are rounded to the nearest integer, the others kept as floats."""
    names = list(spec.factors)
    points = []
    for row in values:
        point = {}
        for name, value in zip(names, row, strict=True):
            point[name] = int(round(value)) if spec.factors[name].integer else float(value)
        points.append(point)
    return points


def point_matrix(points: list[dict[str, Any]], names: list[str]) -> np.ndarray:
    """The design points as a float matrix, one row per point, one column per name (the
    input matrix ``X`` of SALib's analyzers)."""
    return np.array([[p[n] for n in names] for p in points], dtype=float)
