"""Stored results of one experiment, as the figures and the numbers read them.

Only what the sweep stored is read (the manifest and the Parquet rows through
:func:`~btoagents.experiment.load_results`); nothing is simulated. Means carry Student-t
95% confidence intervals over replications (:func:`btoagents.replications.confidence_interval`);
differences between two design points are paired by replication, because replication r
uses the same seed at every point (common random numbers).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from btoagents.errors import BtoagentsError
from btoagents.experiment import load_results
from btoagents.experiment.analysis import summarize_points
from btoagents.experiment.store import ResultStore
from btoagents.replications import confidence_interval

#: Derived KPIs (sums of stored ones), added when their parts are stored.
DERIVED: dict[str, tuple[str, ...]] = {
    # the cost of holding finished stock: financing, markdowns and write-offs (per day)
    "stock_cost": ("holding_cost", "discount_cost", "obsolescence_cost"),
    "markdown_obsolescence": ("discount_cost", "obsolescence_cost"),
}


@dataclass(frozen=True)
class Estimate:
    """A mean with its 95% confidence interval and the number of values behind it."""

    mean: float
    ci_low: float
    ci_high: float
    n: int

    @property
    def half_width(self) -> float:
        return (self.ci_high - self.ci_low) / 2.0

    def scaled(self, factor: float) -> Estimate:
        return Estimate(self.mean * factor, self.ci_low * factor, self.ci_high * factor, self.n)


def estimate(values: np.ndarray | pd.Series) -> Estimate:
    """Mean and Student-t 95% CI of the non-NaN ``values``."""
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return Estimate(math.nan, math.nan, math.nan, 0)
    mean, lo, hi, _ = confidence_interval(arr)
    if arr.size < 2:
        lo = hi = mean
    return Estimate(float(mean), float(lo), float(hi), int(arr.size))


@dataclass
class Stored:
    """One experiment's results folder: its manifest and its finished runs."""

    folder: Path
    manifest: dict[str, Any]
    rows: pd.DataFrame

    @classmethod
    def load(cls, folder: str | Path) -> Stored:
        folder = Path(folder)
        manifest = ResultStore(folder).manifest()
        if manifest is None:
            raise BtoagentsError(f"{folder}: no manifest.json (run the experiment first)")
        rows = load_results(folder)
        if rows.empty:
            raise BtoagentsError(f"{folder}: no stored runs")
        rows = rows[rows["status"] == "ok"].copy()
        if rows.empty:
            raise BtoagentsError(f"{folder}: no run finished without error")
        for name, parts in DERIVED.items():
            if all(p in rows.columns for p in parts):
                rows[name] = sum(rows[p] for p in parts)
        return cls(folder, manifest, rows.reset_index(drop=True))

    # -- design ---------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return str(self.manifest["name"])

    @property
    def scenario(self) -> dict[str, Any]:
        """The experiment's base scenario (preset plus the experiment's fixed overrides)."""
        return self.manifest["scenario"]

    def levels(self, factor: str) -> list[Any]:
        """The stored levels of ``factor``, sorted."""
        col = f"factor.{factor}"
        if col not in self.rows.columns:
            raise BtoagentsError(f"{self.folder}: no factor {factor!r}")
        return sorted(self.rows[col].dropna().unique().tolist())

    def factors(self) -> list[str]:
        return list(self.manifest.get("factors", {}))

    def replications(self) -> int:
        return int(self.rows["replication"].nunique())

    def select(self, **where: Any) -> pd.DataFrame:
        """Rows whose factors equal the given values (floats compared with a tolerance)."""
        mask = np.ones(len(self.rows), dtype=bool)
        for name, value in where.items():
            col = self.rows[f"factor.{name}"]
            if isinstance(value, float | int) and not isinstance(value, bool):
                mask &= np.isclose(col.to_numpy(dtype=float), float(value))
            else:
                mask &= (col == value).to_numpy()
        return self.rows[mask]

    # -- summaries ------------------------------------------------------------------------
    def summary(self, by: list[str], kpis: list[str]) -> pd.DataFrame:
        """Wide table: one row per combination of ``by`` (and arm), columns ``KPI``,
        ``KPI_lo``, ``KPI_hi`` (mean and 95% CI) and ``n``."""
        long = summarize_points(self.rows, by=by, kpis=kpis)
        keys = [*by, "arm"]
        wide = long.pivot_table(
            index=keys, columns="kpi", values=["mean", "ci_low", "ci_high"], aggfunc="first"
        )
        out = pd.DataFrame(index=wide.index)
        for kpi in kpis:
            out[kpi] = wide[("mean", kpi)]
            out[f"{kpi}_lo"] = wide[("ci_low", kpi)]
            out[f"{kpi}_hi"] = wide[("ci_high", kpi)]
        n = long.groupby(keys)["n"].max()
        out["n"] = n.reindex(out.index).to_numpy()
        return out.reset_index()

    def estimate(self, kpi: str, **where: Any) -> Estimate:
        """Mean and 95% CI of ``kpi`` over the replications at one design point."""
        return estimate(self.select(**where)[kpi])

    def paired(self, kpi: str, a: dict[str, Any], b: dict[str, Any]) -> Estimate:
        """Mean and 95% CI of ``kpi`` at point ``a`` minus point ``b``, paired by
        replication (common random numbers)."""
        left = self.select(**a).set_index("replication")[kpi]
        right = self.select(**b).set_index("replication")[kpi]
        both = pd.concat([left, right], axis=1, keys=["a", "b"]).dropna()
        return estimate(both["a"] - both["b"])

    def paired_ratio(self, kpi: str, a: dict[str, Any], b: dict[str, Any]) -> Estimate:
        """Relative change ``mean(a) / mean(b) - 1`` with a 95% CI by the delta method on
        the paired replications (the linearised ratio estimator)."""
        left = self.select(**a).set_index("replication")[kpi]
        right = self.select(**b).set_index("replication")[kpi]
        both = pd.concat([left, right], axis=1, keys=["a", "b"]).dropna()
        n = len(both)
        ma, mb = both["a"].mean(), both["b"].mean()
        if n < 2 or mb == 0:
            return Estimate(math.nan, math.nan, math.nan, n)
        ratio = ma / mb
        # linearised residuals of the ratio estimator
        resid = (both["a"] - ratio * both["b"]) / mb
        half = estimate(resid).half_width
        return Estimate(ratio - 1.0, ratio - 1.0 - half, ratio - 1.0 + half, n)

    # -- scenario facts -------------------------------------------------------------------
    def offered_load(self) -> float:
        """Units per day the plant is asked for: final-customer orders plus bulk units."""
        scn = self.scenario
        final = sum(float(p["demand_rate"]) for p in scn["products"].values())
        bulk = sum(float(i["rate"]) * float(i["size_mean"]) for i in scn["intermediaries"].values())
        return final + bulk

    def nominal_utilization(self, service_rate: float) -> float:
        """Offered load over capacity (lines x ``service_rate``)."""
        lines = int(self.scenario["manufacturer"]["lines"])
        return self.offered_load() / (lines * float(service_rate))
