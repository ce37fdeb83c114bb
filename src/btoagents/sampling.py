"""Sampled time series: chain levels every ``simulation.sample_every`` days.

A :class:`Sampler` records, from time 0 until the KPI window closes, the finished units on
hand (all echelons), the open final-customer orders, the plant's busy regular lines and the
plant's jobs waiting or in service, through Mesa's ``DataCollector`` (one row per sample).
Sampling only reads the chain, so a run with samples gives the same KPIs as one without.
"""

from __future__ import annotations

from typing import Protocol

import mesa
import pandas as pd

from btoagents.chain import Chain


class Sampled(Chain, Protocol):
    """What the sampler reads besides the chain: whether the KPI window has closed, and
    the Mesa model's clock it sets for the collector (days)."""

    window_closed: bool
    time: float


class Sampler:
    """Collects the sampled levels of ``model`` every ``every`` days (``every`` > 0)."""

    def __init__(self, model: Sampled, every: float) -> None:
        self.model = model
        self.every = every
        self.collector = mesa.DataCollector(
            model_reporters={
                "time": self.now,
                "fg_stock": self.fg_stock,
                "backorders": self.backorders,
                "busy_lines": self.busy_lines,
                "wip": self.wip,
            }
        )

    def start(self) -> None:
        """Take the first sample at time 0."""
        self.model.cal.at(0.0, self.sample)

    def sample(self, _: object = None) -> None:
        """Record one row, then schedule the next, until the KPI window closes."""
        m = self.model
        if m.window_closed:
            return
        m.time = m.cal.now
        self.collector.collect(m)
        m.cal.after(self.every, self.sample)

    def now(self) -> float:
        """The sample's time (days)."""
        return self.model.cal.now

    def fg_stock(self) -> float:
        """Finished units on hand, plant and dealers."""
        return sum(acc.level for acc in self.model.kpi.fg_by_family)

    def backorders(self) -> float:
        """Accepted final-customer orders not yet delivered."""
        return self.model.kpi.backlog.level

    def busy_lines(self) -> float:
        """The plant's busy regular lines."""
        return self.model.plant.workcenter.busy.level

    def wip(self) -> float:
        """The plant's jobs waiting or in service."""
        return float(len(self.model.plant.workcenter.jobs()))

    def frame(self) -> pd.DataFrame:
        """The samples so far, one row per sample."""
        return self.collector.get_model_vars_dataframe().reset_index(drop=True)
