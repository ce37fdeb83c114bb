"""Scenario sections of what is sold: ``[demand]`` (the final-customer arrival process) and
``[products.NAME]`` (a product family: strategy, demand rate, variants, prices, components).

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them and holds them
in :class:`~btoagents.config.schema.Scenario`); units as there: time in days, rates per
day, money in currency units.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from btoagents.config.limits import (
    MAX_DAYS,
    MAX_FACTOR,
    MAX_MONEY,
    MAX_RATE_PER_DAY,
    MAX_UNITS,
    MAX_VARIANTS,
    MIN_LIFE_CYCLE_DAYS,
    MIN_PERIOD_DAYS,
)
from btoagents.config.literals import StrategyLabel
from btoagents.config.section import Section


class DemandConfig(Section):
    """Final-customer arrival process; the rate itself is the sum of the products' rates."""

    process: Literal["poisson", "seasonal"] = Field(
        "poisson",
        description="arrivals: poisson (constant rate) or seasonal (a sine wave of the rate "
        "with amplitude, period and peak_day)",
    )
    amplitude: float = Field(0.0, ge=0, lt=1, description="relative swing of a seasonal rate")
    period: float = Field(
        365.0,
        ge=MIN_PERIOD_DAYS,
        le=MAX_DAYS,
        description=f"days in one season cycle, at least {MIN_PERIOD_DAYS}",
    )
    peak_day: float = Field(
        0.0, ge=-MAX_DAYS, le=MAX_DAYS, description="day of the cycle at which the rate peaks"
    )
    shift_day: float | None = Field(
        None,
        gt=0,
        le=MAX_DAYS,
        description="day on which popularity shifts: each family's ranking reverses "
        "(the best seller becomes the slowest mover), total rates unchanged",
    )


class ProductConfig(Section):
    """A product family: one or more variants sharing strategy, prices and components."""

    strategy: StrategyLabel = Field(
        "bto",
        description="how a variant is made: bts (built to stock from forecasts), ato "
        "(assembled to order from stocked components), bto (built to order), eto (designed, "
        "then built, to order)",
    )
    demand_rate: float = Field(
        1.0,
        ge=0,
        le=MAX_RATE_PER_DAY,
        description=f"final-customer orders per day, at most {MAX_RATE_PER_DAY:,.0f}",
    )
    variants: int = Field(
        1,
        ge=1,
        le=MAX_VARIANTS,
        description=f"number of variants in the family, at most {MAX_VARIANTS:,}",
    )
    zipf_exponent: float = Field(
        1.0, ge=0, le=MAX_FACTOR, description="popularity ~ rank^-exponent"
    )
    base_stock: int = Field(
        0,
        ge=0,
        le=MAX_UNITS,
        description=f"plant finished-goods target per stocked variant, units, at most "
        f"{MAX_UNITS:,}",
    )
    reorder_point: int | None = Field(
        None,
        ge=-1,
        le=MAX_UNITS,
        description="plant (s,S) reorder point s, units; default base_stock - 1",
    )
    tail_share: float = Field(
        0.0, ge=0, le=1, description="share of variants, least popular first, using tail_strategy"
    )
    tail_strategy: StrategyLabel = Field(
        "bto", description="strategy of the tail_share least popular variants"
    )
    price: float = Field(1.0, gt=0, le=MAX_MONEY, description="list price per unit (currency)")
    unit_cost: float = Field(0.5, ge=0, le=MAX_MONEY, description="cost of making one unit")
    salvage_value: float = Field(
        0.0, ge=0, le=MAX_MONEY, description="value recovered per written-off unit"
    )
    life_cycle: float | None = Field(
        None,
        ge=MIN_LIFE_CYCLE_DAYS,
        le=MAX_DAYS,
        description=f"days a variant generation is sold before end of life, at least "
        f"{MIN_LIFE_CYCLE_DAYS:g}",
    )
    components: list[str] = Field(
        default_factory=list,
        description="components one unit needs (drawn by ato and bto units at release)",
    )
    release_days: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description="frozen horizon, days: with order_bank.enabled no order of the product "
        "(customer, stock or bulk) is scheduled sooner; without it, the fixed delay a "
        "customer order waits before release, whatever the load",
    )
    engineering_days: float = Field(
        0.0, ge=0, le=MAX_DAYS, description="mean design delay for eto (days)"
    )
    engineering_distribution: Literal["exponential", "deterministic"] = Field(
        "exponential", description="distribution of the eto design delay around its mean"
    )
