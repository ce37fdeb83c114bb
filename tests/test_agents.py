"""Each agent's behaviour, on small hand-built chains."""

from __future__ import annotations

import math

import pytest

from btoagents.agents import FinalCustomer
from builders import quiet

INF = math.inf


def first_customer(m) -> FinalCustomer:
    return m.customers[0]


# -- final customers ---------------------------------------------------------------------


def test_customer_buys_exact_variant_from_stock_and_the_plant_rebuilds_it(make_model):
    m = make_model()
    first_customer(m).purchase(0)
    assert m.manufacturer.finished.on_hand[0] == 1
    assert m.kpi.total.from_stock == 1 and m.kpi.total.delivered == 1
    assert len(m.manufacturer.workcenter.jobs()) == 1  # base stock: one job per sale


def family_with_dealer(switch, markdown_after=10.0, discount=0.2):
    return {
        "products": {
            "standard": {"strategy": "bts", "demand_rate": 0.6, "variants": 3, "price": 100.0}
        },
        "dealers": {
            "count": 1,
            "days_of_supply": 5.0,
            "transport_time": 5.0,
            "markdown": [{"after_days": markdown_after, "discount": discount}],
        },
        "customers": {"substitution": True, "switch_discount": [switch, switch], "count": 5},
    }


def test_customer_switches_to_a_marked_down_near_variant_when_the_discount_is_enough(make_model):
    m = make_model(family_with_dealer(switch=0.1))
    lot = m.dealers[0].stock
    lot.remove(0, lot.on_hand[0])
    m.cal.now = 20.0  # units on the lot are 20 days old: 20% off
    before = lot.on_hand[1]
    first_customer(m).purchase(0)
    assert lot.on_hand[1] == before - 1
    assert m.kpi.total.from_stock == 1
    assert m.kpi.flows.discount == pytest.approx(20.0)


def test_customer_does_not_switch_when_the_markdown_is_below_its_price_sensitivity(make_model):
    m = make_model(family_with_dealer(switch=0.3))
    lot = m.dealers[0].stock
    lot.remove(0, lot.on_hand[0])
    m.cal.now = 20.0
    before = lot.on_hand[1]
    first_customer(m).purchase(0)
    assert lot.on_hand[1] == before
    assert m.kpi.total.from_stock == 0
    assert len(lot.waiting[0]) == 1  # infinite patience: it waits for its exact variant


def bto_with_patience(patience):
    return {
        "products": {"standard": {"strategy": "bto", "demand_rate": 0.5}},
        "customers": {"patience": patience, "count": 3},
    }


def test_customer_orders_to_build_when_the_quote_is_within_patience(make_model):
    m = make_model(bto_with_patience(2.0))
    first_customer(m).purchase(0)
    assert m.open_final == 1 and m.lost_final == 0
    assert m.manufacturer.workcenter.jobs()[0].order.quoted == pytest.approx(1.0)


def test_customer_walks_away_when_the_quote_exceeds_patience(make_model):
    m = make_model(bto_with_patience(2.0))
    for _ in range(5):
        m.manufacturer.produce_stock(0, 1, m.manufacturer.finished)
    first_customer(m).purchase(0)
    assert m.lost_final == 1 and m.open_final == 0
    assert m.kpi.total.lost == 1


def test_late_delivery_lowers_purchase_rate_and_patience_and_on_time_restores(make_model):
    m = make_model({"customers": {"patience": 10.0, "memory": True, "recovery": 0.05}})
    c = first_customer(m)
    c.delivered(late=True)
    assert c.multiplier == pytest.approx(0.9)
    assert c.patience == pytest.approx(9.0)
    c.delivered(late=False)
    assert c.multiplier == pytest.approx(0.95)
    assert c.patience == pytest.approx(9.0 + 0.05 * 1.0)


def test_memory_makes_late_deliveries_thin_future_demand(make_model):
    slow = {
        "simulation": {"horizon": 400.0},
        "products": {"standard": {"strategy": "bto", "demand_rate": 0.9}},
        "customers": {"memory": True, "late_rate_penalty": 0.5, "count": 50},
        "manufacturer": {"service_rate": 1.0, "service_distribution": "exponential"},
    }
    forgetful = make_model({**slow, "customers": {"memory": False, "count": 50}}, trace=True)
    remembering = make_model(slow, trace=True)
    forgetful.run()
    remembering.run()
    assert len(remembering.trace) < 0.8 * len(forgetful.trace)


# -- dealers -----------------------------------------------------------------------------


def dealer_chain(**dealers):
    return {
        "products": {"standard": {"strategy": "bts", "demand_rate": 0.5, "base_stock": 4}},
        "dealers": {"count": 2, "days_of_supply": 10.0, "transport_time": 3.0, **dealers},
        "customers": {"count": 4},
    }


def test_dealer_stocks_its_days_of_supply_at_the_start(make_model):
    m = make_model(dealer_chain())
    # 0.5/day split over 2 dealers, 10 days: ceil(2.5) = 3 units each
    assert [d.stock.on_hand[0] for d in m.dealers] == [3, 3]


