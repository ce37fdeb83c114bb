"""The ``[calibration]`` section: the empirical patterns a realistic preset must reproduce.

Pattern-oriented modelling (Grimm et al., "Pattern-oriented modeling of agent-based complex
systems: lessons from ecology", Science 310(5750), 2005) calibrates a model against several
patterns observed in the real system at once, each a range rather than a point. Each
pattern names a KPI of the run (optionally divided by another, e.g. markdowns per unit of
revenue), the range the sources report and the source itself. ``btoagents calibrate``
(:mod:`btoagents.calibration`) runs the scenario and checks each pattern.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from btoagents.config.limits import MAX_REPLICATIONS
from btoagents.config.section import Section


class Pattern(Section):
    """One empirical pattern: ``kpi`` (divided by ``per`` when given) lies in [low, high]."""

    name: str = Field(min_length=1, description="what the pattern is, in words")
    kpi: str = Field(min_length=1, description="a KPI name of the run (see `btoagents run`)")
    per: str | None = Field(
        None, description="a KPI to divide by (the pattern is the ratio kpi / per)"
    )
    low: float | None = Field(None, description="lowest value the sources report (unit of kpi)")
    high: float | None = Field(None, description="highest value the sources report (unit of kpi)")
    source: str = Field(min_length=1, description="where the range comes from (a citation)")

    @model_validator(mode="after")
    def _a_range(self) -> Self:
        if self.low is None and self.high is None:
            raise ValueError("a pattern needs low, high or both")
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"low {self.low:g} is above high {self.high:g}")
        return self


class CalibrationConfig(Section):
    """The patterns of a preset and how many replications check them."""

    replications: int = Field(
        10, ge=2, le=MAX_REPLICATIONS, description="replications per check (at least 2, for a CI)"
    )
    patterns: list[Pattern] = Field(default_factory=list)
