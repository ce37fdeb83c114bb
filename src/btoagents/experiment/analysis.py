"""Analysis of stored runs: means with 95% CIs, paired arm differences, Sobol and Morris.

- ``summarize_points``: per design point (or per chosen factors) and arm, each KPI's mean,
  Student-t 95% CI, sd and number of runs.
- ``paired_differences``: every arm against the first, replication by replication. Arms
  share random numbers (common random numbers), so the difference's variance is far below
  the sum of the two variances; the variance reduction reported is
  1 - Var(a - b) / (Var(a) + Var(b)), the share of variance that independent sampling would
  have added (Law, "Simulation Modeling and Analysis", 5th ed., McGraw-Hill 2015, §11.2).
- ``design_indices``, ``sobol_indices`` (Saltelli designs) and ``morris_indices`` (Morris
  designs): the design method's ``analyze`` (:mod:`btoagents.experiment.designs`: SALib's
  analyzers) on the replication-mean KPI of each design point, in design order, with their
  bootstrap confidence intervals (Saltelli et al., "Variance based sensitivity analysis of
  model output", Computer Physics Communications 181, 2010; Morris, "Factorial sampling
  plans for preliminary computational experiments", Technometrics 33(2), 1991). The design
  (kind, settings, SALib problem, points in order) is the record the sweep wrote in the
  manifest (:mod:`btoagents.experiment.designs.record`); the experiment file is not read.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from btoagents.errors import BtoagentsError, ConfigError
from btoagents.experiment.designs import DesignRecord, method
from btoagents.experiment.store import ResultStore, load_results
from btoagents.replications import confidence_interval

META = {"run_key", "point", "arm", "replication", "seed", "status", "error", "elapsed"}


def kpi_columns(rows: pd.DataFrame) -> list[str]:
    """Numeric KPI columns of a results frame."""
    return [
        c
        for c in rows.columns
        if c not in META and not c.startswith("factor.") and pd.api.types.is_numeric_dtype(rows[c])
    ]


def _pick_kpis(rows: pd.DataFrame, kpis: list[str] | None) -> list[str]:
    known = kpi_columns(rows)
    if not kpis:
        return known
    unknown = [k for k in kpis if k not in known]
    if unknown:
        raise ConfigError(f"--kpi: unknown KPI(s) {unknown} (stored: {known})")
    return list(kpis)


def summarize_points(
    rows: pd.DataFrame, by: list[str] | None = None, kpis: list[str] | None = None
) -> pd.DataFrame:
    """Long table: group columns, arm, kpi, mean, ci_low, ci_high, sd, n.

    Without ``by`` there is one row per design point, arm and KPI. With ``by`` the runs are
    pooled over every design point that shares the named factors' levels; the arm is always
    kept apart, so ``by=["arm"]`` pools all design points into one row per arm and KPI."""
    ok = rows[rows["status"] == "ok"]
    kpis = _pick_kpis(ok, kpis)
    factor_cols = [c for c in ok.columns if c.startswith("factor.")]
    if by:
        groups = []
        for name in by:
            if name == "arm":
                continue
            col = f"factor.{name}"
            if col not in ok.columns:
                known = ["arm", *(c.removeprefix("factor.") for c in factor_cols)]
                raise ConfigError(f"--by {name!r}: not a factor of this experiment ({known})")
            groups.append(col)
    else:
        groups = ["point", *factor_cols]
    out = []
    for key, part in ok.groupby([*groups, "arm"], sort=True, dropna=False):
        key = key if isinstance(key, tuple) else (key,)
        base = dict(zip([*groups, "arm"], key, strict=True))
        for kpi in kpis:
            mean, lo, hi, sd = confidence_interval(part[kpi].to_numpy(dtype=float))
            out.append(
                {
                    **base,
                    "kpi": kpi,
                    "mean": mean,
                    "ci_low": lo,
                    "ci_high": hi,
                    "sd": sd,
                    "n": int(part[kpi].notna().sum()),
                }
            )
    frame = pd.DataFrame(out)
    return frame.rename(columns={c: c.removeprefix("factor.") for c in frame.columns})


def paired_differences(
    rows: pd.DataFrame, kpis: list[str] | None = None, arms: list[str] | None = None
) -> pd.DataFrame:
    """Each arm minus the first arm, paired by design point and replication (same seeds).

    ``arms`` gives the order (the experiment's); the first is the baseline.
    """
    ok = rows[rows["status"] == "ok"]
    arms = arms or list(dict.fromkeys(ok["arm"]))
    if len(arms) < 2:
        return pd.DataFrame()
    kpis = _pick_kpis(ok, kpis)
    baseline = arms[0]
    out = []
    for point, part in ok.groupby("point", sort=True):
        wide = part.pivot_table(index="replication", columns="arm", values=kpis, aggfunc="first")
        for arm in arms[1:]:
            for kpi in kpis:
                if (kpi, arm) not in wide or (kpi, baseline) not in wide:
                    continue
                pair = wide[[(kpi, arm), (kpi, baseline)]].dropna()
                a, b = pair[(kpi, arm)].to_numpy(), pair[(kpi, baseline)].to_numpy()
                diff = a - b
                mean, lo, hi, sd = confidence_interval(diff)
                independent = (np.var(a, ddof=1) + np.var(b, ddof=1)) if len(a) > 1 else math.nan
                var_diff = np.var(diff, ddof=1) if len(a) > 1 else math.nan
                reduction = 1 - var_diff / independent if independent > 0 else math.nan
                out.append(
                    {
                        "point": point,
                        "arm": arm,
                        "baseline": baseline,
                        "kpi": kpi,
                        "difference": mean,
                        "ci_low": lo,
                        "ci_high": hi,
                        "n": len(diff),
                        "variance_reduction": reduction,
                    }
                )
    return pd.DataFrame(out)


def _point_means(rows: pd.DataFrame, kpi: str, n_points: int, arm: str) -> np.ndarray:
    ok = rows[(rows["status"] == "ok") & (rows["arm"] == arm)]
    means = ok.groupby("point")[kpi].mean().reindex(range(n_points))
    if means.isna().any():
        missing = int(means.isna().sum())
        raise ConfigError(f"{kpi}: {missing} design points have no finished run yet")
    return means.to_numpy(dtype=float)


def design_indices(
    rows: pd.DataFrame,
    manifest: dict[str, Any],
    kpis: list[str] | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """The design method's per-factor statistics (its ``FIELDS``), one row per arm, KPI
    and factor, from the replication-mean KPI of each design point in design order.

    The design comes from the manifest's design record, never from the experiment file; a
    design without a method-specific analysis is a one-line ConfigError. The bootstrap is
    seeded by ``seed`` (default: :func:`bootstrap_seed`), so the intervals are reproducible.
    A KPI that is constant over the design has no variance to apportion and is left out."""
    record = DesignRecord.from_manifest(manifest)
    m = method(record.kind)
    seed = seed or bootstrap_seed(manifest)
    n_points = len(record.points)
    out = []
    for arm in manifest["arms"]:
        for kpi in _pick_kpis(rows, kpis):
            y = _point_means(rows, kpi, n_points, arm)
            if np.allclose(y, y[0]):
                continue  # a constant output has no variance to apportion
            res = m.analyze(record, y, seed)
            for i, name in enumerate(record.names):
                out.append(
                    {"arm": arm, "kpi": kpi, "factor": name, **{f: res[f][i] for f in m.FIELDS}}
                )
    return pd.DataFrame(out)


def bootstrap_seed(manifest: dict[str, Any]) -> int:
    """The seed of SALib's bootstrap intervals: the experiment's seed, at least 1 (SALib
    seeds its bootstrap only for a truthy seed, so 0 would give intervals that change from
    call to call)."""
    return max(1, int(manifest.get("seeds", {}).get("experiment", 1)))


def _require_kind(manifest: dict[str, Any], kind: str, what: str) -> None:
    found = (manifest.get("design") or {}).get("kind")
    if found != kind:
        raise ConfigError(f"{what} need a {kind!r} design; this experiment has a {found!r} design")


def sobol_indices(
    rows: pd.DataFrame,
    manifest: dict[str, Any],
    kpis: list[str] | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """First- and total-order Sobol indices with 95% CIs (Saltelli designs; see
    :mod:`btoagents.experiment.designs.saltelli`); the bootstrap is seeded by ``seed``
    (default: :func:`bootstrap_seed`), so the CIs are reproducible."""
    _require_kind(manifest, "saltelli", "Sobol indices")
    return design_indices(rows, manifest, kpis, seed)


def morris_indices(
    rows: pd.DataFrame,
    manifest: dict[str, Any],
    kpis: list[str] | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Morris elementary-effect statistics mu*, its 95% CI and sigma (Morris designs; see
    :mod:`btoagents.experiment.designs.morris`); the bootstrap is seeded by ``seed``
    (default: :func:`bootstrap_seed`)."""
    _require_kind(manifest, "morris", "Morris statistics")
    return design_indices(rows, manifest, kpis, seed)


def analyze(
    folder: str | Path, by: list[str] | None = None, kpis: list[str] | None = None
) -> dict[str, pd.DataFrame]:
    """Every table the design allows, written as CSV and Markdown under ``folder/analysis``
    (a folder that cannot be written there is one BtoagentsError naming the path)."""
    store = ResultStore(folder)
    manifest = store.require_manifest()
    rows = load_results(folder)
    if rows.empty:
        raise ConfigError(f"{folder}: no stored runs yet")
    tables = {"summary": summarize_points(rows, by, kpis)}
    paired = paired_differences(rows, kpis, manifest["arms"])
    if not paired.empty:
        tables["paired"] = paired
    table = method(manifest["design"]["kind"]).TABLE
    if table is not None:
        tables[table] = design_indices(rows, manifest, kpis)
    out = Path(folder) / "analysis"
    try:
        out.mkdir(exist_ok=True)
        for name, table in tables.items():
            table.to_csv(out / f"{name}.csv", index=False)
            (out / f"{name}.md").write_text(table.to_markdown(index=False, floatfmt=".4g") + "\n")
    except OSError as exc:
        raise BtoagentsError(
            f"{exc.filename or out}: cannot write the analysis tables: {exc.strerror or exc}"
        ) from None
    return tables
