"""Scenario sections of the policies: fulfillment (which variants are BTS, ATO or BTO, and
when that changes), capacity against a season, and proactive demand management.

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them); units as
there: days, orders or units per day, shares in [0, 1].

``fulfillment.policy``, ``capacity.policy`` and ``demand_management.policy`` name a
plugin of the registry (:mod:`btoagents.plugins`): a built-in, an installed plugin, or an
import path ``package.module:Name``, whose parameters go in the section's ``params``
table. Each is checked when a scenario is validated (which imports a plugin named by
import path). The built-ins keep their parameters where they always were: the sub-tables
below (``fulfillment.classification``, ...), the capacity keys and the demand-management
keys.

Which policies act: only the built-in ``static`` fulfillment policy and ``level`` capacity
policy never change anything (:func:`adaptive`, :func:`reviewed`); every other policy,
a plugin included, gets the per-variant ledger, its reviews and its events.
"""

from __future__ import annotations

import math
from typing import Any, Literal, Self

from pydantic import Field, create_model, field_validator, model_validator

from btoagents.config.limits import (
    MAX_DAYS,
    MAX_DEFERS,
    MAX_FACTOR,
    MAX_RATE_PER_DAY,
    MAX_SERVERS,
    MAX_VARIANTS,
    MIN_PERIOD_DAYS,
)
from btoagents.config.plugin_choice import plugin_choice
from btoagents.config.section import Number, Section

AdaptiveStrategy = Literal["bts", "ato", "bto"]

PLUGIN_DESCRIPTION = (
    "a registered name or an import path 'package.module:Name' (see btoagents.plugins)"
)
PARAMS_DESCRIPTION = "parameters of a policy that is not built in (its Params model)"
AGENT_DESCRIPTION = (
    "the agent class: the built-in, a registered name or an import path 'package.module:Name' "
    "of a subclass of the built-in (see btoagents.plugins)"
)
AGENT_PARAMS_DESCRIPTION = "parameters of an agent class that is not built in (its Params model)"
DEMAND_MANAGER_DESCRIPTION = (
    "the demand manager: 'standard' (the built-in), a registered name or an import path "
    "'package.module:Name' of a subclass of DemandManager (see btoagents.plugins)"
)

#: the built-in policies under which nothing changes at a review; any other policy, a
#: plugin included, is adaptive (fulfillment) or reviewed (capacity)
STATIC = "static"
LEVEL = "level"


def adaptive(fulfillment: FulfillmentConfig) -> bool:
    """Whether the fulfillment policy may switch strategies: every policy but the built-in
    ``static`` (a plugin is always taken to switch; the model then keeps the per-variant
    ledger and schedules its reviews)."""
    return fulfillment.policy != STATIC


def reviewed(capacity: CapacityConfig) -> bool:
    """Whether the capacity policy is reviewed: every policy but the built-in ``level``
    (a plugin always is)."""
    return capacity.policy != LEVEL


class ClassificationConfig(Section):
    """Runners / repeaters / strangers by demand rate and variability over a rolling window.

    A runner (rate at least ``runner_rate`` orders/day and coefficient of variation of its
    per-bucket demand at most ``runner_cv``) takes ``runner_strategy``; a stranger (rate below
    ``stranger_rate`` or CV above ``stranger_cv``) takes ``stranger_strategy``; the rest are
    repeaters. An ``ato`` choice falls back to ``bto`` for a variant without components.
    """

    runner_rate: float = Field(
        0.5, ge=0, le=MAX_RATE_PER_DAY, description="orders/day at or above: runner"
    )
    runner_cv: float = Field(
        1.0, gt=0, le=MAX_FACTOR, description="per-bucket demand CV at or below: runner"
    )
    stranger_rate: float = Field(
        0.1, ge=0, le=MAX_RATE_PER_DAY, description="orders/day below: stranger"
    )
    stranger_cv: float = Field(
        2.5, gt=0, le=MAX_FACTOR, description="per-bucket demand CV above: stranger"
    )
    runner_strategy: AdaptiveStrategy = Field("bts", description="strategy of a runner")
    repeater_strategy: AdaptiveStrategy = Field(
        "ato", description="strategy of a repeater (neither runner nor stranger)"
    )
    stranger_strategy: AdaptiveStrategy = Field("bto", description="strategy of a stranger")

    @model_validator(mode="after")
    def _thresholds_ordered(self) -> Self:
        if self.stranger_rate > self.runner_rate:
            raise ValueError(
                f"stranger_rate ({self.stranger_rate}) must not exceed runner_rate "
                f"({self.runner_rate})"
            )
        if self.runner_cv > self.stranger_cv:
            raise ValueError(
                f"runner_cv ({self.runner_cv}) must not exceed stranger_cv ({self.stranger_cv})"
            )
        return self


