"""Per-variant accounts that adaptive policies learn from.

Kept only when a fulfillment policy other than ``static`` runs: orders, lost sales,
contribution margin (price - discount - unit cost), days waited by orders built after they
arrived, write-offs and unit-days of finished stock (all echelons), for the whole run
(warm-up included, since policies act during the warm-up too). ``close_bucket`` records
each variant's orders per demand bucket for the rolling rate and coefficient of variation.
"""

from __future__ import annotations

import math
from collections import deque

import numpy as np

from btoagents.kpis import TimeAverage


class VariantLedger:
    """Cumulative per-variant flows plus a rolling window of demand buckets."""

    def __init__(self, n_variants: int, bucket_days: float, window: float) -> None:
        self.n = n_variants
        self.bucket_days = bucket_days
        self.orders = [0] * n_variants
        self.lost = [0] * n_variants
        self.margin = [0.0] * n_variants
        self.wait = [0.0] * n_variants
        self.obsolete = [0.0] * n_variants
        self.stock = [TimeAverage() for _ in range(n_variants)]
        self.buckets: deque[np.ndarray] = deque(maxlen=max(1, math.ceil(window / bucket_days)))
        self._bucket_start = np.zeros(n_variants)

    def close_bucket(self) -> None:
        """End the current demand bucket: store each variant's orders in it."""
        now = np.asarray(self.orders, dtype=float)
        self.buckets.append(now - self._bucket_start)
        self._bucket_start = now

    def rate_and_cv(self, fallback: list[float]) -> tuple[np.ndarray, np.ndarray]:
        """Orders/day and the coefficient of variation of orders per bucket, per variant.

        Before the first bucket closes the rates are ``fallback`` (the catalog's) and the CV
        is that of Poisson demand over one bucket, ``1 / sqrt(rate * bucket_days)``.
        """
        if not self.buckets:
            rate = np.asarray(fallback, dtype=float)
            with np.errstate(divide="ignore"):
                cv = 1.0 / np.sqrt(rate * self.bucket_days)
            return rate, cv
        counts = np.vstack(self.buckets)
        mean = counts.mean(axis=0)
        sd = counts.std(axis=0, ddof=1) if len(counts) > 1 else np.sqrt(mean)
        with np.errstate(divide="ignore", invalid="ignore"):
            cv = np.where(mean > 0, sd / np.where(mean > 0, mean, 1.0), np.inf)
        return mean / self.bucket_days, cv

    def totals(self, now: float) -> np.ndarray:
        """Cumulative (orders, lost, margin, wait, obsolete, stock unit-days) per variant."""
        area = [acc.area + acc.level * (now - acc.last) for acc in self.stock]
        return np.array([self.orders, self.lost, self.margin, self.wait, self.obsolete, area])