def test_dealer_sale_triggers_a_restock_that_arrives_after_transport(make_model):
    m = quiet(make_model(dealer_chain()))
    dealer = first_customer(m).dealer
    first_customer(m).purchase(0)
    assert dealer.stock.on_hand[0] == 2
    assert m.manufacturer.finished.on_hand[0] == 3  # plant shipped one unit
    assert m.in_transit_units == 1
    m.cal.run_until(2.9)
    assert dealer.stock.on_hand[0] == 2
    m.cal.run_until(3.0)
    assert dealer.stock.on_hand[0] == 3


def test_dealer_s_S_policy_waits_for_the_reorder_point(make_model):
    m = make_model(dealer_chain(policy="ss", days_of_supply=20.0, reorder_days=4.0))
    dealer = first_customer(m).dealer
    assert dealer.stock.base[0] == 5 and dealer.stock.reorder[0] == 1
    for k in range(3):
        m.customers[0].purchase(0)
        assert m.kpi.flows.restock_orders == 0, k
    m.customers[0].purchase(0)  # position 1 <= s: one order for 4 units
    assert m.kpi.flows.restock_orders == 1
    assert dealer.stock.on_order[0] == 4


def test_dealer_marks_down_aged_stock_by_its_schedule(make_model):
    extra = dealer_chain(markdown=[{"after_days": 60.0, "discount": 0.05}])
    extra["products"]["standard"]["price"] = 1000.0
    m = make_model(extra)
    m.cal.now = 30.0
    first_customer(m).purchase(0)
    assert m.kpi.flows.discount == 0.0
    m.cal.now = 70.0
    first_customer(m).purchase(0)
    assert m.kpi.flows.discount == pytest.approx(50.0)


def test_dealer_forwards_build_to_order_and_delivers_after_transport(make_model):
    extra = dealer_chain()
    extra["products"]["standard"] = {"strategy": "bto", "demand_rate": 0.5}
    extra["manufacturer"] = {"service_distribution": "deterministic", "service_rate": 1.0}
    m = quiet(make_model(extra))
    first_customer(m).purchase(0)
    assert sum(d.stock.on_hand[0] for d in m.dealers) == 0  # BTO is never stocked
    m.cal.run_until(3.99)
    assert m.delivered_final == 0
    m.cal.run_until(4.0)  # 1 day on the line + 3 days transport
    assert m.delivered_final == 1
    assert m.kpi.total.lead_sum == pytest.approx(4.0)


# -- manufacturer ------------------------------------------------------------------------


def test_engineer_to_order_waits_for_release_and_design_before_the_line(make_model):
    m = quiet(
        make_model(
            {
                "products": {
                    "standard": {
                        "strategy": "eto",
                        "demand_rate": 0.2,
                        "release_days": 2.0,
                        "engineering_days": 5.0,
                        "engineering_distribution": "deterministic",
                    }
                },
                "manufacturer": {"service_distribution": "deterministic"},
            }
        )
    )
    first_customer(m).purchase(0)
    assert m.manufacturer.in_planning == 1 and not m.manufacturer.workcenter.jobs()
    m.cal.run_until(6.99)
    assert not m.manufacturer.workcenter.jobs()
    m.cal.run_until(7.0)
    assert len(m.manufacturer.workcenter.jobs()) == 1
    m.cal.run_until(8.0)
    assert m.delivered_final == 1


def ato_chain(plant_stock=0, supplier_stock=0, lead=0.0):
    return {
        "products": {"standard": {"strategy": "ato", "demand_rate": 0.5, "components": ["part"]}},
        "components": {"part": {"plant_base_stock": plant_stock}},
        "supplier": {
            "base_stock": supplier_stock,
            "lead_time": lead,
            "service_distribution": "deterministic",
            "service_rate": 0.5,
        },
        "manufacturer": {"service_distribution": "deterministic"},
    }


def test_assemble_to_order_waits_for_its_component_then_assembles(make_model):
    m = quiet(make_model(ato_chain()))
    first_customer(m).purchase(0)
    assert m.manufacturer.awaiting_components == 1
    m.cal.run_until(1.99)  # the supplier builds the part in 2 days
    assert not m.manufacturer.workcenter.jobs()
    m.cal.run_until(2.0)
    assert m.manufacturer.awaiting_components == 0
    m.cal.run_until(3.0)
    assert m.delivered_final == 1


def test_assemble_to_order_uses_plant_component_stock_at_once(make_model):
    m = make_model(ato_chain(plant_stock=2))
    first_customer(m).purchase(0)
    assert m.manufacturer.components.on_hand[0] == 1
    assert len(m.manufacturer.workcenter.jobs()) == 1


# -- suppliers ---------------------------------------------------------------------------


