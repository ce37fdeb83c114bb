"""The cases that scenario discovery and robustness read: one per design point and arm.

Stored runs are grouped by design point (the ``point`` column; by the factor values when a
folder has none) and arm, and each KPI is averaged over the point's finished
replications: a *point mean*. Scenario discovery classifies design points rather than
single runs because the factors (the x of PRIM) are those of the point: its replications
differ only in their random numbers, so classifying each run would label the same x both
ways by noise alone, and PRIM's density would measure that noise as much as the factors'
effect (Bryant and Lempert, "Thinking inside the box: a participatory, computer-assisted
approach to scenario discovery", Technological Forecasting and Social Change 77(1), 2010,
classify one model run per sampled point; here a point's mean over its replications plays
that run's part).

The inputs are the columns named ``factor.NAME``: a sweep's factors, as
:mod:`btoagents.experiment.runs` stores them, and a search's levers (``btoagents optimize``
stores each candidate as a design point with its lever values in the same columns). A
column missing at some points (an explicit design whose points set only some factors) is
left out, since PRIM cannot peel a dimension with gaps. The candidates of a search crowd
near its optimum rather than fill the space, so a box found over them describes the
region the search explored, not a scenario ensemble.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from btoagents.errors import ConfigError
from btoagents.experiment.analysis import kpi_columns

#: prefix of the stored columns that are inputs (factors of a sweep, levers of a search)
INPUT_PREFIX = "factor."


@dataclass(frozen=True)
class PointMeans:
    """One row per design point and arm: ``point``, the inputs (prefix dropped), ``arm``,
    ``runs`` (finished replications averaged) and the KPI's point mean, in its units."""

    frame: pd.DataFrame
    inputs: list[str]
    dropped: list[str]

    def arms(self) -> list[str]:
        """The arms, in stored order."""
        return list(dict.fromkeys(self.frame["arm"]))


def input_columns(rows: pd.DataFrame) -> list[str]:
    """The stored input columns (``factor.*``), in stored order."""
    return [c for c in rows.columns if c.startswith(INPUT_PREFIX)]


def short_name(column: str) -> str:
    """An input column's name without its prefix: ``factor.capacity`` -> ``capacity``."""
    return column.removeprefix(INPUT_PREFIX)


def point_means(rows: pd.DataFrame, kpi: str) -> PointMeans:
    """The point means of ``kpi`` (see the module docstring) of every arm.

    Raises:
        ConfigError: one line when there are no finished runs, no input columns, or
            ``kpi`` is not a stored numeric KPI (naming the stored ones).
    """
    ok = rows[rows["status"] == "ok"] if "status" in rows else rows
    if ok.empty:
        raise ConfigError("no finished runs stored yet")
    known = kpi_columns(ok)
    if kpi not in known:
        raise ConfigError(f"--kpi {kpi!r}: not a stored KPI (stored: {', '.join(known)})")
    columns = input_columns(ok)
    if not columns:
        raise ConfigError("the stored runs have no factor columns to explain a KPI by")
    complete = [c for c in columns if ok[c].notna().all()]
    dropped = [short_name(c) for c in columns if c not in complete]
    if not complete:
        raise ConfigError(f"every factor has points without a value: {', '.join(dropped)}")
    if "point" not in ok:  # a folder without design points: its distinct input values
        ok = ok.assign(point=ok.groupby(complete, sort=True).ngroup())
    grouped = ok.groupby(["point", "arm"], sort=True)
    frame = grouped[complete].first()
    frame["runs"] = grouped[kpi].count()
    frame[kpi] = grouped[kpi].mean()
    frame = frame[frame["runs"] > 0].reset_index()
    frame = frame.rename(columns={c: short_name(c) for c in complete})
    inputs = [short_name(c) for c in complete]
    return PointMeans(frame[["point", *inputs, "arm", "runs", kpi]], inputs, dropped)


def interest(values: np.ndarray, above: float | None, below: float | None) -> np.ndarray:
    """Which values are cases of interest: strictly above ``above`` or strictly below
    ``below`` (exactly one of them is given)."""
    if (above is None) == (below is None):
        raise ConfigError("give exactly one of --above X and --below X")
    values = np.asarray(values, dtype=float)
    return values > above if above is not None else values < below  # type: ignore[operator]


def pick_arm(means: PointMeans, arm: str | None) -> str:
    """The arm to analyse: ``arm``, or the only stored one; a one-line ConfigError for an
    unknown arm, or for none given when several are stored."""
    arms = means.arms()
    if arm is None:
        if len(arms) > 1:
            raise ConfigError(f"--arm: the runs hold several arms; pick one of {', '.join(arms)}")
        return arms[0]
    if arm not in arms:
        raise ConfigError(f"--arm {arm!r}: not a stored arm (stored: {', '.join(arms)})")
    return arm
