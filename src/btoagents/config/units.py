"""The unit of every numeric scenario key, for the scenario reference.

Keys are written as ``--set`` writes them, with ``NAME`` for a name the scenario chooses (a
product, a supplier, a component, an intermediary) and ``[]`` for a key of each table of a
list (``dealers.markdown[].discount``). The vocabulary is the KPI glossary's: ``days``,
``units``, ``orders``, ``currency`` (per unit unless said), ``share`` (a fraction in
[0, 1]) and ``-`` for a pure number (a count, a factor, a seed). Time is in days, rates per
day, money in currency units, as :mod:`btoagents.config.schema` says. A test fails when a
numeric key of the schema has no entry here, or an entry names no key.
"""

from __future__ import annotations

DAYS = "days"
SHARE = "share"
PURE = "-"
CURRENCY = "currency/unit"

#: unit by key; every numeric key of the scenario schema has one
UNITS: dict[str, str] = {
    # [simulation]
    "simulation.horizon": DAYS,
    "simulation.warmup": DAYS,
    "simulation.replications": "replications",
    "simulation.seed": PURE,
    "simulation.sample_every": DAYS,
    "simulation.drain_limit": DAYS,
    # [demand]
    "demand.amplitude": SHARE,
    "demand.period": DAYS,
    "demand.peak_day": "day of the cycle",
    "demand.shift_day": "day",
    # [products.NAME]
    "products.NAME.demand_rate": "orders/day",
    "products.NAME.variants": "variants",
    "products.NAME.zipf_exponent": PURE,
    "products.NAME.base_stock": "units per variant",
    "products.NAME.reorder_point": "units per variant",
    "products.NAME.tail_share": SHARE,
    "products.NAME.price": CURRENCY,
    "products.NAME.unit_cost": CURRENCY,
    "products.NAME.salvage_value": CURRENCY,
    "products.NAME.life_cycle": DAYS,
    "products.NAME.release_days": DAYS,
    "products.NAME.engineering_days": DAYS,
    # [customers]
    "customers.count": "customers",
    "customers.patience": DAYS,
    "customers.switch_discount": "share of list price",
    "customers.loyalty": "probability",
    "customers.late_rate_penalty": "share per late delivery",
    "customers.late_patience_penalty": "share per late delivery",
    "customers.recovery": "share per on-time delivery",
    "customers.late_tolerance": DAYS,
    "customers.reputation_half_life": DAYS,
    "customers.reputation_sensitivity": SHARE,
    "customers.purchase_cycle": DAYS,
    "customers.waiting_cost": "share of list price per day",
    # [dealers]
    "dealers.count": "dealers",
    "dealers.days_of_supply": "days of sales",
    "dealers.reorder_days": "days of sales",
    "dealers.transport_time": DAYS,
    "dealers.markdown[].after_days": DAYS,
    "dealers.markdown[].discount": "share of list price",
    "dealers.regions": "regions",
    "dealers.trade_days": DAYS,
    "dealers.trade_cost": CURRENCY,
    # [manufacturer]
    "manufacturer.lines": "lines",
    "manufacturer.service_rate": "units/day per line",
    "manufacturer.service_cv": PURE,
    "manufacturer.overtime_lines": "lines",
    "manufacturer.overtime_threshold": "waiting jobs",
    "manufacturer.overtime_cost": "currency per line-day",
    "manufacturer.line_cost": "currency per line-day",
    "manufacturer.overtime_premium": "share of line_cost",
    # [supplier] and [suppliers.NAME]
    **{
        f"{table}.{key}": unit
        for table in ("supplier", "suppliers.NAME")
        for key, unit in {
            "servers": "servers",
            "service_rate": "components/day per server",
            "service_cv": PURE,
            "base_stock": "components",
            "reorder_point": "components",
            "lead_time": DAYS,
            "lead_time_cv": PURE,
        }.items()
    },
    # [components.NAME]
    "components.NAME.unit_cost": "currency/component",
    "components.NAME.plant_base_stock": "components",
    "components.NAME.plant_reorder_point": "components",
    # [forecast]
    "forecast.window": "review periods",
    "forecast.alpha": PURE,
    "forecast.review_period": DAYS,
    "forecast.safety_stock": "units",
    "forecast.safety_factor": "standard deviations",
    "forecast.error_alpha": PURE,
    "forecast.floor_share": SHARE,
    "forecast.dealer_plant_days": DAYS,
    # [intermediaries.NAME]
    "intermediaries.NAME.rate": "orders/day",
    "intermediaries.NAME.size_mean": "units per order",
    "intermediaries.NAME.price_factor": "share of list price",
    # [fulfillment]
    "fulfillment.review_period": DAYS,
    "fulfillment.window": DAYS,
    "fulfillment.bucket_days": DAYS,
    "fulfillment.hold_days": DAYS,
    "fulfillment.cover_days": "days of sales",
    "fulfillment.classification.runner_rate": "orders/day",
    "fulfillment.classification.runner_cv": PURE,
    "fulfillment.classification.stranger_rate": "orders/day",
    "fulfillment.classification.stranger_cv": PURE,
    "fulfillment.cost.hysteresis": SHARE,
    "fulfillment.bandit.cover_days": "days of sales",
    "fulfillment.bandit.epsilon": "probability",
    "fulfillment.bandit.decay": "factor per review",
    "fulfillment.bandit.min_epsilon": "probability",
    "fulfillment.postponement.min_commonality": "variants",
    "fulfillment.postponement.service_z": "standard deviations",
    # [capacity]
    "capacity.review_period": DAYS,
    "capacity.max_overtime_lines": "lines",
    "capacity.target_utilization": SHARE,
    # [demand_management]
    "demand_management.quote_margin": DAYS,
    "demand_management.quote_factor": PURE,
    "demand_management.promise": DAYS,
    "demand_management.defer_days": DAYS,
    "demand_management.max_defers": "retries",
    "demand_management.stock_discount": "share of list price",
    "demand_management.incentive_after": DAYS,
    "demand_management.slot_days": DAYS,
    "demand_management.slot_fill": SHARE,
    "demand_management.slot_discount": "share of list price",
    "demand_management.slot_extra_days": DAYS,
    # [order_bank]
    "order_bank.slot_days": DAYS,
    "order_bank.capacity": "units per slot",
    "order_bank.load_factor": SHARE,
    "order_bank.customer_share": SHARE,
    # [costs]
    "costs.holding_rate": "share of unit cost per year",
    "costs.backorder_cost": "currency per order-day",
    "costs.lost_sale_cost": "currency per lost sale",
    # [kpis]
    "kpis.lead_time_target": DAYS,
    "kpis.bullwhip_bucket": DAYS,
    "kpis.utilization_period": DAYS,
    # [calibration]
    "calibration.replications": "replications",
    "calibration.patterns[].low": "the KPI's unit",
    "calibration.patterns[].high": "the KPI's unit",
    # [generations]
    "generations.run_out_days": DAYS,
    "generations.run_out_discounts": "share of list price",
    "generations.ramp_up_days": DAYS,
}


def unit_of(path: str) -> str:
    """The unit of the scenario key ``path`` (``""`` when none is recorded)."""
    return UNITS.get(path, "")
