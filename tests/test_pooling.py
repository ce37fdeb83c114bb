"""Dealer pooling: the regional near-variant choice a hand computation predicts, and
lateral transfers that conserve units and reach the customer after the trade time."""

from __future__ import annotations

import pytest

from btoagents.config import load_scenario
from btoagents.kpis.catalogue import kpi_names
from btoagents.model import SupplyChainModel
from btoagents.vocabulary import Strategy
from builders import quiet, scenario


def pooled(**extra) -> dict:
    """Four dealers in two regions, one family of four BTS variants, empty lots, a 10%
    markdown after 30 days; customers wait at most 60 days and value a day at 0.2%."""
    cfg = {
        "products": {
            "car": {
                "strategy": "bts",
                "demand_rate": 1.0,
                "variants": 4,
                "base_stock": 0,
                "price": 100.0,
                "unit_cost": 60.0,
            }
        },
        "dealers": {
            "count": 4,
            "regions": 2,
            "days_of_supply": 0.0,
            "transport_time": 5.0,
            "pooling": True,
            "trade_days": 2.0,
            "trade_cost": 7.0,
            "markdown": [{"after_days": 30.0, "discount": 0.1}],
        },
        "customers": {
            "count": 8,
            "patience": 60.0,
            "substitution": True,
            "waiting_cost": 0.002,
        },
        "manufacturer": {"service_rate": 2.0},
    }
    for section, values in extra.items():
        cfg[section].update(values)
    return cfg


def chain(make_model, **extra):
    m = quiet(make_model(pooled(**extra), replace_products=True))
    c = m.customers[0]  # home dealer 0 (region 0 with dealer 1)
    c.switch_discount = 0.05
    return m, c


def put(m, dealer: int, variant: int, age: float = 0.0) -> None:
    """One unit of ``variant`` on dealer ``dealer``'s lot, ``age`` days old."""
    lot = m.dealers[dealer].stock
    lot.stock_up(variant, 1)
    lot.ages[variant][-1] = m.cal.now - age


def test_regions_split_the_dealers_evenly():
    dealers = scenario(pooled(), replace_products=True).dealers
    assert [dealers.region_of(i) for i in range(4)] == [0, 0, 1, 1]


def test_choice_takes_the_exact_variant_from_a_dealer_of_the_region(make_model):
    m, c = chain(make_model)
    v = 0
    put(m, 1, v)  # exact at dealer 1: 0 - 0.002 x 2 = -0.004
    put(m, 2, v)  # another region: never
    # ordering at 30 days: -0.002 x 30 = -0.06 < -0.004
    lot, variant, days = m.pool.best(c, v, 30.0)
    assert (lot is m.dealers[1].stock, variant, days) == (True, v, 2.0)


def test_choice_orders_the_exact_build_when_its_wait_is_short(make_model):
    m, c = chain(make_model)
    put(m, 1, 0)
    # ordering at 1 day: -0.002 < -0.004 for the trade
    assert m.pool.best(c, 0, 1.0) is None


def test_choice_prefers_a_marked_down_near_variant_on_its_own_lot(make_model):
    m, c = chain(make_model)
    near = m.catalog.near(0)[0]
    put(m, 1, 0)  # exact by trade: -0.004
    put(m, 0, near, age=40.0)  # near, 10% off, own lot: 0.10 - 0.05 = +0.05
    assert m.pool.best(c, 0, 30.0) == (m.dealers[0].stock, near, 0.0)


def test_choice_of_a_fresh_near_variant_against_balking(make_model):
    m, c = chain(make_model)
    near = m.catalog.near(0)[0]
    put(m, 0, near)  # near, no markdown, own lot: 0 - 0.05 = -0.05
    # ordering at 30 days (-0.06) is worse than the near variant
    assert m.pool.best(c, 0, 30.0) == (m.dealers[0].stock, near, 0.0)
    # ordering at 20 days (-0.04) is better
    assert m.pool.best(c, 0, 20.0) is None
    # a 100-day quote exceeds the patience: balking (-0.002 x 60 = -0.12) is worse
    assert m.pool.best(c, 0, 100.0) == (m.dealers[0].stock, near, 0.0)


def test_a_trade_longer_than_the_patience_is_no_option(make_model):
    m, c = chain(make_model)
    c.patience = 1.5
    put(m, 1, 0)
    assert m.pool.best(c, 0, 1.0) is None


def test_a_lateral_transfer_conserves_units_and_arrives_after_the_trade_days(make_model):
    m, c = chain(make_model)
    v = 0
    put(m, 1, v, age=40.0)  # 10% off when sold
    m.initial_units += 1  # the unit put on the lot counts as initial stock
    lot = m.dealers[1].stock
    c.purchase(v)
    assert lot.on_hand[v] == 0  # left dealer 1 at once
    assert (m.in_transit_units, m.in_transit_orders, m.open_final) == (1, 1, 1)
    assert m.delivered_final == 0
    m.check_conservation()  # a unit in flight is counted
    m.cal.run_until(1.99)
    assert m.delivered_final == 0
    m.cal.run_until(2.0)
    assert m.delivered_final == 1
    assert (m.in_transit_units, m.in_transit_orders, m.open_final) == (0, 0, 0)
    g = m.kpi.total
    assert g.lead_sum == pytest.approx(2.0) and g.from_stock == 0
    assert m.kpi.flows.discount == pytest.approx(10.0)  # 10% of 100
    assert m.kpi.quotes.within == 1  # quoted the trade days
    assert m.pool.trades == 1 and m.pool.cost == 7.0
    m.check_conservation()


def test_pooling_off_keeps_the_customer_at_its_own_lot(make_model):
    m, c = chain(make_model, dealers={"pooling": False})
    put(m, 1, 0)
    c.purchase(0)
    assert m.pool is None
    assert m.dealers[1].stock.on_hand[0] == 1 and m.in_transit_orders == 0


def test_a_pooled_run_balances_and_reports_its_trades():
    m = SupplyChainModel(load_scenario("dealer-network", ["simulation.horizon=240"]), seed=2)
    k = m.run()  # the conservation audit runs at the end
    assert 0 < k["transfer_rate"] < 0.2
    days = 240.0 - 60.0
    assert k["transfer_cost"] == pytest.approx(m.pool.cost / days)
    assert m.pool.cost > 0


def test_pooling_kpis_are_in_the_catalogue_only_when_pooling_is_on():
    on = load_scenario("dealer-network")
    off = load_scenario("dealer-network", ["dealers.pooling=false"])
    assert {"transfer_rate", "transfer_cost"} <= set(kpi_names(on))
    assert "transfer_rate" not in kpi_names(off)
    k = SupplyChainModel(load_scenario("mm1-bts")).run()
    assert "transfer_rate" not in k


def test_regions_must_not_outnumber_the_dealers():
    from btoagents.errors import ConfigError

    with pytest.raises(ConfigError, match="regions"):
        load_scenario("dealer-network", ["dealers.regions=9"])


def test_strategy_of_a_traded_order_is_the_units_variant(make_model):
    m, c = chain(make_model)
    near = m.catalog.near(0)[0]
    put(m, 1, near, age=40.0)  # 0.10 - 0.05 - 0.004 = +0.046 beats ordering
    c.purchase(0)
    assert m.in_transit_orders == 1
    assert m.strategy[near] == Strategy.BTS
    assert m.ledger is None or m.ledger.orders[near] == 1
