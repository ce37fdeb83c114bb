"""Arm-by-arm views of stored policy experiments: estimates and paired differences.

Policy experiments compare arms (named sets of overrides) at each design point; replication
``r`` of every arm uses the same seed, so differences between arms are paired by
replication (common random numbers).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from btoagents.figures.stored import Estimate, Stored, estimate


def arm_rows(data: Stored, arm: str, **where: Any):
    """Rows of ``arm`` at the design point given by factor values ``where``."""
    rows = data.select(**where)
    return rows[rows["arm"] == arm]


def arm_estimate(data: Stored, kpi: str, arm: str, **where: Any) -> Estimate:
    """Mean and 95% CI of ``kpi`` for ``arm`` at one design point."""
    return estimate(arm_rows(data, arm, **where)[kpi])


def arm_paired(data: Stored, kpi: str, arm: str, base: str, **where: Any) -> Estimate:
    """``kpi`` of ``arm`` minus that of ``base`` at one design point, paired by replication."""
    a = arm_rows(data, arm, **where).set_index("replication")[kpi]
    b = arm_rows(data, base, **where).set_index("replication")[kpi]
    both = a.to_frame("a").join(b.to_frame("b"), how="inner").dropna()
    return estimate(both["a"] - both["b"])


def arms_in_order(data: Stored) -> list[str]:
    """The experiment's arms in the order of its file (the first is the baseline)."""
    arms = list(data.manifest.get("arms") or [])
    stored = list(dict.fromkeys(data.rows["arm"]))
    return [a for a in arms if a in stored] or stored


def dot_ci(ax, x: np.ndarray, est: list[Estimate], **kw) -> None:
    """Points at ``x`` with 95% CI error bars."""
    y = np.array([e.mean for e in est])
    lo = np.array([e.mean - e.ci_low for e in est])
    hi = np.array([e.ci_high - e.mean for e in est])
    ax.errorbar(x, y, yerr=[lo, hi], ls="none", capsize=1.5, elinewidth=0.7, **kw)
