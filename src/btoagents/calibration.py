"""Pattern-oriented calibration: does a preset reproduce what its sources report?

Each pattern of a scenario's ``[calibration]`` section
(:mod:`btoagents.config.calibration_schema`) is a KPI (or a ratio of two KPIs) with the range
the sources give. :func:`check_patterns` runs the scenario's replications (common seeds, so a
repeated check gives the same numbers), takes the pattern's value in each replication and
reports its mean with a Student-t 95% confidence interval. A pattern passes when the mean lies
in the range: the sources report a spread of real systems, and the model stands for one of
them (Grimm et al., Science 310(5750), 2005). Whether the whole interval lies inside is shown
too, as the stronger statement.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from btoagents.config.calibration_schema import Pattern
from btoagents.config.schema import Scenario
from btoagents.errors import BtoagentsError
from btoagents.kpis.catalogue import kpi_names
from btoagents.replications import confidence_interval, simulate


@dataclass(frozen=True)
class PatternCheck:
    """A pattern with the model's value: mean and 95% CI over replications."""

    pattern: Pattern
    mean: float
    ci_low: float
    ci_high: float

    @property
    def passed(self) -> bool:
        """The mean lies in the pattern's range (NaN fails)."""
        p = self.pattern
        if math.isnan(self.mean):
            return False
        return (p.low is None or self.mean >= p.low) and (p.high is None or self.mean <= p.high)

    @property
    def inside(self) -> bool:
        """The whole confidence interval lies in the range (the stronger statement)."""
        p = self.pattern
        lo, hi = self.ci_low, self.ci_high
        if math.isnan(lo) or math.isnan(hi):
            return False
        return (p.low is None or lo >= p.low) and (p.high is None or hi <= p.high)

    def range_text(self) -> str:
        """The range as ``[low, high]``, ``>= low`` or ``<= high``."""
        p = self.pattern
        if p.low is None:
            return f"<= {p.high:g}"
        if p.high is None:
            return f">= {p.low:g}"
        return f"[{p.low:g}, {p.high:g}]"


def check_names(scenario: Scenario) -> None:
    """Every pattern names KPIs a run of ``scenario`` reports; else one error naming the key."""
    known = set(kpi_names(scenario))
    for i, p in enumerate(scenario.calibration.patterns):
        for key, name in (("kpi", p.kpi), ("per", p.per)):
            if name is not None and name not in known:
                raise BtoagentsError(
                    f"calibration.patterns[{i}].{key}: {name!r} is not a KPI of scenario "
                    f"{scenario.name!r} (see `btoagents run {scenario.name}`)"
                )


def check_patterns(
    scenario: Scenario, replications: int | None = None, seed: int | None = None
) -> list[PatternCheck]:
    """Run ``scenario`` (``replications``, default ``calibration.replications``; root ``seed``,
    default the scenario's) and check each of its patterns."""
    patterns = scenario.calibration.patterns
    if not patterns:
        raise BtoagentsError(
            f"scenario {scenario.name!r} has no [calibration] patterns to check "
            "(add [[calibration.patterns]] tables: name, kpi, low/high, source)"
        )
    check_names(scenario)
    n = replications if replications is not None else scenario.calibration.replications
    runs = simulate(scenario, replications=n, seed=seed)
    out = []
    for p in patterns:
        values = runs[p.kpi].to_numpy(dtype=float)
        if p.per is not None:
            with np.errstate(divide="ignore", invalid="ignore"):
                values = values / runs[p.per].to_numpy(dtype=float)
        mean, low, high, _ = confidence_interval(values)
        out.append(PatternCheck(p, mean, low, high))
    return out
