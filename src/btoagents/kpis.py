"""Streaming KPI accumulators and the per-run KPI record.

Everything here is updated while the model runs and holds O(1) memory per quantity (the
quantile sketch holds one counter per occupied log-bucket), so a run's memory is bounded
by what is alive, not by the horizon. KPI names and units follow DESIGN.md section 5.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from btoagents.vocabulary import Strategy

#: The KPI names every run reports (DESIGN.md section 5), in display order.
CORE_KPIS: tuple[str, ...] = (
    "fill_rate",
    "fg_inventory",
    "backorders",
    "lead_time_mean",
    "lead_time_p95",
    "on_time_rate",
    "utilization",
    "lost_sales_rate",
    "discount_cost",
    "holding_cost",
    "obsolescence_cost",
    "revenue",
    "profit",
    "bullwhip",
)


class TimeAverage:
    """Time-average of a piecewise-constant level (units), counted from ``start``."""

    __slots__ = ("level", "area", "last", "start")

    def __init__(self, level: float = 0.0) -> None:
        self.level = level
        self.area = 0.0
        self.last = 0.0
        self.start = 0.0

    def add(self, now: float, delta: float) -> None:
        """Change the level by ``delta`` at time ``now``."""
        self.area += self.level * (now - self.last)
        self.last = now
        self.level += delta

    def reset(self, now: float) -> None:
        """Forget the area so far (end of warm-up); the level is kept."""
        self.area = 0.0
        self.last = now
        self.start = now

    def mean(self, now: float) -> float:
        """Time-average level over ``[start, now]``."""
        span = now - self.start
        if span <= 0:
            return self.level
        return (self.area + self.level * (now - self.last)) / span


class Welford:
    """Running mean and variance (Welford's algorithm)."""

    __slots__ = ("n", "mean", "m2")

    def __init__(self) -> None:
        self.n = 0
        self.mean = 0.0
        self.m2 = 0.0

    def add(self, x: float) -> None:
        self.n += 1
        d = x - self.mean
        self.mean += d / self.n
        self.m2 += d * (x - self.mean)

    def add_zeros(self, k: int) -> None:
        """Add ``k`` observations equal to 0 at once (Chan, Golub and LeVeque's merge)."""
        if k <= 0:
            return
        n = self.n + k
        d = -self.mean
        self.m2 += d * d * self.n * k / n
        self.mean -= self.mean * k / n
        self.n = n

    @property
    def variance(self) -> float:
        """Sample variance (NaN below two observations)."""
        return self.m2 / (self.n - 1) if self.n > 1 else math.nan


class StagePeriods:
    """Demand a stage sees and orders it places upstream, per review period.

    Periods are [k L, (k+1) L) for review period L; a period is closed lazily, by the first
    demand or order at or after its end (or by ``close``), so no clock event is needed.
    Only periods starting at or after ``start`` (the end of warm-up) are recorded.
    """

    __slots__ = ("length", "start", "edge", "demand", "orders", "demands", "ordered")

    def __init__(self, length: float, start: float) -> None:
        self.length = length
        self.start = start
        self.edge = length
        self.demand = 0
        self.orders = 0
        self.demands = Welford()
        self.ordered = Welford()

    def roll(self, now: float) -> None:
        """Close every period that ended at or before ``now``."""
        if self.edge > now:
            return
        if self.edge - self.length >= self.start - 1e-9:
            self.demands.add(self.demand)
            self.ordered.add(self.orders)
        self.demand = 0
        self.orders = 0
        self.edge += self.length
        if self.edge <= now:  # whole periods without demand or orders since
            k = int((now - self.edge) // self.length) + 1
            first_counted = max(
                0, math.ceil((self.start - 1e-9 - (self.edge - self.length)) / self.length)
            )
            counted = max(0, k - first_counted)
            self.demands.add_zeros(counted)
            self.ordered.add_zeros(counted)
            self.edge += k * self.length

    def ratio(self) -> float:
        """Var(orders) / Var(demand) over the closed periods (NaN when undefined)."""
        if not self.demands.variance > 0:
            return math.nan
        return self.ordered.variance / self.demands.variance


class QuantileSketch:
    """Streaming quantiles with relative accuracy ``alpha`` on positive values.

    Log-spaced buckets as in DDSketch (Masson, Rim and Lee, "DDSketch: a fast and
    fully-mergeable quantile sketch with relative-error guarantees", VLDB 2019); zeros
    (orders served from stock) are counted apart. Memory: one counter per occupied bucket.
    """

    __slots__ = ("alpha", "_gamma", "_log_gamma", "zeros", "count", "buckets")

    def __init__(self, alpha: float = 0.001) -> None:
        self.alpha = alpha
        self._gamma = (1 + alpha) / (1 - alpha)
        self._log_gamma = math.log(self._gamma)
        self.zeros = 0
        self.count = 0
        self.buckets: dict[int, int] = {}

    def add(self, x: float) -> None:
        self.add_bucket(self.bucket(x))

    def bucket(self, x: float) -> int | None:
        """The bucket index of ``x`` (None for zero); equal sketches share it."""
        if x <= 1e-12:
            return None
        return math.ceil(math.log(x) / self._log_gamma)

    def add_bucket(self, k: int | None) -> None:
        """Count one value whose bucket (from :meth:`bucket`) is ``k``."""
        self.count += 1
        if k is None:
            self.zeros += 1
        else:
            self.buckets[k] = self.buckets.get(k, 0) + 1

    def quantile(self, q: float) -> float:
        """The ``q``-quantile (NaN when empty)."""
        if self.count == 0:
            return math.nan
        rank = q * (self.count - 1)
        if rank < self.zeros:
            return 0.0
        seen = self.zeros
        for k in sorted(self.buckets):
            seen += self.buckets[k]
            if seen > rank:
                return 2 * self._gamma**k / (self._gamma + 1)
        return 2 * self._gamma ** max(self.buckets) / (self._gamma + 1)


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
