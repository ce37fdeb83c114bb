"""Periodic order-up-to replenishment with a demand forecast (the bullwhip stage).

At each review the stage observes the demand of the period just ended, updates its
forecast ``F`` (moving average over ``window`` periods, or exponential smoothing) and sets
the order-up-to level ``y = L * F + safety_stock``, ``L`` being the replenishment lead time
in review periods. It orders ``y - inventory position``; a negative order is a return
(Chen, Drezner, Ryan and Simchi-Levi, "Quantifying the bullwhip effect in a simple supply
chain", Management Science 46(3), 2000, whose variance ratio for this rule is
``1 + 2L/p + 2L^2/p^2``).

This rule is the built-in ``forecast.rule = "order_up_to"`` (the default), a registry
entry like any plugin (:mod:`btoagents.plugins`). A scenario may name instead a subclass of
:class:`PeriodicReview` (an import path ``"package.module:Name"`` or an installed entry
point ``replenishment.NAME``) that overrides :meth:`PeriodicReview.level`, the level an
item is ordered up to, or :meth:`PeriodicReview.review_point`, the whole review of a stock
point; its parameters, declared as ``Params``, go in ``forecast.params``.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING

from pydantic import BaseModel

from btoagents.config.schema import ForecastConfig
from btoagents.plugins import NoParams, register_builtin
from btoagents.plugins.registry import SECTION_KEYS
from btoagents.vocabulary import Strategy

if TYPE_CHECKING:
    from btoagents.chain import Chain
    from btoagents.stock import StockPoint


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


class PeriodicReview:
    """The review event of the stock points replenished by periodic order-up-to.

    At construction it gives each periodically reviewed item its forecast and lead time
    in review periods: a dealer's BTS variants (cover: ``dealers.days_of_supply``, at
    least transport plus one review) and the plant's components of assemble-to-order
    variants (the supplier's mean lead time). A dealer item that is not BTS is not
    reviewed; dealers send surplus units back to the plant. :meth:`start` schedules the
    first review one ``forecast.review_period`` after time 0.

    A subclass named by ``forecast.rule`` replaces it: it keeps this constructor, declares
    its parameters as ``Params`` (read from ``forecast.params``, held in ``self.params``,
    set before the first call of :meth:`level`) and overrides :meth:`level` (or
    :meth:`review_point`).
    """

    Params: type[BaseModel] = NoParams

    def __init__(self, chain: Chain, params: BaseModel | None = None) -> None:
        self.params = params if params is not None else self.Params()
        self.chain = chain
        fc = chain.cfg.forecast
        self.period = fc.review_period
        self.safety = fc.safety_stock
        self.points: list[StockPoint] = []
        period = self.period
        cat = chain.catalog
        strategy = chain.strategy
        for d in chain.dealers:
            sp = d.stock
            if any(sp.periodic):
                mean = [
                    v.rate * d.share * period if sp.periodic[i] else 0.0
                    for i, v in enumerate(cat.variants)
                ]
                sp.forecast = Forecast(fc, len(mean), mean)
                # a dealer covers its days of supply (at least transport plus one review)
                cover = max(chain.cfg.dealers.days_of_supply, d.transport_time + period)
                for i, stocked in enumerate(sp.periodic):
                    if stocked and strategy[i] == Strategy.BTS:
                        sp.lead_periods[i] = cover / period
                        sp.base[i] = round(self.level(sp, i, mean[i]))
                    else:
                        sp.periodic[i] = False
                sp.returns_to = chain.finished_return
        comp = chain.plant.components
        if any(comp.periodic):
            mean = [0.0] * len(cat.components)
            for i, v in enumerate(cat.variants):
                if strategy[i] == Strategy.ATO:
                    for c in v.components:
                        mean[c] += v.rate * period
            comp.forecast = Forecast(fc, len(mean), mean)
            for c, periodic in enumerate(comp.periodic):
                if periodic:
                    comp.lead_periods[c] = chain.supplier_of[c].lead_time.mean / period
                    comp.base[c] = round(self.level(comp, c, mean[c]))

    def start(self, points: list[StockPoint]) -> None:
        """Review, among ``points``, those with a forecast, every review period."""
        self.points = [sp for sp in points if sp.forecast is not None]
        if self.points:
            self.chain.cal.at(self.period, self.review)

    def review(self, _: object = None) -> None:
        """Review every periodic stock point, then schedule the next review."""
        for sp in self.points:
            self.review_point(sp)
        self.chain.cal.after(self.period, self.review)

    def level(self, sp: StockPoint, item: int, forecast: float) -> float:
        """The level (units, rounded by the caller) ``item`` of ``sp`` is ordered up to,
        given its forecast demand per review period: ``L * forecast + safety_stock``, ``L``
        being ``sp.lead_periods[item]`` (review periods). Also sets the initial stock
        target, from the mean demand per period, when the rule is built."""
        return sp.lead_periods[item] * forecast + self.safety

    def review_point(self, sp: StockPoint) -> None:
        """Observe the period's demand, update the forecast, order up to the new level or
        return the surplus (when the stock point has somewhere to return it)."""
        level_of = self.level
        for i, periodic in enumerate(sp.periodic):
            if not periodic:
                continue
            demand = sp.demanded[i] - sp.seen[i]
            sp.seen[i] = sp.demanded[i]
            forecast = sp.forecast.update(i, demand)
            level = round(level_of(sp, i, forecast))
            q = level - sp.position(i)
            if q > 0:
                sp.order(i, q)
            elif q < 0 and sp.returns_to is not None:
                n = sp.remove(i, -q)
                if n:
                    sp.count_orders(-n)
                    sp.returns_to(i, n)


register_builtin("replenishment", "order_up_to", PeriodicReview, params_at=SECTION_KEYS)
