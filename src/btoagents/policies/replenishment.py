"""Periodic order-up-to replenishment with a demand forecast (the bullwhip stage).

At each review the stage observes the demand of the period just ended, updates its
forecast ``F`` (moving average over ``window`` periods, or exponential smoothing; never
below ``floor_share`` of the item's nominal mean) and the smoothed mean squared one-period
forecast error ``MSE`` (initialised at the nominal mean, the Poisson variance), and sets the
order-up-to level

    y = P * F + z * sigma * sqrt(P) + safety_stock,   sigma = sqrt(MSE),

``P`` being the protection interval in review periods and ``z`` ``forecast.safety_factor``
(Silver, Pyke and Thomas, "Inventory and Production Management in Supply Chains", 4th ed.,
CRC Press 2017, periodic review order-up-to). A dealer's ``P`` is the review period plus its
replenishment lead time, R + L with L = (``dealers.transport_time`` +
``forecast.dealer_plant_days``) / review period. The plant's component stock keeps ``P =
L`` (the supplier's mean lead time in periods) and by default ``z = 0``: the rule of Chen,
Drezner, Ryan and Simchi-Levi, "Quantifying the bullwhip effect in a simple supply chain",
Management Science 46(3), 2000, whose variance ratio is ``1 + 2L/p + 2L^2/p^2``. It orders
``y - inventory position``; a negative order is a return when ``forecast.returns`` is set
(Chen et al.'s model allows them; the ``bullwhip`` preset sets it), else nothing is ordered.

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

from btoagents.config.forecast_schema import ForecastConfig
from btoagents.plugins import NoParams, register_builtin
from btoagents.plugins.registry import SECTION_KEYS
from btoagents.vocabulary import Strategy

if TYPE_CHECKING:
    from btoagents.chain import Chain
    from btoagents.stock import StockPoint


class Forecast:
    """Per-item demand forecast per review period."""

    __slots__ = (
        "method",
        "window",
        "alpha",
        "history",
        "level",
        "sums",
        "mse",
        "error_alpha",
        "track_error",
        "floor",
    )

    def __init__(self, cfg: ForecastConfig, n_items: int, initial: list[float]) -> None:
        self.method = cfg.method
        self.window = cfg.window
        self.alpha = cfg.alpha
        self.history = [deque([x] * cfg.window, maxlen=cfg.window) for x in initial]
        self.sums = [x * cfg.window for x in initial]
        self.level = list(initial)
        # forecast errors: smoothed mean square, initialised at the Poisson variance
        self.track_error = cfg.safety_factor > 0
        self.error_alpha = cfg.error_alpha
        self.mse = list(initial)
        self.floor = [cfg.floor_share * x for x in initial]

    def sigma(self, item: int) -> float:
        """Standard deviation of the one-period forecast error of ``item`` (units per review
        period): the root of the smoothed mean squared error."""
        return self.mse[item] ** 0.5

    def update(self, item: int, demand: float) -> float:
        """Record one period's demand of ``item``; return the new forecast per period (at
        least the floor)."""
        if self.track_error:
            err = demand - max(self.level[item], self.floor[item])
            self.mse[item] += self.error_alpha * (err * err - self.mse[item])
        self._update(item, demand)
        level = self.level[item]
        floor = self.floor[item]
        return floor if floor > 0 and level < floor else level

    def _update(self, item: int, demand: float) -> None:
        if self.method == "moving_average":
            hist = self.history[item]
            self.sums[item] += demand - hist[0]
            hist.append(demand)
            self.level[item] = self.sums[item] / self.window
        else:
            self.level[item] += self.alpha * (demand - self.level[item])


class PeriodicReview:
    """The review event of the stock points replenished by periodic order-up-to.

    At construction it gives each periodically reviewed item its forecast and protection
    interval in review periods (``sp.lead_periods``): a dealer's BTS variants (one review
    period plus transport plus ``forecast.dealer_plant_days``) and the plant's components
    of assemble-to-order variants (the supplier's mean lead time). A dealer item that is
    not BTS is not reviewed; with ``forecast.returns`` dealers send surplus units back to
    the plant. :meth:`start` schedules the first review one ``forecast.review_period``
    after time 0.

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
        self.z = fc.safety_factor
        self.returns = fc.returns
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
                # a dealer protects one review period plus its replenishment lead time
                lead = d.transport_time + fc.dealer_plant_days
                for i, stocked in enumerate(sp.periodic):
                    if stocked and strategy[i] == Strategy.BTS:
                        sp.lead_periods[i] = 1.0 + lead / period
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
        given its forecast demand per review period: ``P * forecast + z * sigma * sqrt(P) +
        safety_stock``, ``P`` being ``sp.lead_periods[item]`` (review periods) and sigma
        the forecast's error standard deviation per period. Also sets the initial stock
        target, from the mean demand per period, when the rule is built."""
        p = sp.lead_periods[item]
        if self.z > 0:
            return p * forecast + self.z * sp.forecast.sigma(item) * p**0.5 + self.safety
        return p * forecast + self.safety

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
            elif q < 0 and self.returns and sp.returns_to is not None:
                n = sp.remove(i, -q)
                if n:
                    sp.count_orders(-n)
                    sp.returns_to(i, n)


register_builtin("replenishment", "order_up_to", PeriodicReview, params_at=SECTION_KEYS)