def test_supplier_ships_from_stock_after_its_lead_time_and_rebuilds(make_model):
    m = quiet(make_model(ato_chain(supplier_stock=2, lead=4.0)))
    supplier = m.suppliers[0]
    first_customer(m).purchase(0)
    assert supplier.stock.on_hand[0] == 1
    assert len(supplier.workcenter.jobs()) == 1  # base stock: rebuild the shipped unit
    m.cal.run_until(3.99)
    assert m.manufacturer.awaiting_components == 1
    m.cal.run_until(4.0)
    assert m.manufacturer.awaiting_components == 0
    assert m.kpi.flows.component_from_stock == 1


def test_supplier_backorders_first_come_first_served_when_out_of_stock(make_model):
    m = quiet(make_model(ato_chain(supplier_stock=0)))
    for c in m.customers[:3]:
        c.purchase(0)
    waiting = m.suppliers[0].stock.waiting[0]
    assert len(waiting) == 3
    m.cal.run_until(2.0)
    assert len(waiting) == 2
    assert m.kpi.flows.component_from_stock == 0


def test_build_to_order_supplier_holds_no_stock_and_builds_each_request(make_model):
    extra = ato_chain(supplier_stock=5, lead=1.0)
    extra["supplier"]["strategy"] = "bto"  # base_stock 5 is not used
    m = quiet(make_model(extra))
    supplier = m.suppliers[0]
    assert supplier.stock.on_hand[0] == 0 and supplier.stock.base[0] == 0
    first_customer(m).purchase(0)
    assert len(supplier.workcenter.jobs()) == 1  # one unit started for the one request
    m.cal.run_until(2.99)  # 2 days to build, 1 day to the plant
    assert m.manufacturer.awaiting_components == 1
    m.cal.run_until(3.0)
    assert m.manufacturer.awaiting_components == 0
    assert supplier.stock.on_hand[0] == 0 and m.kpi.flows.component_from_stock == 0


def test_a_supplier_override_switches_one_supplier_to_build_to_order(make_model):
    extra = ato_chain(supplier_stock=4)
    extra["suppliers"] = {"a": {"strategy": "bto"}, "b": {}}
    extra["components"]["part"]["supplier"] = "a"
    m = make_model(extra)
    by_name = {s.name: s for s in m.suppliers}
    assert by_name["a"].stock.base == [0] and by_name["b"].stock.base == [0]
    extra["components"]["part"]["supplier"] = "b"
    assert {s.name: s.stock.base for s in make_model(extra).suppliers}["b"] == [4]


# -- intermediaries ----------------------------------------------------------------------


def test_bulk_orders_are_counted_apart_from_final_customers(make_model):
    m = make_model(
        {
            "simulation": {"horizon": 2000.0},
            "products": {"standard": {"strategy": "bto", "demand_rate": 0.1}},
            "intermediaries": {"fleet": {"rate": 0.05, "size_mean": 6.0, "price_factor": 0.8}},
            "manufacturer": {"service_rate": 2.0, "service_distribution": "deterministic"},
        },
        trace=True,
    )
    k = m.run()
    assert m.kpi.total.arrived == len(m.trace)  # only final customers in the KPIs
    # 100 bulk orders expected: Poisson sd 10, so 3 sd is 30%
    assert k["bulk_orders"] == pytest.approx(0.05, rel=0.3)
    # compound Poisson units: var = 100 * E[size^2] = 100 * 66, 3 sd = 41% of 600
    assert k["bulk_units"] == pytest.approx(0.05 * 6.0, rel=0.41)
    # the line's work is the final customers' units plus the bulk units, no more
    work = len(m.trace) / 2000.0 + k["bulk_units"]
    assert k["utilization"] == pytest.approx(work / 2.0, abs=0.01)


# -- life cycle --------------------------------------------------------------------------


def test_end_of_life_writes_stock_off_at_salvage_value(make_model):
    m = make_model(
        {
            "simulation": {"horizon": 10.5},
            "products": {
                "standard": {
                    "strategy": "bts",
                    "demand_rate": 1e-6,
                    "base_stock": 5,
                    "unit_cost": 10.0,
                    "salvage_value": 4.0,
                    "life_cycle": 10.0,
                }
            },
        }
    )
    k = m.run()
    assert m.written_off == 5
    assert k["obsolescence_cost"] == pytest.approx(5 * (10.0 - 4.0) / 10.5)


def test_supplier_s_S_policy_batches_its_production(make_model):
    extra = ato_chain(supplier_stock=6)
    extra["supplier"]["policy"] = "ss"
    extra["supplier"]["reorder_point"] = 2
    m = quiet(make_model(extra))
    supplier = m.suppliers[0]
    for c in m.customers[:3]:
        c.purchase(0)
    assert not supplier.workcenter.jobs()  # position 3 > s = 2
    m.customers[0].purchase(0)
    assert len(supplier.workcenter.jobs()) == 4  # up to S = 6 from position 2


def test_dealer_quote_adds_transport_to_the_plant_estimate(make_model):
    extra = dealer_chain()
    extra["products"]["standard"] = {"strategy": "bto", "demand_rate": 0.5, "release_days": 7.0}
    m = quiet(make_model(extra))
    dealer = m.dealers[0]
    assert dealer.quote(0, 2) == pytest.approx(7.0 + 1.0 + 3.0)
