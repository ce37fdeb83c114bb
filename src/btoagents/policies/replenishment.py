"""Periodic order-up-to replenishment with a demand forecast (the bullwhip stage).

At each review the stage observes the demand of the period just ended, updates its
forecast ``F`` (moving average over ``window`` periods, or exponential smoothing) and sets
the order-up-to level ``y = L * F + safety_stock``, ``L`` being the replenishment lead time
in review periods. It orders ``y - inventory position``; a negative order is a return
(Chen, Drezner, Ryan and Simchi-Levi, "Quantifying the bullwhip effect in a simple supply
chain", Management Science 46(3), 2000, whose variance ratio for this rule is
``1 + 2L/p + 2L^2/p^2``).
"""

from __future__ import annotations

from collections import deque

from btoagents.config.schema import ForecastConfig


class Forecast:
    """Per-item demand forecast per review period."""

    __slots__ = ("method", "window", "alpha", "history", "level", "sums")

    def __init__(self, cfg: ForecastConfig, n_items: int, initial: list[float]) -> None:
        self.method = cfg.method
        self.window = cfg.window
        self.alpha = cfg.alpha
        self.history = [deque([x] * cfg.window, maxlen=cfg.window) for x in initial]
        self.sums = [x * cfg.window for x in initial]
        self.level = list(initial)

    def update(self, item: int, demand: float) -> float:
        """Record one period's demand of ``item``; return the new forecast per period."""
        if self.method == "moving_average":
            hist = self.history[item]
            self.sums[item] += demand - hist[0]
            hist.append(demand)
            self.level[item] = self.sums[item] / self.window
        else:
            self.level[item] += self.alpha * (demand - self.level[item])
        return self.level[item]


def order_up_to(forecast: float, lead_periods: float, safety_stock: float) -> float:
    """Order-up-to level ``L * forecast + safety`` (units)."""
    return lead_periods * forecast + safety_stock
