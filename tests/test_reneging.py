"""Reneging (btoagents.reneging): an accepted order still undelivered when the customer's
patience (or its quote plus the tolerance, if longer) runs out is cancelled; its unit goes
into stock where it arrives; units and orders still balance."""

from __future__ import annotations

import pytest

from btoagents.config import load_scenario
from btoagents.replications import simulate_one
from builders import quiet

# a build-to-order line taking exactly 4 days a unit; quotes are halved (optimistic
# quoting, demand_management.quote_factor), so a customer with 3 days' patience accepts a
# 2-day quote and is still waiting after 3
OPTIMISTIC = {
    "products": {"standard": {"strategy": "bto", "demand_rate": 0.1}},
    "manufacturer": {"service_rate": 0.25, "service_distribution": "deterministic"},
    "customers": {"count": 5, "patience": 3.0, "renege": True},
    "demand_management": {"quote_factor": 0.5},
}


def chain(make_model, tolerance: float = 0.0):
    extra = {**OPTIMISTIC, "customers": {**OPTIMISTIC["customers"], "late_tolerance": tolerance}}
    return quiet(make_model(extra))


@pytest.mark.parametrize(("tolerance", "deadline"), [(0.0, 3.0), (0.5, 3.0), (1.5, 3.5)])
def test_an_order_waiting_past_its_deadline_is_cancelled_and_its_unit_remarketed(
    make_model, tolerance, deadline
):
    m = chain(make_model, tolerance)
    m.customers[0].purchase(0)  # quote 2 days (4 x 0.5), accepted; deadline max(3, 2 + tol)
    assert m.open_final == 1 and m.lost_final == 0
    m.cal.run_until(deadline - 0.01)
    assert m.open_final == 1 and m.reneging.reneged == 0
    m.cal.run_until(deadline)
    assert m.open_final == 0 and m.lost_final == 1 and m.reneging.reneged == 1
    m.check_conservation()  # the cancelled order's unit is still on the line
    m.cal.run_until(4.0)  # built to that order: remarketed at salvage, not put on sale
    assert m.delivered_final == 0 and m.plant.finished.on_hand[0] == 0
    assert m.written_off == 1
    m.check_conservation()


def test_an_order_delivered_before_its_deadline_stands(make_model):
    m = chain(make_model, tolerance=2.5)  # deadline max(3, 2 + 2.5) = 4.5 > delivery at 4
    m.customers[0].purchase(0)
    m.cal.run_until(5.0)
    assert m.delivered_final == 1 and m.lost_final == 0 and m.reneging.reneged == 0
    m.check_conservation()


def test_a_cancelled_order_is_remembered_as_late_service(make_model):
    m = quiet(
        make_model({**OPTIMISTIC, "customers": {**OPTIMISTIC["customers"], "memory": "individual"}})
    )
    c = m.customers[0]
    c.purchase(0)
    m.cal.run_until(3.0)
    assert c.late_deliveries == 1


def test_reneging_in_dealer_network_conserves_and_is_counted_in_lost_sales():
    over = [
        "simulation.horizon=200",
        "simulation.warmup=30",
        "customers.renege=true",
        "customers.late_tolerance=0",
        "demand_management.quote_factor=0.7",
    ]
    k = simulate_one(load_scenario("dealer-network", over), 3)  # the audit runs at the end
    assert 0 < k["renege_rate"] <= k["lost_sales_rate"]
    off = [*over[:2], "customers.renege=false"]
    assert "renege_rate" not in simulate_one(load_scenario("dealer-network", off), 3)


def test_a_cancelled_engineered_to_order_unit_is_written_off_at_salvage(make_model):
    extra = {
        **OPTIMISTIC,
        "products": {
            "standard": {
                "strategy": "eto",
                "demand_rate": 0.1,
                "unit_cost": 0.6,
                "salvage_value": 0.2,
                "engineering_days": 0.0,
            }
        },
    }
    m = quiet(make_model(extra))
    m.customers[0].purchase(0)
    m.cal.run_until(5.0)  # cancelled at 3, built at 4: written off, not put on hand
    assert m.reneging.reneged == 1 and m.written_off == 1
    assert m.plant.finished.on_hand[0] == 0
    assert m.kpi.flows.obsolescence == pytest.approx(0.6 - 0.2)
    m.check_conservation()


def test_the_unit_of_a_cancelled_backorder_of_a_stocked_variant_goes_into_stock(make_model):
    # base stock 0 of a stocked variant: every order is a backorder on the 4-day line
    extra = {
        **OPTIMISTIC,
        "products": {"standard": {"strategy": "bts", "demand_rate": 0.1, "base_stock": 0}},
    }
    m = quiet(make_model(extra))
    m.customers[0].purchase(0)
    m.cal.run_until(3.0)
    assert m.reneging.reneged == 1 and m.open_final == 0
    m.cal.run_until(4.0)  # the unit reaches the plant's stock and stays on sale there
    assert m.plant.finished.on_hand[0] == 1 and m.written_off == 0
    m.check_conservation()
    m.customers[1].purchase(0)  # the next customer of the variant buys it at once
    assert m.delivered_final == 1 and m.plant.finished.on_hand[0] == 0
    m.check_conservation()
