"""Analysis of stored runs: means with 95% CIs, paired arm differences, Sobol and Morris.

- ``summarize_points``: per design point (or per chosen factors) and arm, each KPI's mean,
  Student-t 95% CI, sd and number of runs.
- ``paired_differences``: every arm against the first, replication by replication. Arms
  share random numbers (common random numbers), so the difference's variance is far below
  the sum of the two variances; the variance reduction reported is
  1 - Var(a - b) / (Var(a) + Var(b)), the share of variance that independent sampling would
  have added (Law, "Simulation Modeling and Analysis", 5th ed., McGraw-Hill 2015, §11.2).
- ``sobol_indices`` (Saltelli designs) and ``morris_indices`` (Morris designs): SALib's
  analyzers on the replication-mean KPI of each design point, in design order, with their
  bootstrap confidence intervals (Saltelli et al., "Variance based sensitivity analysis of
  model output", Computer Physics Communications 181, 2010; Morris, "Factorial sampling
  plans for preliminary computational experiments", Technometrics 33(2), 1991).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from btoagents.errors import BtoagentsError, ConfigError
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


def _indices_per_factor(
    rows: pd.DataFrame,
    manifest: dict[str, Any],
    kpis: list[str] | None,
    compute: Any,
    fields: tuple[str, ...],
) -> pd.DataFrame:
    """Run ``compute(problem, y)`` per arm and KPI on point means; one row per factor."""
    problem = _problem(manifest)
    n_points = len(manifest["design"]["points"])
    out = []
    for arm in manifest["arms"]:
        for kpi in _pick_kpis(rows, kpis):
            y = _point_means(rows, kpi, n_points, arm)
            if np.allclose(y, y[0]):
                continue  # a constant output has no variance to apportion
            res = compute(problem, y)
            for i, name in enumerate(problem["names"]):
                out.append(
                    {"arm": arm, "kpi": kpi, "factor": name, **{f: res[f][i] for f in fields}}
                )
    return pd.DataFrame(out)


def bootstrap_seed(manifest: dict[str, Any]) -> int:
    """The seed of SALib's bootstrap intervals: the experiment's seed, at least 1 (SALib
    seeds its bootstrap only for a truthy seed, so 0 would give intervals that change from
    call to call)."""
    return max(1, int(manifest.get("seeds", {}).get("experiment", 1)))


def sobol_indices(
    rows: pd.DataFrame,
    manifest: dict[str, Any],
    kpis: list[str] | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """First- and total-order Sobol indices with 95% CIs (Saltelli designs); the bootstrap
    is seeded by ``seed`` (default: :func:`bootstrap_seed`), so the CIs are reproducible."""
    from SALib.analyze import sobol

    seed = seed or bootstrap_seed(manifest)

    second = bool(_design_field(manifest, "second_order"))

    def compute(problem: dict[str, Any], y: np.ndarray) -> dict[str, Any]:
        return sobol.analyze(problem, y, calc_second_order=second, seed=seed)

    return _indices_per_factor(rows, manifest, kpis, compute, ("S1", "S1_conf", "ST", "ST_conf"))


def morris_indices(
    rows: pd.DataFrame,
    manifest: dict[str, Any],
    kpis: list[str] | None = None,
    seed: int | None = None,
) -> pd.DataFrame:
    """Morris elementary-effect statistics mu*, its 95% CI and sigma (Morris designs); the
    bootstrap is seeded by ``seed`` (default: :func:`bootstrap_seed`)."""
    from SALib.analyze import morris

    seed = seed or bootstrap_seed(manifest)
    names = list(manifest["factors"])
    x = np.array([[p[n] for n in names] for p in manifest["design"]["points"]], dtype=float)
    levels = _design_field(manifest, "levels") or 4

    def compute(problem: dict[str, Any], y: np.ndarray) -> dict[str, Any]:
        return morris.analyze(problem, x, y, num_levels=levels, seed=seed)

    return _indices_per_factor(rows, manifest, kpis, compute, ("mu_star", "mu_star_conf", "sigma"))


def _problem(manifest: dict[str, Any]) -> dict[str, Any]:
    names = list(manifest["factors"])
    return {
        "num_vars": len(names),
        "names": names,
        "bounds": [manifest["factors"][n]["range"] for n in names],
    }


def _design_field(manifest: dict[str, Any], field: str) -> Any:
    import tomllib

    design = tomllib.loads(manifest["experiment_text"]).get("design", {})
    return design.get(field)


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
    kind = manifest["design"]["kind"]
    if kind == "saltelli":
        tables["sobol"] = sobol_indices(rows, manifest, kpis)
    elif kind == "morris":
        tables["morris"] = morris_indices(rows, manifest, kpis)
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