class CostSwitchConfig(Section):
    """Switch a variant when the other strategy's expected cost per day is lower by a margin."""

    hysteresis: float = Field(
        0.2, ge=0, lt=1, description="switch only when the other cost is this share lower"
    )


class BanditConfig(Section):
    """Per-variant epsilon-greedy bandit over strategies and stock cover, rewarded by profit.

    Arms: ``bto`` and one ``bts`` arm per entry of ``cover_days`` (dealer and plant stock of
    that many days of the variant's sales). Each arm is tried once (in order), then at
    review ``k`` a uniform draw below ``max(min_epsilon, epsilon * decay**k)`` explores a
    random arm, else the arm with the best mean reward (profit per day) is played.
    """

    cover_days: list[Number] = Field(
        default_factory=lambda: [30.0, 60.0], description="days of sales each bts arm stocks"
    )
    epsilon: float = Field(0.3, ge=0, le=1, description="exploration probability at first")
    decay: float = Field(0.9, gt=0, le=1, description="per-review factor on epsilon")
    min_epsilon: float = Field(
        0.02, ge=0, le=1, description="exploration probability never decays below this"
    )

    @field_validator("cover_days")
    @classmethod
    def _positive_cover(cls, v: list[float]) -> list[float]:
        if not v or any(not math.isfinite(d) or d <= 0 or d > MAX_DAYS for d in v):
            raise ValueError(f"needs at least one cover in days, each > 0 and <= {MAX_DAYS:g}")
        return v


class PostponementConfig(Section):
    """Assemble to order the variants whose components are shared by enough variants."""

    min_commonality: int = Field(
        2,
        ge=1,
        le=MAX_VARIANTS,
        description="variants that must use each component of an ATO variant",
    )
    service_z: float = Field(
        1.65,
        ge=0,
        le=MAX_FACTOR,
        description="safety factor of the component stock (normal approximation)",
    )


class FulfillmentConfig(plugin_choice("fulfillment")):
    """Which variants are BTS, ATO or BTO, and when that changes (policy reviews)."""

    policy: str = Field("static", description=PLUGIN_DESCRIPTION)
    review_period: float = Field(
        30.0, ge=MIN_PERIOD_DAYS, le=MAX_DAYS, description="days between reviews"
    )
    window: float = Field(
        90.0, gt=0, le=MAX_DAYS, description="days of demand history a review looks at"
    )
    bucket_days: float = Field(
        7.0, ge=MIN_PERIOD_DAYS, le=MAX_DAYS, description="days per demand bucket (CV)"
    )
    hold_days: float = Field(
        90.0, ge=0, le=MAX_DAYS, description="after a switch a variant keeps its strategy this long"
    )
    cover_days: float = Field(
        30.0,
        gt=0,
        le=MAX_DAYS,
        description="days of sales a variant switched to BTS holds at dealers/plant",
    )
    classification: ClassificationConfig = Field(default_factory=ClassificationConfig)
    cost: CostSwitchConfig = Field(default_factory=CostSwitchConfig)
    bandit: BanditConfig = Field(default_factory=BanditConfig)
    postponement: PostponementConfig = Field(default_factory=PostponementConfig)
    params: dict[str, Any] = Field(default_factory=dict, description=PARAMS_DESCRIPTION)


