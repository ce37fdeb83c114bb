"""Streaming accumulators: time averages, running variances, review periods, quantiles.

Each holds O(1) memory (the quantile sketch holds one counter per occupied log-bucket), so
a run's memory is bounded by what is alive, not by the horizon. They know nothing of the
chain: the model, stock points and workcenters feed them.
"""

from __future__ import annotations

import math


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
    """Demand a stage sees and orders it places upstream, per bucket of ``length`` days.

    Buckets are [k L, (k+1) L) for bucket length L; a bucket is closed lazily, by the first
    demand or order at or after its end (or by ``close``), so no clock event is needed.
    Only buckets starting at or after ``start`` (the end of warm-up) are recorded.
    Demand and orders caused by end-of-life events (write-off refills, the successor's
    build-up) are counted apart (``eol_demand``, ``eol_orders``): :meth:`ratio` leaves them
    out, :meth:`ratio_eol` counts them.
    """

    __slots__ = (
        "length",
        "start",
        "edge",
        "demand",
        "orders",
        "eol_demand",
        "eol_orders",
        "eol_seen",
        "demands",
        "ordered",
        "demands_all",
        "ordered_all",
    )

    def __init__(self, length: float, start: float) -> None:
        self.length = length
        self.start = start
        self.edge = length
        self.demand = 0
        self.orders = 0
        self.eol_demand = 0
        self.eol_orders = 0
        self.eol_seen = False  # an end-of-life event happened (bullwhip_eol is reported)
        self.demands = Welford()
        self.ordered = Welford()
        # with end-of-life counts; kept apart only from the first event (see see_eol)
        self.demands_all = self.demands
        self.ordered_all = self.ordered

    def see_eol(self) -> None:
        """The first end-of-life event: from now on the counts with it are kept apart (until
        now they equal those without)."""
        if not self.eol_seen:
            self.eol_seen = True
            self.demands_all = _copy(self.demands)
            self.ordered_all = _copy(self.ordered)

    def roll(self, now: float) -> None:
        """Close every period that ended at or before ``now``."""
        if self.edge > now:
            return
        if self.edge - self.length >= self.start - 1e-9:
            self.demands.add(self.demand)
            self.ordered.add(self.orders)
            if self.eol_seen:
                self.demands_all.add(self.demand + self.eol_demand)
                self.ordered_all.add(self.orders + self.eol_orders)
        self.demand = 0
        self.orders = 0
        self.eol_demand = 0
        self.eol_orders = 0
        self.edge += self.length
        if self.edge <= now:  # whole periods without demand or orders since
            k = int((now - self.edge) // self.length) + 1
            first_counted = max(
                0, math.ceil((self.start - 1e-9 - (self.edge - self.length)) / self.length)
            )
            counted = max(0, k - first_counted)
            self.demands.add_zeros(counted)
            self.ordered.add_zeros(counted)
            if self.eol_seen:
                self.demands_all.add_zeros(counted)
                self.ordered_all.add_zeros(counted)
            self.edge += k * self.length

    def ratio(self) -> float:
        """Var(orders) / Var(demand) over the closed periods (NaN when undefined)."""
        if not self.demands.variance > 0:
            return math.nan
        return self.ordered.variance / self.demands.variance

    def ratio_eol(self) -> float:
        """Var(orders) / Var(demand) with end-of-life demand and orders counted (NaN when
        undefined)."""
        if not self.demands_all.variance > 0:
            return math.nan
        return self.ordered_all.variance / self.demands_all.variance


def _copy(w: Welford) -> Welford:
    out = Welford()
    out.n, out.mean, out.m2 = w.n, w.mean, w.m2
    return out


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
