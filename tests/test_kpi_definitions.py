"""Each KPI's definition on a hand-computed tiny case.

Counts are driven through the model's own counting calls (an order arrives, is lost, is
delivered from stock or after waiting) or straight into the collector, so every expected
value below is worked out by hand from the definitions of :data:`btoagents.kpis.KPI_TABLE`.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest
from rich.console import Console

from btoagents.config import load_scenario
from btoagents.kpis import KpiCollector
from btoagents.kpis.record import kpi_record
from btoagents.model import SupplyChainModel
from btoagents.records import Order
from btoagents.replications import simulate_one
from btoagents.report import print_summary

STANDARD, CUSTOM = 0, 1  # hybrid-mts-mto: variant 0 built to stock, variant 1 to order


def arrive(model: SupplyChainModel, variant: int) -> Order:
    order = Order(variant, model.cal.now)
    model.order_arrived(order)
    return order


def waited(model: SupplyChainModel, order: Order, quoted: float, at: float) -> None:
    """``order`` is accepted with a quote of ``quoted`` days and delivered at day ``at``."""
    order.quoted = quoted
    model._open(order, 1)
    model.cal.now = at
    model._deliver(order, 0.0, False)


@pytest.fixture
def hybrid() -> SupplyChainModel:
    return SupplyChainModel(load_scenario("hybrid-mts-mto"), seed=1)


def test_fill_rate_counts_only_stocked_demand_and_the_share_counts_every_order(hybrid):
    m = hybrid
    # stocked demand: 4 orders, 3 served from stock at once, 1 lost
    for _ in range(3):
        m._deliver(arrive(m, STANDARD), 0.0, True)
    m.order_lost(arrive(m, STANDARD))
    # built to order: 1 takes a unit left in stock, 1 waits 10 days on an 8-day quote
    m._deliver(arrive(m, CUSTOM), 0.0, True)
    waited(m, arrive(m, CUSTOM), quoted=8.0, at=10.0)
    k = kpi_record(m.kpi, m.catalog, {})
    assert k["fill_rate"] == 3 / 4  # stocked orders from stock / stocked orders
    assert k["stock_service_share"] == 4 / 6  # every order from stock / every order
    assert k["fill_rate[bts]"] == k["fill_rate[standard]"] == 3 / 4
    assert math.isnan(k["fill_rate[bto]"]) and math.isnan(k["fill_rate[custom]"])
    assert k["stock_service_share[bto]"] == 1 / 2
    assert k["lost_sales_rate"] == 1 / 6


def test_on_time_to_target_and_to_quote_are_distinct(hybrid):
    m = hybrid  # kpis.lead_time_target = 5 days
    m._deliver(arrive(m, STANDARD), 0.0, True)  # lead 0: on time both ways
    waited(m, arrive(m, CUSTOM), quoted=8.0, at=4.0)  # lead 4: within 5 and the quote
    m.cal.now = 0.0
    waited(m, arrive(m, CUSTOM), quoted=12.0, at=10.0)  # lead 10: late to target, in quote
    m.cal.now = 0.0
    waited(m, arrive(m, CUSTOM), quoted=8.0, at=9.5)  # lead 9.5: late both ways
    k = kpi_record(m.kpi, m.catalog, {})
    assert k["on_time_rate"] == 2 / 4
    assert k["on_time_to_quote"] == 3 / 4
    assert k["quote_reliability"] == 2 / 3  # only the orders that waited, no tolerance
    assert k["quote_error_mean"] == pytest.approx(((4 - 8) + (10 - 12) + (9.5 - 8)) / 3)


def test_on_time_to_quote_allows_the_customers_tolerance():
    m = SupplyChainModel(load_scenario("hybrid-mts-mto"), seed=1)
    m.kpi.tolerance = 2.0  # customers.late_tolerance (days)
    waited(m, arrive(m, CUSTOM), quoted=8.0, at=9.5)  # 1.5 days late: within tolerance
    m.cal.now = 0.0
    waited(m, arrive(m, CUSTOM), quoted=8.0, at=10.5)  # 2.5 days late: late
    k = kpi_record(m.kpi, m.catalog, {})
    assert k["on_time_to_quote"] == 1 / 2
    assert k["quote_reliability"] == 0.0


def weekly() -> KpiCollector:
    """Three weekly buckets of the dealer stage: demand 3, 5, 1 and orders 3, 3, 0, plus an
    end-of-life event in week 2 (day 8) that adds 2 units of demand and 6 of orders."""
    kpi = KpiCollector(["f"], 14.0)
    st = kpi.stage("dealers", 7.0, 0.0)
    for day, demand, orders in ((1.0, 3, 3), (8.0, 5, 3), (15.0, 1, 0)):
        st.roll(day)
        st.demand += demand
        st.orders += orders
    marks = kpi.eol_mark(8.0)
    st.demand += 2
    st.orders += 6
    kpi.eol_move(marks)
    return kpi


def test_bullwhip_is_counted_per_bucket_without_end_of_life_orders():
    kpi = weekly()
    # Var(3, 3, 0) = 3 and Var(3, 5, 1) = 4 (sample variances)
    assert kpi.bullwhip("dealers", 21.0) == pytest.approx(3 / 4)
    # with the event: Var(3, 9, 0) = 21 and Var(3, 7, 1) = 28/3
    assert kpi.bullwhip("dealers", 21.0, eol=True) == pytest.approx(21 / (28 / 3))


def test_the_bullwhip_bucket_defaults_to_the_review_period():
    default = SupplyChainModel(load_scenario("bullwhip"), seed=1)
    assert default.kpi.stages["components"].length == 1.0  # forecast.review_period
    weekly_model = SupplyChainModel(load_scenario("bullwhip", ["kpis.bullwhip_bucket=7"]), seed=1)
    assert weekly_model.kpi.stages["components"].length == 7.0


QUIET = [  # dealer-network with (almost) no demand: stock only moves when the test moves it
    "simulation.horizon=100",
    "simulation.warmup=0",
    "products.compact.demand_rate=1e-9",
    "products.suv.demand_rate=1e-9",
    "products.van.demand_rate=1e-9",
    "products.compact.life_cycle=100000",
    "products.suv.life_cycle=100000",
    "products.van.life_cycle=100000",
    "intermediaries.fleet.rate=0",
]


def value(sp, costs) -> float:
    return sum(n * c for n, c in zip(sp.on_hand, costs, strict=True))


def test_holding_cost_counts_what_the_chain_owns_by_echelon():
    scn = load_scenario("dealer-network", QUIET)
    m = SupplyChainModel(scn, seed=1)
    rate = scn.costs.holding_rate / 365.0
    unit = m.unit_cost
    comp_costs = [c.unit_cost for c in scn.components.values()]
    dealers0 = sum(value(d.stock, unit) for d in m.dealers)
    plant_comps = value(m.plant.components, comp_costs)
    suppliers = sum(value(s.stock, comp_costs) for s in m.suppliers)
    # one unit sold at dealer 0 at day 0: it reorders one unit, 10 days in transit
    dealer = m.dealers[0]
    v = next(i for i, n in enumerate(dealer.stock.on_hand) if n > 0)
    m.sell_from_stock(arrive(m, v), dealer.stock, v)
    k = m.run()
    transit = unit[v] * scn.dealers.transport_time / 100.0  # value-days per day
    assert k["holding_cost[dealers]"] == pytest.approx(rate * (dealers0 - transit), rel=1e-12)
    assert k["holding_cost[pipeline]"] == pytest.approx(rate * transit, rel=1e-12)
    assert k["holding_cost[components]"] == pytest.approx(rate * plant_comps, rel=1e-12)
    assert k["supplier_holding_cost"] == pytest.approx(rate * suppliers, rel=1e-12)
    parts = sum(k[f"holding_cost[{e}]"] for e in ("dealers", "plant", "components", "pipeline"))
    assert k["holding_cost"] == pytest.approx(parts, rel=1e-12)
    assert suppliers > 0  # the suppliers' stock is there, and left out of holding_cost


def test_the_breakdown_table_shows_bracketed_names():
    summary = pd.DataFrame(
        {"mean": [0.5, 0.9], "ci_low": [0.4, 0.8], "ci_high": [0.6, 1.0], "sd": [0.1, 0.1]},
        index=["fill_rate", "fill_rate[compact]"],
    )
    console = Console(record=True, width=120)
    print_summary("t", summary, breakdown=True, console=console)
    text = console.export_text()
    assert "fill_rate[compact]" in text
    assert "[0.4, 0.6]" in text


def test_dealer_days_of_supply_is_lot_stock_over_units_sold_from_stock_per_day():
    from btoagents.kpis.record import dealer_days_of_supply

    # 600 units on the lots on average; 40 orders a day, 25% served from stock: 10 a day
    record = {"dealer_inventory": 600.0, "orders_per_day": 40.0, "stock_service_share": 0.25}
    assert dealer_days_of_supply(record) == 60.0
    assert math.isnan(dealer_days_of_supply({**record, "stock_service_share": 0.0}))
    scn = load_scenario("dealer-network", ["simulation.horizon=150", "simulation.warmup=30"])
    k = simulate_one(scn, 1)
    assert k["dealer_days_of_supply"] == pytest.approx(
        k["dealer_inventory"] / (k["orders_per_day"] * k["stock_service_share"]), rel=1e-12
    )
