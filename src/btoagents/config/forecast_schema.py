"""Scenario section ``[forecast]``: the forecast and periodic review rule of the stock
points replenished by ``order_up_to`` (the bullwhip stage).

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them and holds them
in :class:`~btoagents.config.schema.Scenario`); units as there: time in days, rates per
day, money in currency units.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from btoagents.config.limits import MAX_DAYS, MAX_FORECAST_WINDOW, MAX_UNITS, MIN_PERIOD_DAYS
from btoagents.config.plugin_choice import plugin_choice


class ForecastConfig(plugin_choice("replenishment", "rule")):
    """Forecasting for periodic order-up-to replenishment (the bullwhip stage).

    ``rule`` names the periodic review rule of the stock points replenished by
    ``order_up_to`` (``dealers.policy``, ``components.*.plant_policy``): the built-in
    ``order_up_to`` (level ``P * F + z * sigma * sqrt(P) + safety_stock``, P the protection
    interval in review periods, see :mod:`btoagents.policies.replenishment`), or a subclass of
    :class:`~btoagents.policies.replenishment.PeriodicReview` (a registered name or an
    import path ``package.module:Name``) whose parameters go in ``params``; it keeps the
    keys below (its forecast and review period) and overrides the level it orders up to.
    """

    rule: str = Field(
        "order_up_to",
        description=(
            "the periodic review rule: 'order_up_to' (the built-in), a registered name or an "
            "import path 'package.module:Name' of a subclass of PeriodicReview "
            "(see btoagents.plugins)"
        ),
    )

    method: Literal["moving_average", "exponential_smoothing"] = Field(
        "moving_average",
        description="forecast of demand per review period: moving_average over window "
        "periods, or exponential_smoothing with weight alpha",
    )
    window: int = Field(
        4, ge=1, le=MAX_FORECAST_WINDOW, description="periods in the moving average"
    )
    alpha: float = Field(0.3, gt=0, le=1, description="exponential smoothing weight")
    review_period: float = Field(
        1.0, ge=MIN_PERIOD_DAYS, le=MAX_DAYS, description="days between reviews (periods)"
    )
    safety_stock: float = Field(
        0.0, ge=0, le=MAX_UNITS, description="units added to the order-up-to level"
    )
    safety_factor: float = Field(
        0.0,
        ge=0,
        le=10.0,
        description=(
            "z of the statistical safety stock z * sigma * sqrt(R + L) (sigma: the smoothed "
            "root mean squared one-period forecast error, units per review period; Silver, "
            "Pyke and Thomas 2017); 0: none (the bullwhip validation's rule)"
        ),
    )
    error_alpha: float = Field(
        0.1,
        gt=0,
        le=1,
        description=(
            "smoothing weight of the mean squared forecast error behind sigma (Silver, Pyke "
            "and Thomas 2017 suggest 0.01-0.1)"
        ),
    )
    floor_share: float = Field(
        0.0,
        ge=0,
        le=1,
        description=(
            "the forecast per period never falls below this share of the item's nominal "
            "mean demand per period, so slow movers keep some stock (UNCALIBRATED; "
            "plausible 0.25-1; 0: no floor)"
        ),
    )
    returns: bool = Field(
        False,
        description=(
            "order-up-to stages return surplus units upstream when the level falls below "
            "the inventory position (negative orders, as in Chen et al. 2000)"
        ),
    )
    dealer_plant_days: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description=(
            "expected days from a dealer's restocking order until the plant ships it "
            "(from its finished stock or its line); with dealers.transport_time it is the "
            "dealers' replenishment lead time L"
        ),
    )
    params: dict[str, Any] = Field(
        default_factory=dict, description="parameters of a review rule that is not built in"
    )
