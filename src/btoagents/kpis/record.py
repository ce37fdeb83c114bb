"""The per-run KPI record: what the accumulators mean at the end of the window.

:func:`window_kpis` turns the time averages, money and counts into KPIs over the window
[warmup, now] (frozen by the model when the window closes at the horizon);
:func:`kpi_record` adds the order KPIs of the orders that arrived in the window (fill rate,
lead times, on-time and lost-sales rates, quote accuracy) and the per-family and
per-strategy breakdowns. Names and units: :mod:`btoagents.kpis.catalogue`.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from btoagents.kpis.catalogue import BULLWHIP_STAGES, echeloned
from btoagents.vocabulary import Strategy

if TYPE_CHECKING:
    from btoagents.chain import Recorded
    from btoagents.config.schema import Scenario
    from btoagents.kpis.collector import KpiCollector
    from btoagents.products import Catalog


def kpi_record(kpi: KpiCollector, catalog: Catalog, window: dict[str, float]) -> dict[str, float]:
    """The KPI record of a run: ``window`` (from :func:`window_kpis`) plus order KPIs.

    Order KPIs (fill rate, lead times, on-time and lost-sales rates) cover the orders that
    arrived in the window [warmup, horizon]. With more than one family each order KPI is
    repeated per family (``name[family]``); when orders of more than one strategy arrived,
    per strategy (``name[bts]``...).
    """
    out = dict(window)
    out.update(kpi.total.kpis())
    out.update(kpi.quotes.kpis())
    if len(catalog.families) > 1:
        for i, fam in enumerate(catalog.families):
            for name, value in kpi.by_family[i].kpis().items():
                out[f"{name}[{fam}]"] = value
    used = [s for s, g in enumerate(kpi.by_strategy) if g.arrived > 0]
    if len(used) > 1:
        for s in used:
            for name, value in kpi.by_strategy[s].kpis().items():
                out[f"{name}[{Strategy(s).label}]"] = value
    return out


def window_kpis(model: Recorded) -> dict[str, float]:
    """Time averages, money per day and counts over the window [warmup, now]."""
    k = model.kpi
    now = model.cal.now
    days = now - model.warmup
    f = k.flows
    scn = model.cfg
    wc = model.plant.workcenter
    out: dict[str, float] = {}
    out["fg_inventory"] = k.fg_inventory_mean(now)
    out["backorders"] = k.backlog.mean(now)
    out["utilization"] = wc.busy.mean(now) / wc.lines
    # all variants of a family share its unit cost: stock value = sum of cost x units
    fg_value = sum(
        p.unit_cost * acc.mean(now)
        for p, acc in zip(scn.products.values(), k.fg_by_family, strict=True)
    )
    # what the chain owns (Zipkin, "Foundations of Inventory Management", McGraw-Hill 2000:
    # echelon and pipeline stock): finished units at the plant and the dealers, the plant's
    # components and finished units in transit to the dealers; not the suppliers' stock
    rate = scn.costs.holding_rate / 365.0
    plant_comp = k.plant_comp_value.mean(now)
    pipeline = k.pipeline_value.mean(now)
    dealer_value = k.dealer_value.mean(now)
    holding = rate * (fg_value + plant_comp + pipeline)
    overtime = scn.manufacturer.overtime_cost * wc.busy_overtime.mean(now)
    out["discount_cost"] = f.discount / days
    out["holding_cost"] = holding
    if echeloned(scn):
        out["holding_cost[dealers]"] = rate * dealer_value
        out["holding_cost[plant]"] = rate * (fg_value - dealer_value)
        out["holding_cost[components]"] = rate * plant_comp
        out["holding_cost[pipeline]"] = rate * pipeline
    if scn.components:
        out["supplier_holding_cost"] = rate * (k.comp_value.mean(now) - plant_comp)
    out["obsolescence_cost"] = f.obsolescence / days
    out["revenue"] = f.revenue / days
    out["overtime_cost"] = overtime
    out["capacity_cost"] = capacity_cost(scn, wc.lines, wc.busy_overtime.mean(now))
    penalties = scn.costs.backorder_cost * out["backorders"] + (
        scn.costs.lost_sale_cost * f.lost_sales / days
    )
    pool = model.pool
    trades = pool.cost / days if pool is not None else 0.0  # dealer trades (pooling)
    out["profit"] = (
        out["revenue"]
        - out["discount_cost"]
        - f.cogs / days
        - holding
        - out["obsolescence_cost"]
        - overtime
        - penalties
        - out["capacity_cost"]
        - trades
    )
    out["bullwhip"] = bullwhip(k, now)
    stage_values = {s: k.bullwhip(s, now) for s in BULLWHIP_STAGES}
    if sum(not math.isnan(v) for v in stage_values.values()) > 1:
        for stage, value in stage_values.items():
            out[f"bullwhip[{stage}]"] = value
    if any(st.eol_seen for st in k.stages.values()):  # a generation ended
        for stage in BULLWHIP_STAGES:
            out[f"bullwhip_eol[{stage}]"] = k.bullwhip(stage, now, eol=True)
    out["orders_per_day"] = k.total.arrived / days
    out["dealer_inventory"] = k.dealer_units.mean(now)
    out["component_inventory"] = k.comp_units.mean(now)
    out["orders_awaiting_components"] = k.awaiting.mean(now)
    out["component_fill_rate"] = (
        f.component_from_stock / f.component_requests if f.component_requests else math.nan
    )
    busy = sum(s.workcenter.busy.mean(now) for s in model.suppliers)
    servers = sum(s.workcenter.lines for s in model.suppliers)
    out["supplier_utilization"] = busy / servers
    out["bulk_orders"] = f.bulk_orders / days
    out["bulk_units"] = f.bulk_units / days
    out["bulk_lead_time_mean"] = f.bulk_lead_sum / f.bulk_done if f.bulk_done else math.nan
    out["restock_orders"] = f.restock_orders / days
    util = model.utilization_periods
    out["utilization_sd"] = math.sqrt(util.variance) if util.n > 1 else math.nan
    arrived = k.total.arrived
    out["rejected_rate"] = f.rejected / arrived if arrived else math.nan
    out["deferred_rate"] = f.deferred / arrived if arrived else math.nan
    out["incentive_rate"] = (f.incentives + f.slot_discounts) / arrived if arrived else math.nan
    out["switches"] = f.switches / days * 365.0
    catalog = model.catalog
    out["bts_share"] = model.bts_variants.mean(now) / len(catalog)
    if pool is not None:  # POOLING_KPIS, reported with dealers.pooling
        out["transfer_rate"] = pool.trades / arrived if arrived else math.nan
        out["transfer_cost"] = trades
    if len(catalog.families) > 1:
        for i, fam in enumerate(catalog.families):
            out[f"fg_inventory[{fam}]"] = k.fg_by_family[i].mean(now)
            out[f"backorders[{fam}]"] = k.backlog_by_family[i].mean(now)
    return out


def capacity_cost(scn: Scenario, lines: int, overtime_lines: float) -> float:
    """Cost of capacity per day (currency/day): every regular line costs
    ``manufacturer.line_cost`` a day, busy or not, and a busy overtime line
    ``line_cost x (1 + overtime_premium)`` (``overtime_lines``: time-average busy overtime
    lines). ``manufacturer.overtime_cost`` stays a separate KPI on top."""
    m = scn.manufacturer
    return m.line_cost * (lines + overtime_lines * (1.0 + m.overtime_premium))


def bullwhip(kpi: KpiCollector, now: float) -> float:
    """Bullwhip of the most downstream ordering stage that saw demand (dealers, plant,
    then the plant's component stock); NaN when none did."""
    for stage in BULLWHIP_STAGES:
        value = kpi.bullwhip(stage, now)
        if not math.isnan(value):
            return value
    return math.nan


def dealer_days_of_supply(record: dict[str, float]) -> float:
    """Days of supply at the dealers (:data:`~btoagents.kpis.catalogue.DEALER_KPIS`): the
    time-average dealer stock over the units sold from stock per day (orders_per_day x
    stock_service_share); NaN when none were."""
    sold = record["orders_per_day"] * record["stock_service_share"]
    return record["dealer_inventory"] / sold if sold > 0 else math.nan
