"""The run's KPI accumulators, grouped as the model updates them while it runs.

Order statistics per group of final-customer orders (all, a family, a strategy), money and
counts after warm-up, quote accuracy, and the time-average levels (finished stock per
family, dealer units, components, backlog). KPI names and units: :mod:`btoagents.kpis.catalogue`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from btoagents.kpis.accumulators import QuantileSketch, StagePeriods, TimeAverage
from btoagents.vocabulary import Strategy


class OrderStats:
    """Counts and lead times of one group of final-customer orders (all, a family, a strategy).

    ``arrived`` counts every order (one unit each) and ``unstocked`` those whose variant was
    not built to stock when the order arrived (the rest is the stocked demand);
    ``from_stock`` the orders served from stock at once and ``unstocked_from_stock`` those
    of them that were not stocked demand (an order of a variant built to order may still
    take a unit left in stock); ``on_time`` the delivered orders within
    ``kpis.lead_time_target``; ``late_to_quote`` the delivered orders later than their quote
    plus the customers' tolerance. The model counts the rarer event of each pair (the
    per-order path stays short for a stocked chain); :meth:`kpis` derives the other.
    """

    __slots__ = (
        "arrived",
        "unstocked",
        "from_stock",
        "unstocked_from_stock",
        "lost",
        "delivered",
        "lead_sum",
        "on_time",
        "late_to_quote",
        "sketch",
    )

    def __init__(self) -> None:
        self.arrived = 0
        self.unstocked = 0
        self.from_stock = 0
        self.unstocked_from_stock = 0
        self.lost = 0
        self.delivered = 0
        self.lead_sum = 0.0
        self.on_time = 0
        self.late_to_quote = 0
        self.sketch = QuantileSketch()

    def kpis(self) -> dict[str, float]:
        """fill_rate, stock_service_share, lost_sales_rate, lead_time_mean, lead_time_p95,
        on_time_rate, on_time_to_quote (definitions: :data:`btoagents.kpis.KPI_TABLE`).

        ``fill_rate`` is the type-2 fill rate of the stocked demand (Silver, Pyke and
        Thomas, "Inventory and Production Management in Supply Chains", 4th ed., CRC
        Press 2017): stocked orders served from stock at once / stocked orders (NaN with no
        stocked demand); ``stock_service_share`` is the share of all orders served from
        stock at once.
        """
        nan = math.nan
        stocked = self.arrived - self.unstocked
        on_quote = self.delivered - self.late_to_quote
        return {
            "fill_rate": (self.from_stock - self.unstocked_from_stock) / stocked
            if stocked
            else nan,
            "stock_service_share": self.from_stock / self.arrived if self.arrived else nan,
            "lost_sales_rate": self.lost / self.arrived if self.arrived else nan,
            "lead_time_mean": self.lead_sum / self.delivered if self.delivered else nan,
            "lead_time_p95": self.sketch.quantile(0.95),
            "on_time_rate": self.on_time / self.delivered if self.delivered else nan,
            "on_time_to_quote": on_quote / self.delivered if self.delivered else nan,
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

    def __init__(
        self, families: list[str], lead_time_target: float, late_tolerance: float = 0.0
    ) -> None:
        self.families = families
        self.target = lead_time_target
        self.tolerance = late_tolerance  # days past the quote a customer still calls on time
        self.total = OrderStats()
        self.by_family = [OrderStats() for _ in families]
        self.by_strategy = [OrderStats() for _ in Strategy]
        self.fg_by_family = [TimeAverage() for _ in families]
        self.dealer_units = TimeAverage()
        self.comp_units = TimeAverage()
        self.comp_value = TimeAverage()
        # the chain's own stock by echelon (currency): dealers' lots, the plant's component
        # stock, finished units in transit from the plant to the dealers (pipeline stock)
        self.dealer_value = TimeAverage()
        self.plant_comp_value = TimeAverage()
        self.pipeline_value = TimeAverage()
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
            self.dealer_value,
            self.plant_comp_value,
            self.pipeline_value,
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

    def bullwhip(self, stage: str, now: float, eol: bool = False) -> float:
        """Var(orders placed upstream) / Var(demand seen) of ``stage`` per bucket (NaN if
        undefined); without the orders and demand of end-of-life events unless ``eol``."""
        st = self.stages.get(stage)
        if st is None:
            return math.nan
        st.roll(now)
        return st.ratio_eol() if eol else st.ratio()

    def eol_mark(self, now: float) -> list[tuple[StagePeriods, int, int]]:
        """Before an end-of-life event changes orders: each stage's counts so far this bucket
        (give the result to :meth:`eol_move` after the event)."""
        out = []
        for st in self.stages.values():
            st.roll(now)
            st.see_eol()
            out.append((st, st.demand, st.orders))
        return out

    def eol_move(self, marks: list[tuple[StagePeriods, int, int]]) -> None:
        """Move the demand and orders counted since :meth:`eol_mark` to the end-of-life
        counts: they stay out of ``bullwhip`` and go into ``bullwhip_eol``."""
        for st, demand, orders in marks:
            st.eol_demand += st.demand - demand
            st.eol_orders += st.orders - orders
            st.demand = demand
            st.orders = orders
