"""The run's KPI accumulators, grouped as the model updates them while it runs.

Order statistics per group of final-customer orders (all, a family, a strategy), money and
counts after warm-up, quote accuracy, and the time-average levels (finished stock per
family, dealer units, components, backlog). KPI names and units follow DESIGN.md section 5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from btoagents.kpis.accumulators import QuantileSketch, StagePeriods, TimeAverage
from btoagents.vocabulary import Strategy


class OrderStats:
    """Counts and lead times of one group of final-customer orders (all, a family, a strategy)."""

    __slots__ = ("arrived", "from_stock", "lost", "delivered", "lead_sum", "on_time", "sketch")

    def __init__(self) -> None:
        self.arrived = 0
        self.from_stock = 0
        self.lost = 0
        self.delivered = 0
        self.lead_sum = 0.0
        self.on_time = 0
        self.sketch = QuantileSketch()

    def kpis(self) -> dict[str, float]:
        """fill_rate, lost_sales_rate, lead_time_mean, lead_time_p95, on_time_rate."""
        nan = math.nan
        return {
            "fill_rate": self.from_stock / self.arrived if self.arrived else nan,
            "lost_sales_rate": self.lost / self.arrived if self.arrived else nan,
            "lead_time_mean": self.lead_sum / self.delivered if self.delivered else nan,
            "lead_time_p95": self.sketch.quantile(0.95),
            "on_time_rate": self.on_time / self.delivered if self.delivered else nan,
        }


@dataclass
class Flows:
    """Money and counts accumulated after warm-up (currency, units, orders)."""

    revenue: float = 0.0
    discount: float = 0.0
    cogs: float = 0.0
    obsolescence: float = 0.0
    lost_sales: int = 0
    bulk_orders: int = 0
    bulk_units: int = 0
    bulk_lead_sum: float = 0.0
    bulk_done: int = 0
    restock_orders: int = 0
    component_requests: int = 0
    component_from_stock: int = 0
    rejected: int = 0
    deferred: int = 0
    incentives: int = 0
    slot_discounts: int = 0
    switches: int = 0


@dataclass
class QuoteStats:
    """Quoted against realised lead times of counted orders delivered after they waited."""

    delivered: int = 0
    within: int = 0
    error_sum: float = 0.0

    def kpis(self) -> dict[str, float]:
        """quote_reliability (share delivered within the quote) and quote_error_mean (days
        late on average; negative when early)."""
        n = self.delivered
        return {
            "quote_reliability": self.within / n if n else math.nan,
            "quote_error_mean": self.error_sum / n if n else math.nan,
        }


class KpiCollector:
    """All the run's accumulators; the model calls it as orders and stock move."""

    def __init__(self, families: list[str], lead_time_target: float) -> None:
        self.families = families
        self.target = lead_time_target
        self.total = OrderStats()
        self.by_family = [OrderStats() for _ in families]
        self.by_strategy = [OrderStats() for _ in Strategy]
        self.fg_by_family = [TimeAverage() for _ in families]
        self.dealer_units = TimeAverage()
        self.comp_units = TimeAverage()
        self.comp_value = TimeAverage()
        self.backlog = TimeAverage()
        self.awaiting = TimeAverage()
        self.backlog_by_family = [TimeAverage() for _ in families]
        self.flows = Flows()
        self.quotes = QuoteStats()
        self.stages: dict[str, StagePeriods] = {}
        self.track(True, True)

    def time_averages(self) -> list[TimeAverage]:
        return [
            *self.fg_by_family,
            self.dealer_units,
            self.comp_units,
            self.comp_value,
            self.backlog,
            self.awaiting,
            *self.backlog_by_family,
        ]

    def fg_inventory_mean(self, now: float) -> float:
        """Time-average finished units on hand at ``now``, all echelons (sum over families)."""
        return sum(acc.mean(now) for acc in self.fg_by_family)

    def end_warmup(self, now: float) -> None:
        """Cut the warm-up: forget time-averages and flows gathered so far."""
        for acc in self.time_averages():
            acc.reset(now)
        self.flows = Flows()

    def track(self, families: bool, strategies: bool) -> None:
        """Which breakdowns to keep: with one family (or one strategy) it equals the total.

        ``group_of[family, strategy]`` is the tuple of statistics an order of that family
        and strategy updates.
        """
        self.group_of: dict[tuple[int, int], tuple[OrderStats, ...]] = {
            (f, s): tuple(
                [self.total]
                + ([self.by_family[f]] if families else [])
                + ([self.by_strategy[s]] if strategies else [])
            )
            for f in range(len(self.families))
            for s in Strategy
        }

    def stage(self, name: str, review_period: float, start: float) -> StagePeriods:
        """The period counter of stage ``name`` (created on first use)."""
        st = self.stages.get(name)
        if st is None:
            st = self.stages[name] = StagePeriods(review_period, start)
        return st

    def bullwhip(self, stage: str, now: float) -> float:
        """Var(orders placed upstream) / Var(demand seen) of ``stage`` (NaN if undefined)."""
        st = self.stages.get(stage)
        if st is None:
            return math.nan
        st.roll(now)
        return st.ratio()
