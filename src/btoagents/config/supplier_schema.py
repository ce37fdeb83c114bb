"""Scenario sections of the supply of components: ``[supplier]`` (every supplier's
default settings), ``[suppliers.NAME]`` (one supplier's overrides) and
``[components.NAME]`` (a component, its supplier and its plant stock).

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them and holds them
in :class:`~btoagents.config.schema.Scenario`); units as there: time in days, rates per
day, money in currency units.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from btoagents.config.limits import (
    MAX_DAYS,
    MAX_FACTOR,
    MAX_MONEY,
    MAX_RATE_PER_DAY,
    MAX_SERVERS,
    MAX_UNITS,
    MIN_CV,
)
from btoagents.config.literals import ReplenishPolicy, ServiceDistribution, StockPolicy
from btoagents.config.plugin_choice import plugin_choice
from btoagents.config.policy_schema import AGENT_DESCRIPTION, AGENT_PARAMS_DESCRIPTION
from btoagents.config.section import Section

SUPPLIER_STRATEGY = (
    "'bts': hold base_stock units of each component and refill it (the supplier's "
    "decoupling point is its stock); 'bto': hold none and build each requested unit on its "
    "own servers after the plant's request (base_stock and reorder_point are not used)"
)


class SupplierConfig(plugin_choice("supplier", "agent")):
    """A hardware supplier with its own capacity: builds components to stock or to order."""

    strategy: Literal["bts", "bto"] = Field("bts", description=SUPPLIER_STRATEGY)
    servers: int = Field(1, ge=1, le=MAX_SERVERS, description="parallel servers")
    service_rate: float = Field(
        10.0, gt=0, le=MAX_RATE_PER_DAY, description="components per day per server"
    )
    service_distribution: ServiceDistribution = Field(
        "exponential", description="distribution of a component's production time"
    )
    service_cv: float = Field(
        1.0, ge=MIN_CV, le=MAX_FACTOR, description="coefficient of variation (gamma, lognormal)"
    )
    base_stock: int = Field(
        0, ge=0, le=MAX_UNITS, description="supplier stock target per component, units"
    )
    policy: StockPolicy = Field(
        "base_stock", description="supplier stock replenishment: base_stock or ss ((s,S))"
    )
    reorder_point: int | None = Field(
        None, ge=-1, le=MAX_UNITS, description="(s,S) reorder point s; default base_stock - 1"
    )
    lead_time: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description=f"supplier-to-plant days, at most {MAX_DAYS:,.0f}",
    )
    lead_time_distribution: Literal["deterministic", "exponential", "gamma"] = Field(
        "deterministic", description="distribution of the supplier-to-plant lead time"
    )
    lead_time_cv: float = Field(
        0.5, ge=MIN_CV, le=MAX_FACTOR, description="coefficient of variation (gamma)"
    )
    agent: str = Field(
        "supplier", description=f"{AGENT_DESCRIPTION}; every supplier is of this class"
    )
    params: dict[str, Any] = Field(default_factory=dict, description=AGENT_PARAMS_DESCRIPTION)


_SAME = "this supplier's value of the [supplier] key of the same name"


class SupplierOverride(Section):
    """Per-supplier values; a key left out takes the ``[supplier]`` default."""

    strategy: Literal["bts", "bto"] | None = Field(None, description=SUPPLIER_STRATEGY)
    servers: int | None = Field(None, ge=1, le=MAX_SERVERS, description=_SAME)
    service_rate: float | None = Field(None, gt=0, le=MAX_RATE_PER_DAY, description=_SAME)
    service_distribution: ServiceDistribution | None = Field(None, description=_SAME)
    service_cv: float | None = Field(None, ge=MIN_CV, le=MAX_FACTOR, description=_SAME)
    base_stock: int | None = Field(None, ge=0, le=MAX_UNITS, description=_SAME)
    policy: StockPolicy | None = Field(None, description=_SAME)
    reorder_point: int | None = Field(None, ge=-1, le=MAX_UNITS, description=_SAME)
    lead_time: float | None = Field(None, ge=0, le=MAX_DAYS, description=_SAME)
    lead_time_distribution: Literal["deterministic", "exponential", "gamma"] | None = Field(
        None, description=_SAME
    )
    lead_time_cv: float | None = Field(None, ge=MIN_CV, le=MAX_FACTOR, description=_SAME)


class ComponentConfig(Section):
    """A component bought from a supplier and stocked at the plant for assembly."""

    supplier: str | None = Field(None, description="supplier name (default: the first)")
    unit_cost: float = Field(
        0.1, ge=0, le=MAX_MONEY, description="cost of one component (holding cost, profit)"
    )
    plant_base_stock: int = Field(0, ge=0, le=MAX_UNITS, description="plant stock target, units")
    plant_policy: ReplenishPolicy = Field(
        "base_stock",
        description="plant component replenishment: base_stock, ss or order_up_to (see [forecast])",
    )
    plant_reorder_point: int | None = Field(
        None, ge=-1, le=MAX_UNITS, description="(s,S) reorder point s; default base_stock - 1"
    )
