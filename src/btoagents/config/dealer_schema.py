"""Scenario section ``[dealers]``: the points of sale holding finished stock, their
replenishment, regions, dealer trades and markdown steps (``[[dealers.markdown]]``).

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them and holds them
in :class:`~btoagents.config.schema.Scenario`); units as there: time in days, rates per
day, money in currency units.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, model_validator

from btoagents.config.limits import MAX_DAYS, MAX_DEALERS, MAX_MONEY
from btoagents.config.literals import ReplenishPolicy
from btoagents.config.plugin_choice import plugin_choice
from btoagents.config.policy_schema import AGENT_DESCRIPTION, AGENT_PARAMS_DESCRIPTION
from btoagents.config.section import Section


class MarkdownStep(Section):
    """A unit in stock for at least ``after_days`` sells at ``discount`` off list price."""

    after_days: float = Field(ge=0, le=MAX_DAYS, description="days in stock")
    discount: float = Field(ge=0, lt=1, description="markdown, share of list price")


class DealersConfig(plugin_choice("dealer", "agent")):
    """Dealers: points of sale holding finished stock of build-to-stock variants."""

    count: int = Field(
        0,
        ge=0,
        le=MAX_DEALERS,
        description=f"dealers (0: customers buy from the plant), at most {MAX_DEALERS:,}",
    )
    days_of_supply: float = Field(
        60.0,
        ge=0,
        le=MAX_DAYS,
        description=(
            "dealer stock target in days of sales (base stock and (s,S); order-up-to "
            "dealers set their level from the forecast, see [forecast])"
        ),
    )
    policy: ReplenishPolicy = Field(
        "base_stock",
        description="dealer replenishment: base_stock (one for one), ss ((s,S) with "
        "reorder_days) or order_up_to (periodic review with a forecast, see [forecast])",
    )
    reorder_days: float = Field(
        30.0, ge=0, le=MAX_DAYS, description="(s,S): reorder at s days of supply"
    )
    transport_time: float = Field(0.0, ge=0, le=MAX_DAYS, description="plant-to-dealer days")
    markdown: list[MarkdownStep] = Field(default_factory=list)
    pooling: bool = Field(
        False,
        description="locate and dealer trade: a customer whose variant is not on its "
        "dealer's lot may take the exact or a near variant from another dealer of its region "
        "by a lateral transfer",
    )
    regions: int = Field(
        1,
        ge=1,
        le=MAX_DEALERS,
        description="regions the dealers are split into evenly (pooling stays within one)",
    )
    trade_days: float = Field(
        2.0,
        ge=0,
        le=MAX_DAYS,
        description="days a dealer trade takes to bring a unit to the customer's dealer "
        "(UNCALIBRATED; plausible 1-5)",
    )
    trade_cost: float = Field(
        300.0,
        ge=0,
        le=MAX_MONEY,
        description="cost per unit moved by a dealer trade, currency (UNCALIBRATED; "
        "plausible 100-1,000 for cars)",
    )
    agent: str = Field("dealer", description=AGENT_DESCRIPTION)
    params: dict[str, Any] = Field(default_factory=dict, description=AGENT_PARAMS_DESCRIPTION)

    @model_validator(mode="after")
    def _regions_fit(self) -> Self:
        if self.count > 0 and self.regions > self.count:
            raise ValueError(
                f"regions ({self.regions}) must not exceed count ({self.count}): "
                "every region needs a dealer"
            )
        return self

    def region_of(self, dealer: int) -> int:
        """The region (0-based) of dealer ``dealer``: the dealers split evenly, in order."""
        return dealer * self.regions // max(self.count, 1)