class CapacityConfig(plugin_choice("capacity")):
    """Capacity against a season: level (fixed lines), chase (overtime) or pre-build.

    ``chase`` opens up to ``max_overtime_lines`` extra lines for the next review period when
    the queue plus the forecast demand exceed regular capacity (cost per busy line-day:
    ``manufacturer.overtime_cost``). ``prebuild`` raises the finished-goods targets of BTS
    variants ahead of a peak, up to the stock that the demand forecast says regular capacity
    (times ``target_utilization``) cannot cover later in the cycle.
    """

    policy: str = Field("level", description=PLUGIN_DESCRIPTION)
    review_period: float = Field(
        7.0, ge=MIN_PERIOD_DAYS, le=MAX_DAYS, description="days between capacity reviews"
    )
    max_overtime_lines: int = Field(
        1, ge=0, le=MAX_SERVERS, description="chase: extra lines at most"
    )
    target_utilization: float = Field(
        0.95, gt=0, le=1, description="prebuild: share of capacity the plan counts on"
    )
    params: dict[str, Any] = Field(default_factory=dict, description=PARAMS_DESCRIPTION)


def _section_params(name: str, doc: str, *keys: str) -> type[Section]:
    """The parameters of a built-in capacity policy: keys of :class:`CapacityConfig` (the
    same fields, bounds and descriptions)."""
    fields: dict[str, Any] = {
        k: (CapacityConfig.model_fields[k].annotation, CapacityConfig.model_fields[k]) for k in keys
    }
    return create_model(name, __base__=Section, __doc__=doc, **fields)


ChaseParams = _section_params(
    "ChaseParams",
    "Parameters of the chase policy (capacity.max_overtime_lines).",
    "max_overtime_lines",
)
PrebuildParams = _section_params(
    "PrebuildParams",
    "Parameters of the prebuild policy (capacity.target_utilization).",
    "target_utilization",
)


class DemandManagementConfig(plugin_choice("demand_management")):
    """Proactive demand management: quoting, acceptance, price incentives and slot booking.

    ``policy`` names the demand manager: the built-in ``standard`` (the rules of
    :mod:`btoagents.policies.demand_management`, set by the keys below), or a subclass of
    :class:`~btoagents.policies.demand_management.DemandManager` (a registered name or an
    import path ``package.module:Name``) whose parameters go in ``params``; it inherits the
    keys below and overrides the rules it changes.
    """

    policy: str = Field("standard", description=DEMAND_MANAGER_DESCRIPTION)
    quote_margin: float = Field(
        0.0, ge=0, le=MAX_DAYS, description="days added to every lead-time quote"
    )
    quote_factor: float = Field(
        1.0, gt=0, le=MAX_FACTOR, description="multiplier on every lead-time quote"
    )
    acceptance: Literal["accept_all", "reject", "defer"] = Field(
        "accept_all",
        description="a request whose quote exceeds promise: accept_all (accepted anyway), "
        "reject (lost) or defer (the customer retries after defer_days)",
    )
    promise: float = Field(
        60.0, gt=0, le=MAX_DAYS, description="days: a quote above it is rejected or deferred"
    )
    defer_days: float = Field(
        14.0, gt=0, le=MAX_DAYS, description="days a deferred customer waits to retry"
    )
    max_defers: int = Field(
        2, ge=0, le=MAX_DEFERS, description="retries before a deferred request is lost"
    )
    stock_discount: float = Field(
        0.0, ge=0, lt=1, description="markdown share offered for an in-stock near variant"
    )
    incentive_after: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description="offer the stock incentive when the quote exceeds these days",
    )
    slot_days: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description=f"slot length in days (0: no slot booking), else at least {MIN_PERIOD_DAYS}",
    )
    slot_fill: float = Field(
        0.9, gt=0, le=1, description="share of a slot's capacity that may be booked"
    )
    slot_discount: float = Field(
        0.0, ge=0, lt=1, description="discount share offered for a slot beyond one's patience"
    )
    slot_extra_days: float = Field(
        0.0, ge=0, le=MAX_DAYS, description="days of extra patience the slot discount buys"
    )

    params: dict[str, Any] = Field(
        default_factory=dict, description="parameters of a demand manager that is not built in"
    )

    @field_validator("slot_days")
    @classmethod
    def _slot_long_enough(cls, v: float) -> float:
        if 0 < v < MIN_PERIOD_DAYS:
            raise ValueError(f"needs 0 (no slots) or at least {MIN_PERIOD_DAYS} days")
        return v
