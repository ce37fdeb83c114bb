"""Robustness of policies across a scenario ensemble: regret and satisficing.

The stored runs are a sweep of several arms (policies) over design points that sample the
uncertain factors (a scenario ensemble, e.g. a Latin hypercube). Each scenario s is one
design point; each arm's KPI there is its point mean over the replications
(:mod:`btoagents.experiment.cases`). Two families of robustness metrics (McPhail et al.,
"Robustness metrics: how are they calculated, when should they be used and why do they
give different results?", Earth's Future 6(2):169-191, 2018), as the EMA Workbench reports
them (Kwakkel, "The Exploratory Modeling Workbench", Environmental Modelling & Software
96:239-250, 2017):

- regret (Savage 1951): arm a's regret in scenario s is how far it falls short of the best
  arm there, ``max_b f(b, s) - f(a, s)`` when larger is better, ``f(a, s) - min_b f(b, s)``
  when smaller is; in the KPI's units, never negative, zero for the best arm. Reported per
  arm: the maximum (minimax regret), the mean with a Student-t 95% CI over the scenarios,
  and a percentile;
- satisficing (Simon 1956; Starr's domain criterion): the share of scenarios in which the
  arm meets the requirement (KPI above, or below, a threshold), with a Wilson 95% CI.

Only scenarios in which every arm has a finished run count (regret compares arms in the
same scenario). The best arm of a scenario is judged on point means, so with few
replications its mean is biased upwards by noise (the maximum of noisy means): regrets
smaller than the KPI's standard error over the replications are not distinguishable from 0.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from btoagents.errors import ConfigError
from btoagents.experiment.cases import PointMeans
from btoagents.replications import confidence_interval

#: default percentile of the regret distribution reported next to its maximum and mean
PERCENTILE = 90.0


def regret_table(
    means: PointMeans,
    kpi: str,
    larger_is_better: bool,
    threshold: float,
    percentile: float = PERCENTILE,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Each arm's regret and satisficing share across the scenarios of ``means``.

    Returns ``(summary, regrets)``: ``summary`` has one row per arm (stored order) with
    ``scenarios``, ``kpi_mean``, ``regret_max``, ``regret_mean`` and its ``regret_ci_low``
    and ``regret_ci_high``, ``regret_pNN``, ``best_share`` (share of scenarios in which the
    arm is best), ``satisficing`` (share meeting the threshold) and its Wilson CI
    ``satisficing_ci_low`` and ``satisficing_ci_high``; ``regrets`` one row per scenario
    and arm with the point mean, the regret and whether it satisfices.

    Raises:
        ConfigError: one line with fewer than two arms, or no scenario every arm ran.
    """
    if not 0 <= percentile <= 100:
        raise ConfigError(f"--percentile = {percentile}: expected in [0, 100]")
    arms = means.arms()
    if len(arms) < 2:
        raise ConfigError(f"--robust compares arms; the runs hold one arm ({arms[0]})")
    wide = means.frame.pivot_table(index="point", columns="arm", values=kpi, aggfunc="first")
    wide = wide[arms].dropna()
    if wide.empty:
        raise ConfigError("--robust: no design point has a finished run of every arm")
    values = wide.to_numpy(dtype=float)
    best = (
        values.max(axis=1, keepdims=True) if larger_is_better else values.min(axis=1, keepdims=True)
    )
    regret = best - values if larger_is_better else values - best
    meets = values > threshold if larger_is_better else values < threshold
    rows = []
    for j, arm in enumerate(arms):
        r = regret[:, j]
        mean, lo, hi, _ = confidence_interval(r)
        share, s_lo, s_hi = wilson(int(meets[:, j].sum()), len(r))
        rows.append(
            {
                "arm": arm,
                "scenarios": len(r),
                "kpi_mean": float(values[:, j].mean()),
                "regret_max": float(r.max()),
                "regret_mean": mean,
                "regret_ci_low": lo,
                "regret_ci_high": hi,
                f"regret_p{percentile:g}": float(np.percentile(r, percentile)),
                "best_share": float(np.mean(r == 0)),
                "satisficing": share,
                "satisficing_ci_low": s_lo,
                "satisficing_ci_high": s_hi,
            }
        )
    long = pd.DataFrame(
        {
            "point": np.repeat(wide.index.to_numpy(), len(arms)),
            "arm": np.tile(arms, len(wide)),
            kpi: values.ravel(),
            "regret": regret.ravel(),
            "satisfices": meets.ravel(),
        }
    )
    inputs = means.frame.drop_duplicates("point").set_index("point")[means.inputs]
    long = long.join(inputs, on="point")
    return pd.DataFrame(rows), long[["point", *means.inputs, "arm", kpi, "regret", "satisfices"]]


def wilson(successes: int, n: int) -> tuple[float, float, float]:
    """A share and its Wilson score 95% interval (Wilson, JASA 22(158), 1927): unlike the
    normal interval it stays inside [0, 1] and is not empty at a share of 0 or 1."""
    from scipy.stats import binomtest

    ci = binomtest(successes, n).proportion_ci(confidence_level=0.95, method="wilson")
    return successes / n, float(ci.low), float(ci.high)
