"""Design points: full factorial, Latin hypercube and Sobol (scipy.stats.qmc), Saltelli and
Morris samples for sensitivity analysis (SALib), or an explicit list.

A design is a list of points, each a dict factor name -> value, in a fixed order that the
analysis relies on (SALib's analyzers read model outputs in the order of their samples).
The same experiment file always gives the same points.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from btoagents.experiment.spec import ExperimentSpec


def salib_problem(spec: ExperimentSpec) -> dict[str, Any]:
    """The SALib problem dict of the experiment's ranged factors."""
    names = list(spec.factors)
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [list(spec.factors[n].range) for n in names],  # type: ignore[arg-type]
    }


def _scale(spec: ExperimentSpec, unit: np.ndarray) -> list[dict[str, Any]]:
    names = list(spec.factors)
    lows = np.array([spec.factors[n].range[0] for n in names])  # type: ignore[index]
    highs = np.array([spec.factors[n].range[1] for n in names])  # type: ignore[index]
    return _rows(spec, lows + unit * (highs - lows))


def _rows(spec: ExperimentSpec, values: np.ndarray) -> list[dict[str, Any]]:
    names = list(spec.factors)
    points = []
    for row in values:
        point = {}
        for name, value in zip(names, row, strict=True):
            point[name] = int(round(value)) if spec.factors[name].integer else float(value)
        points.append(point)
    return points


def design_points(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """The experiment's design points, in order."""
    d = spec.design
    seed = d.seed if d.seed is not None else spec.seed
    names = list(spec.factors)
    if d.kind == "points":
        return [dict(p) for p in spec.points]
    if d.kind == "full_factorial":
        grids = [spec.factors[n].levels for n in names]
        return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*grids)]
    if d.kind in ("latin_hypercube", "sobol"):
        # imported here: scipy.stats is slow to import and a sweep's workers never need it
        from scipy.stats import qmc
    if d.kind == "latin_hypercube":
        return _scale(spec, qmc.LatinHypercube(d=len(names), seed=seed).random(d.samples))
    if d.kind == "sobol":
        return _scale(spec, qmc.Sobol(d=len(names), scramble=True, seed=seed).random(d.samples))
    if d.kind == "saltelli":
        from SALib.sample import sobol as saltelli

        values = saltelli.sample(
            salib_problem(spec), d.samples, calc_second_order=d.second_order, seed=seed
        )
        return _rows(spec, values)
    from SALib.sample import morris

    values = morris.sample(salib_problem(spec), d.samples, num_levels=d.levels, seed=seed)
    return _rows(spec, values)


def point_overrides(spec: ExperimentSpec, point: dict[str, Any]) -> list[str]:
    """The dotted ``KEY=VALUE`` overrides that put the scenario at ``point``."""
    out = []
    for name, value in point.items():
        for key in spec.factors[name].targets():
            out.append(f"{key}={_toml_value(value)}")
    return out


def _toml_value(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
