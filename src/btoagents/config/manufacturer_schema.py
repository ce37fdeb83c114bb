"""Scenario section ``[manufacturer]``: the plant's parallel lines, their service time,
queue discipline, finished-goods policy, overtime and capacity costs.

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them and holds them
in :class:`~btoagents.config.schema.Scenario`); units as there: time in days, rates per
day, money in currency units.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from btoagents.config.limits import (
    MAX_FACTOR,
    MAX_MONEY,
    MAX_RATE_PER_DAY,
    MAX_SERVERS,
    MAX_UNITS,
    MIN_CV,
)
from btoagents.config.literals import Discipline, ServiceDistribution, StockPolicy
from btoagents.config.plugin_choice import plugin_choice
from btoagents.config.policy_schema import AGENT_DESCRIPTION, AGENT_PARAMS_DESCRIPTION


class ManufacturerConfig(plugin_choice("manufacturer", "agent")):
    """The plant: parallel lines, queue discipline, overtime."""

    lines: int = Field(
        1, ge=1, le=MAX_SERVERS, description=f"production lines, at most {MAX_SERVERS:,}"
    )
    service_rate: float = Field(
        1.0,
        gt=0,
        le=MAX_RATE_PER_DAY,
        description=f"units per day per line, at most {MAX_RATE_PER_DAY:,.0f}",
    )
    service_distribution: ServiceDistribution = Field(
        "exponential", description="distribution of a unit's production time"
    )
    service_cv: float = Field(
        1.0,
        ge=MIN_CV,
        le=MAX_FACTOR,
        description="coefficient of variation (gamma, lognormal)",
    )
    discipline: Discipline = Field(
        "fcfs",
        description="queue discipline of the lines: fcfs (first come, first served), "
        "bto_priority (customer orders first, non-preemptive) or bto_preemptive (customer "
        "orders interrupt stock replenishment)",
    )
    policy: StockPolicy = Field(
        "base_stock",
        description="plant finished-goods replenishment: base_stock (one for one) or ss "
        "((s,S) with products.NAME.reorder_point)",
    )
    overtime_lines: int = Field(
        0, ge=0, le=MAX_SERVERS, description="extra lines opened when the queue is long"
    )
    overtime_threshold: int = Field(
        10, ge=1, le=MAX_UNITS, description="waiting jobs that open overtime"
    )
    overtime_cost: float = Field(
        0.0,
        ge=0,
        le=MAX_MONEY,
        description="cost per overtime line-day worked, on top of line_cost x (1 + "
        "overtime_premium)",
    )
    line_cost: float = Field(
        0.0,
        ge=0,
        le=MAX_MONEY,
        description="cost per regular line per day, busy or not (currency/line/day; "
        "capacity_cost KPI)",
    )
    overtime_premium: float = Field(
        0.5,
        ge=0,
        le=MAX_FACTOR,
        description="overtime pays line_cost x (1 + premium) per busy overtime line-day "
        "(0.5: time-and-a-half, US Fair Labor Standards Act, 29 U.S.C. 207)",
    )
    agent: str = Field("manufacturer", description=AGENT_DESCRIPTION)
    params: dict[str, Any] = Field(default_factory=dict, description=AGENT_PARAMS_DESCRIPTION)
