"""Independent replications and their 95% confidence intervals.

Replication ``r`` of a scenario with root seed ``s`` runs with the seed
``replication_seed(s, r)``, so the same (scenario, seed) gives bit-identical KPIs and two
scenarios run under one seed see the same customers in replication ``r`` (common random
numbers). Intervals are Student-t intervals on the replication means.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from btoagents.config import Scenario, load_scenario
from btoagents.random import replication_seed
from btoagents.runner import run_replication


def simulate_one(scenario: Scenario, seed: int | None = None) -> dict[str, float]:
    """Run one replication with root ``seed`` (default: the scenario's) and return its KPIs."""
    return run_replication(scenario, seed)


def simulate(
    scenario: Scenario | str | Path,
    replications: int | None = None,
    seed: int | None = None,
    overrides: tuple[str, ...] | list[str] = (),
) -> pd.DataFrame:
    """Run replications of a scenario; one row per replication.

    Args:
        scenario: a Scenario, a TOML path or a preset name.
        replications: how many (default: ``simulation.replications``).
        seed: root seed (default: ``simulation.seed``).
        overrides: ``KEY=VALUE`` dotted overrides applied before running.

    Returns:
        A DataFrame with columns ``replication``, ``seed`` and one per KPI.
    """
    scn = load_scenario(scenario, overrides)
    n = replications if replications is not None else scn.simulation.replications
    root = seed if seed is not None else scn.simulation.seed
    rows = []
    for r in range(n):
        rep_seed = replication_seed(root, r)
        rows.append({"replication": r, "seed": rep_seed, **simulate_one(scn, rep_seed)})
    return pd.DataFrame(rows)


def confidence_interval(
    values: np.ndarray, level: float = 0.95
) -> tuple[float, float, float, float]:
    """(mean, low, high, sd) of a sample with a Student-t interval; NaNs are dropped."""
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    if x.size == 0:
        return (math.nan,) * 4
    mean = float(x.mean())
    if x.size == 1:
        return mean, math.nan, math.nan, math.nan
    sd = float(x.std(ddof=1))
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1)) * sd / math.sqrt(x.size)
    return mean, mean - half, mean + half, sd


def summarize(runs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Per KPI: mean, ci_low, ci_high, sd over replications (rows indexed by KPI name)."""
    kpi_cols = [c for c in runs.columns if c not in ("replication", "seed")]
    rows = {c: confidence_interval(runs[c].to_numpy(), level) for c in kpi_cols}
    return pd.DataFrame.from_dict(rows, orient="index", columns=["mean", "ci_low", "ci_high", "sd"])
