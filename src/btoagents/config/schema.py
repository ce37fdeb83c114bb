"""The scenario schema: every key a scenario TOML may hold, its unit, default and bounds.

Pydantic models with ``extra="forbid"`` so that a misspelt key is an error, not a silent
default, and strict types: a number key refuses ``true``/``false`` and an integer key a
decimal. Units: time in days, rates in units (or orders) per day, money in currency units.
Every value that drives memory or run time has an upper bound from
:mod:`btoagents.config.limits` (stated in its description).
"""

from __future__ import annotations

import math
from typing import Any, Literal, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from btoagents.config.calibration_schema import CalibrationConfig
from btoagents.config.generations import GenerationsConfig
from btoagents.config.limits import (
    MAX_CUSTOMERS,
    MAX_DAYS,
    MAX_DEALERS,
    MAX_FACTOR,
    MAX_FORECAST_WINDOW,
    MAX_HORIZON_DAYS,
    MAX_MONEY,
    MAX_RATE_PER_DAY,
    MAX_REPLICATIONS,
    MAX_SEED,
    MAX_SERVERS,
    MAX_UNITS,
    MAX_VARIANTS,
    MIN_CV,
    MIN_LIFE_CYCLE_DAYS,
    MIN_PERIOD_DAYS,
)
from btoagents.config.order_bank import OrderBankConfig
from btoagents.config.plugin_choice import plugin_choice
from btoagents.config.policy_schema import (
    AGENT_DESCRIPTION,
    AGENT_PARAMS_DESCRIPTION,
    CapacityConfig,
    DemandManagementConfig,
    FulfillmentConfig,
    adaptive,
)
from btoagents.config.section import Number, Section

StrategyLabel = Literal["bts", "ato", "bto", "eto"]  # vocabulary.Strategy labels
ServiceDistribution = Literal["exponential", "deterministic", "gamma", "lognormal"]
StockPolicy = Literal["base_stock", "ss"]
ReplenishPolicy = Literal["base_stock", "ss", "order_up_to"]
Discipline = Literal["fcfs", "bto_priority", "bto_preemptive"]


class SimulationConfig(Section):
    """Clock and replication settings."""

    horizon: float = Field(
        365.0,
        gt=0,
        le=MAX_HORIZON_DAYS,
        description=f"simulated days per replication, at most {MAX_HORIZON_DAYS:,.0f}",
    )
    warmup: float = Field(30.0, ge=0, description="days cut from the start before KPIs count")
    replications: int = Field(
        10,
        ge=1,
        le=MAX_REPLICATIONS,
        description=f"independent replications, at most {MAX_REPLICATIONS:,}",
    )
    seed: int = Field(
        12345, ge=0, le=MAX_SEED, description="root seed of every random stream, below 2^64"
    )
    trace: bool = Field(False, description="record every final-customer order arrival")
    sample_every: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description=f"days between time-series samples (0: no time series), else at least "
        f"{MIN_PERIOD_DAYS}",
    )
    drain: bool = Field(
        True,
        description="after the horizon, run on until the window's orders are delivered, "
        "so their lead times are not censored",
    )
    drain_limit: float | None = Field(
        None,
        gt=0,
        le=MAX_HORIZON_DAYS,
        description="at most this many days of drain (default: the window length)",
    )

    @model_validator(mode="after")
    def _warmup_inside_horizon(self) -> Self:
        if 0 < self.sample_every < MIN_PERIOD_DAYS:
            raise ValueError(
                f"sample_every ({self.sample_every}) must be 0 (no time series) or at least "
                f"{MIN_PERIOD_DAYS} days"
            )
        if self.warmup >= self.horizon:
            raise ValueError(
                f"warmup ({self.warmup}) must be shorter than horizon ({self.horizon})"
            )
        return self


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


class IntermediaryConfig(Section):
    """A bulk buyer (national sales company, fleet): its orders are not final-customer orders."""

    rate: float = Field(0.0, ge=0, le=MAX_RATE_PER_DAY, description="bulk orders per day")
    size_mean: float = Field(10.0, ge=1, le=MAX_UNITS, description="mean units per bulk order")
    price_factor: float = Field(0.85, gt=0, le=1, description="share of list price paid")


class CostsConfig(Section):
    """Cost rates that turn flows into money."""

    holding_rate: float = Field(
        0.07, ge=0, le=MAX_FACTOR, description="per year, share of unit cost"
    )
    backorder_cost: float = Field(
        0.0, ge=0, le=MAX_MONEY, description="per open final-customer order-day"
    )
    lost_sale_cost: float = Field(0.0, ge=0, le=MAX_MONEY, description="goodwill per lost sale")


class KpisConfig(Section):
    """KPI settings, and the KPI plugins that add their own KPIs to every run's record.

    ``plugins`` lists KPI plugins (registered names or import paths
    ``"package.module:Name"``); the parameters of each go in the table
    ``params.<short name>``, the short name being the class name of an import path
    (``StockTurns`` for ``"examples.custom_kpi:StockTurns"``) or the registered name (see
    :mod:`btoagents.kpis.plugin`).
    """

    lead_time_target: float = Field(14.0, gt=0, le=MAX_DAYS, description="days counted as on time")
    bullwhip_bucket: float | None = Field(
        None,
        ge=MIN_PERIOD_DAYS,
        le=MAX_DAYS,
        description=(
            "days per bucket in which the bullwhip KPIs count demand and orders (default: "
            "forecast.review_period, what the theory of Chen et al. 2000 compares; 7 in the "
            "realistic presets, a weekly bucket: Fransoo and Wouters, 'Measuring the "
            "bullwhip effect in the supply chain', Supply Chain Management 5(2), 2000)"
        ),
    )
    utilization_period: float = Field(
        7.0,
        ge=MIN_PERIOD_DAYS,
        le=MAX_DAYS,
        description="days per period of the utilization_sd KPI",
    )
    plugins: list[str] = Field(
        default_factory=list,
        description="KPI plugins: registered names or import paths 'package.module:Name'",
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="per KPI plugin (by short name), the table of its parameters",
    )

    @field_validator("plugins", mode="before")
    @classmethod
    def _one_plugin(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v  # one plugin may be named without a list

    @field_validator("plugins")
    @classmethod
    def _known_plugins(cls, v: list[str]) -> list[str]:
        from btoagents.kpis.plugin import check_plugins

        check_plugins(v)
        return v

    @field_validator("params")
    @classmethod
    def _plugin_params(cls, v: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        from btoagents.kpis.plugin import check_params

        specs = info.data.get("plugins")
        if specs is not None:
            check_params(specs, v)
        return v


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
