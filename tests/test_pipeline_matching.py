"""Pipeline matching: a waiting customer takes over an unsold unit already on its way.

A claimed unit goes to the customer, units and orders are conserved (the run's audit) and
every base-stock point keeps its inventory position at its target (the stock order's
destination re-ordered the unit it lost).
"""

from __future__ import annotations

import math

import pytest

import builders
from btoagents.matching import BANK, LINE, TRANSIT
from btoagents.records import FINAL, Order
from btoagents.replications import simulate_one
from btoagents.vocabulary import Strategy

CHAIN = {
    "simulation": {"horizon": 300.0, "warmup": 30.0, "seed": 5},
    "products": {
        "car": {
            "strategy": "bts",
            "demand_rate": 6.0,
            "variants": 6,
            "base_stock": 1,
            "release_days": 7.0,
            "tail_share": 0.5,
            "tail_strategy": "bto",
        },
    },
    "dealers": {"count": 2, "days_of_supply": 10.0, "transport_time": 4.0},
    "customers": {"count": 300, "patience": 60.0},
    "manufacturer": {"lines": 1, "service_rate": 8.0},
    "order_bank": {"enabled": True, "pipeline_matching": True},
}


def positions_at_target(m) -> None:
    for sp in (m.plant.finished, *(d.stock for d in m.dealers)):
        for v, strategy in enumerate(m.strategy):
            if strategy == Strategy.BTS:
                assert sp.position(v) == sp.base[v], (sp.name, v)


def test_matching_in_a_run_conserves_units_and_positions() -> None:
    m = builders.model(CHAIN, replace_products=True)
    m.run()  # the audit (conservation of units and orders) runs at the end
    assert m.plant.matcher.matched > 20
    positions_at_target(m)


def test_a_claimed_unit_goes_to_the_customer() -> None:
    m = builders.model(CHAIN, replace_products=True)
    m.cal.run_until(100.0)
    matcher = m.plant.matcher
    v = next(v for v, s in enumerate(m.strategy) if s == Strategy.BTS and matcher.best(v)[1] >= 0)
    eta, where, unit = matcher.best(v)
    assert where in (BANK, LINE, TRANSIT) and math.isfinite(eta)
    dest = unit.dest
    on_order = dest.on_order[v]
    order = Order(v, m.cal.now, FINAL, None, m.dealers[0], 0.0, False)
    m.order_arrived(order)
    m._open(order, 1)
    delivered = []
    deliver = m._deliver

    def spy(o: Order, discount: float, from_stock: bool) -> None:
        if o is order:
            delivered.append(m.cal.now)
        deliver(o, discount, from_stock)

    m._deliver = spy
    assert matcher.take(order, math.inf)
    assert unit.order is order
    # the destination lost the unit on order and re-ordered one (base stock): same count
    assert dest.on_order[v] == on_order
    assert dest.position(v) == dest.base[v]
    m.run()
    assert len(delivered) == 1
    if where == TRANSIT:
        assert delivered[0] == pytest.approx(eta + 100.0)  # rerouted, arriving as planned
    else:
        assert delivered[0] >= 100.0 + m.dealers[0].transport_time
    positions_at_target(m)


def test_nothing_to_take_when_no_unit_is_sooner() -> None:
    m = builders.model(CHAIN, replace_products=True)
    m.cal.run_until(50.0)
    order = Order(0, m.cal.now, FINAL, None, m.dealers[0], 0.0, False)
    assert not m.plant.matcher.take(order, 0.0)  # nothing beats an immediate delivery


def test_matching_can_be_switched_off_and_changes_the_run() -> None:
    on = simulate_one(builders.scenario(CHAIN, replace_products=True), 1)
    off = simulate_one(
        builders.scenario(
            builders.merge(CHAIN, {"order_bank": {"pipeline_matching": False}}),
            replace_products=True,
        ),
        1,
    )
    assert on != off
    assert on["lead_time_mean[bts]"] < off["lead_time_mean[bts]"]


def test_units_customers_wait_for_at_the_plant_are_sold() -> None:
    """Without dealers a backorder waits at the plant for its stock jobs: while one waits
    none of them is taken over by a newcomer (no queue jumping); the run still balances."""
    m = builders.model(
        {
            "simulation": {"horizon": 200.0},
            "products": {"standard": {"demand_rate": 0.9, "base_stock": 1, "release_days": 3.0}},
            "order_bank": {"enabled": True, "pipeline_matching": True},
        }
    )
    plant, matcher = m.plant, m.plant.matcher
    m.cal.run_until(50.0)
    while plant.finished.on_hand[0] > 0:  # sell what is on hand
        sale = Order(0, m.cal.now, FINAL, None, None, 0.0, False)
        m.order_arrived(sale)
        m.sell_from_stock(sale, plant.finished, 0)
    assert matcher.best(0)[1] in (BANK, LINE)  # an unsold stock job is on its way
    waiting = Order(0, m.cal.now, FINAL, None, None, 0.0, False)
    m.order_arrived(waiting)
    m._open(waiting, 1)
    plant.finished.enqueue(0, waiting)
    plant.finished.replenish(0)
    assert matcher.best(0)[1] < 0  # the waiting customer's units are sold
    newcomer = Order(0, m.cal.now, FINAL, None, None, 0.0, False)
    assert not matcher.take(newcomer, math.inf)
    m.run()
