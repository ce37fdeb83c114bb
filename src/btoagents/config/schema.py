"""The scenario schema: every key a scenario TOML may hold, its unit, default and bounds.

Pydantic models with ``extra="forbid"`` so that a misspelt key is an error, not a silent
default, and strict types: a number key refuses ``true``/``false`` and an integer key a
decimal. Units: time in days, rates in units (or orders) per day, money in currency units.
Every value that drives memory or run time has an upper bound from
:mod:`btoagents.config.limits` (stated in its description).

The top-level :class:`Scenario` and the checks that span its sections live here; each
section lives in a module named for it (:mod:`~btoagents.config.run_schema`,
:mod:`~btoagents.config.product_schema`, :mod:`~btoagents.config.customer_schema`,
:mod:`~btoagents.config.dealer_schema`, :mod:`~btoagents.config.manufacturer_schema`,
:mod:`~btoagents.config.supplier_schema`, :mod:`~btoagents.config.forecast_schema`,
:mod:`~btoagents.config.policy_schema`, :mod:`~btoagents.config.order_bank`,
:mod:`~btoagents.config.calibration_schema`, :mod:`~btoagents.config.generations`) and is
re-exported from here, so ``from btoagents.config.schema import DealersConfig`` works.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from btoagents.config.calibration_schema import CalibrationConfig
from btoagents.config.customer_schema import CustomersConfig, IntermediaryConfig, MemoryKind
from btoagents.config.dealer_schema import DealersConfig, MarkdownStep
from btoagents.config.forecast_schema import ForecastConfig
from btoagents.config.generations import GenerationsConfig
from btoagents.config.literals import (
    Discipline,
    ReplenishPolicy,
    ServiceDistribution,
    StockPolicy,
    StrategyLabel,
)
from btoagents.config.manufacturer_schema import ManufacturerConfig
from btoagents.config.order_bank import OrderBankConfig
from btoagents.config.policy_schema import (
    CapacityConfig,
    DemandManagementConfig,
    FulfillmentConfig,
    adaptive,
)
from btoagents.config.product_schema import DemandConfig, ProductConfig
from btoagents.config.run_schema import CostsConfig, KpisConfig, SimulationConfig
from btoagents.config.section import Number, Section
from btoagents.config.supplier_schema import (
    SUPPLIER_STRATEGY,
    ComponentConfig,
    SupplierConfig,
    SupplierOverride,
)

# the scenario and its sections in the order of the file's tables (the API page documents
# them in this order), then the words some keys take and the base types
__all__ = [
    "Scenario",
    "SimulationConfig",
    "DemandConfig",
    "ProductConfig",
    "CustomersConfig",
    "DealersConfig",
    "MarkdownStep",
    "ManufacturerConfig",
    "SupplierConfig",
    "SupplierOverride",
    "ComponentConfig",
    "ForecastConfig",
    "IntermediaryConfig",
    "FulfillmentConfig",
    "CapacityConfig",
    "DemandManagementConfig",
    "OrderBankConfig",
    "CostsConfig",
    "KpisConfig",
    "CalibrationConfig",
    "GenerationsConfig",
    "SUPPLIER_STRATEGY",
    "Discipline",
    "MemoryKind",
    "ReplenishPolicy",
    "ServiceDistribution",
    "StockPolicy",
    "StrategyLabel",
    "Number",
    "Section",
]


class Scenario(Section):
    """One supply chain to simulate: what it is made of and how long to run it."""

    name: str = Field("scenario", description="the scenario's name, shown in reports")
    description: str = Field("", description="what the scenario represents, in words")
    simulation: SimulationConfig = Field(default_factory=SimulationConfig)
    demand: DemandConfig = Field(default_factory=DemandConfig)
    products: dict[str, ProductConfig]
    customers: CustomersConfig = Field(default_factory=CustomersConfig)
    dealers: DealersConfig = Field(default_factory=DealersConfig)
    manufacturer: ManufacturerConfig = Field(default_factory=ManufacturerConfig)
    supplier: SupplierConfig = Field(default_factory=SupplierConfig)
    suppliers: dict[str, SupplierOverride] = Field(default_factory=dict)
    components: dict[str, ComponentConfig] = Field(default_factory=dict)
    forecast: ForecastConfig = Field(default_factory=ForecastConfig)
    intermediaries: dict[str, IntermediaryConfig] = Field(default_factory=dict)
    fulfillment: FulfillmentConfig = Field(default_factory=FulfillmentConfig)
    capacity: CapacityConfig = Field(default_factory=CapacityConfig)
    demand_management: DemandManagementConfig = Field(default_factory=DemandManagementConfig)
    order_bank: OrderBankConfig = Field(default_factory=OrderBankConfig)
    costs: CostsConfig = Field(default_factory=CostsConfig)
    kpis: KpisConfig = Field(default_factory=KpisConfig)
    calibration: CalibrationConfig = Field(default_factory=CalibrationConfig)
    generations: GenerationsConfig = Field(default_factory=GenerationsConfig)

    @model_validator(mode="after")
    def _references_resolve(self) -> Self:
        if not self.products:
            raise ValueError("products: at least one product is needed")
        if sum(p.demand_rate for p in self.products.values()) <= 0:
            raise ValueError("products: the demand rates add up to 0; at least one must be > 0")
        for name, prod in self.products.items():
            uses_ato = prod.strategy == "ato" or (
                prod.tail_share > 0 and prod.tail_strategy == "ato"
            )
            if uses_ato and not prod.components:
                raise ValueError(
                    f"products.{name}.components: an assemble-to-order product needs components"
                )
            for comp in prod.components:
                if comp not in self.components:
                    raise ValueError(
                        f"products.{name}.components: unknown component {comp!r} "
                        f"(known: {sorted(self.components)})"
                    )
        if adaptive(self.fulfillment) and self.dealers.policy == "order_up_to":
            raise ValueError(
                f"fulfillment.policy: {self.fulfillment.policy!r} switches variants between "
                "strategies, which needs dealers.policy 'base_stock' or 'ss' (not 'order_up_to')"
            )
        names = self.supplier_names()
        for cname, comp in self.components.items():
            if comp.supplier is not None and comp.supplier not in names:
                raise ValueError(
                    f"components.{cname}.supplier: unknown supplier {comp.supplier!r} "
                    f"(known: {names})"
                )
        return self

    def supplier_names(self) -> list[str]:
        """Names of the suppliers: those under ``[suppliers]``, else one called ``supplier``."""
        return list(self.suppliers) or ["supplier"]

    def supplier_config(self, name: str) -> SupplierConfig:
        """The full settings of supplier ``name``: its overrides on top of ``[supplier]``."""
        override = self.suppliers.get(name)
        if override is None:
            return self.supplier
        values = self.supplier.model_dump()
        values.update(override.model_dump(exclude_none=True))
        return SupplierConfig(**values)

    def offered_load(self) -> float:
        """Mean production work per unit of plant capacity (rho), bulk orders included."""
        units_per_day = sum(p.demand_rate for p in self.products.values())
        units_per_day += sum(i.rate * i.size_mean for i in self.intermediaries.values())
        m = self.manufacturer
        return units_per_day / (m.lines * m.service_rate)
