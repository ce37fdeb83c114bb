"""Scenario sections of the buyers: ``[customers]`` (the persistent population of final
customers: patience, substitution, loyalty, memory of service) and ``[intermediaries.NAME]``
(bulk buyers whose orders are not final-customer orders).

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them and holds them
in :class:`~btoagents.config.schema.Scenario`); units as there: time in days, rates per
day, money in currency units.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import Field, field_validator

from btoagents.config.limits import MAX_CUSTOMERS, MAX_DAYS, MAX_RATE_PER_DAY, MAX_UNITS
from btoagents.config.plugin_choice import plugin_choice
from btoagents.config.policy_schema import AGENT_DESCRIPTION, AGENT_PARAMS_DESCRIPTION
from btoagents.config.section import Number, Section

MemoryKind = Literal["none", "market", "individual"]


class CustomersConfig(plugin_choice("customer", "agent")):
    """The persistent population of final customers."""

    count: int = Field(
        200,
        ge=1,
        le=MAX_CUSTOMERS,
        description=f"final customers in the population, at most {MAX_CUSTOMERS:,} "
        "(not used when purchase_cycle is set)",
    )
    patience: float = Field(
        math.inf,
        gt=0,
        allow_inf_nan=True,
        description="mean days a customer will wait (inf: never leaves)",
    )
    patience_distribution: Literal["fixed", "exponential", "uniform"] = Field(
        "fixed",
        description="each customer's patience: fixed (the mean), exponential, or uniform "
        "between half and one and a half times the mean",
    )
    substitution: bool = Field(False, description="accept a marked-down near variant")
    switch_discount: tuple[Number, Number] = Field(
        (0.05, 0.20),
        strict=False,  # a TOML array is a list; its items stay strict numbers
        description="range of the markdown share that buys a switch",
    )
    loyalty: float = Field(0.0, ge=0, le=1, description="chance of re-buying one's favourite")
    memory: MemoryKind = Field(
        "none",
        description="memory of service: none; market (late deliveries lower the arrival rate "
        "of new customers through a market reputation index); individual (a late delivery "
        "lowers that customer's own purchase rate and patience). true = individual, "
        "false = none (older files)",
    )
    late_rate_penalty: float = Field(
        0.1,
        ge=0,
        lt=1,
        description="individual memory: share of purchase rate lost per late delivery",
    )
    late_patience_penalty: float = Field(
        0.1, ge=0, lt=1, description="individual memory: share of patience lost per late delivery"
    )
    recovery: float = Field(0.02, ge=0, le=1, description="rate regained per on-time delivery")
    late_tolerance: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description="days past the quoted lead time a delivery may take before it counts as "
        "late (UNCALIBRATED; plausible 0-14)",
    )
    renege: bool = Field(
        False,
        description="an accepted order still undelivered after the customer's patience (or "
        "its quote plus late_tolerance, if longer) is cancelled: a lost sale; its unit goes "
        "into stock if its variant is stocked, else it is remarketed at salvage value",
    )
    reputation_half_life: float = Field(
        90.0,
        gt=0,
        le=MAX_DAYS,
        description="market memory: half-life (days) of the weight of a delivery in the "
        "late share (UNCALIBRATED; plausible 30-365)",
    )
    reputation_sensitivity: float = Field(
        0.5,
        ge=0,
        le=1,
        description="market memory: share of new-customer arrivals lost when every recent "
        "delivery was late (reputation = 1 - sensitivity x late share; UNCALIBRATED; "
        "plausible 0.2-1)",
    )
    purchase_cycle: float | None = Field(
        None,
        gt=0,
        le=MAX_DAYS,
        description="mean days between two purchases of one customer; when set the "
        "population is the total demand rate x purchase_cycle and count is ignored "
        "(customers are then drawn when they first appear)",
    )
    waiting_cost: float = Field(
        0.002,
        ge=0,
        le=1,
        description="regional choice (dealers.pooling): share of list price a day of waiting "
        "is worth to a customer (UNCALIBRATED; plausible 0.0005-0.005)",
    )
    agent: str = Field("customer", description=AGENT_DESCRIPTION)
    params: dict[str, Any] = Field(default_factory=dict, description=AGENT_PARAMS_DESCRIPTION)

    @field_validator("memory", mode="before")
    @classmethod
    def _memory_from_bool(cls, v: Any) -> Any:
        # older files say memory = true/false: true was the per-customer memory
        if v is True:
            return "individual"
        if v is False:
            return "none"
        return v

    def population(self, rate: float) -> int:
        """Customers in the population for a total demand ``rate`` (orders/day):
        ``rate x purchase_cycle`` (at least 1) when the cycle is set, else ``count``."""
        if self.purchase_cycle is None:
            return self.count
        return max(1, round(rate * self.purchase_cycle))

    @field_validator("switch_discount")
    @classmethod
    def _ordered_range(cls, v: tuple[float, float]) -> tuple[float, float]:
        lo, hi = v
        if lo < 0 or hi < lo or hi > 1:
            raise ValueError("needs 0 <= low <= high <= 1")
        return v


class IntermediaryConfig(Section):
    """A bulk buyer (national sales company, fleet): its orders are not final-customer orders."""

    rate: float = Field(0.0, ge=0, le=MAX_RATE_PER_DAY, description="bulk orders per day")
    size_mean: float = Field(10.0, ge=1, le=MAX_UNITS, description="mean units per bulk order")
    price_factor: float = Field(0.85, gt=0, le=1, description="share of list price paid")
