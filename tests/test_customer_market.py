"""Customers judge lateness against the quote with a tolerance, the market remembers late
deliveries (reputation thins the arrival of new customers), and the population follows
from the demand rate and the purchase cycle."""

from __future__ import annotations

import pytest

from btoagents.config import load_scenario
from btoagents.model import SupplyChainModel
from btoagents.population import LazyPopulation
from btoagents.records import Order
from btoagents.reputation import MarketReputation
from builders import scenario


def deliver_after(m, customer, quoted: float, lead: float) -> None:
    """Hand ``customer`` a unit ``lead`` days after an order quoted ``quoted`` days."""
    order = Order(0, m.cal.now - lead, customer=customer, quoted=quoted, counted=False)
    m._deliver(order, 0.0, True)


# -- lateness against the quote, with a tolerance ------------------------------------------


def test_a_delivery_within_the_tolerance_is_not_late_and_one_beyond_it_is(make_model):
    m = make_model({"customers": {"memory": "individual", "late_tolerance": 3.0}})
    c = m.customers[0]
    deliver_after(m, c, quoted=10.0, lead=12.9)  # 2.9 days past the quote: on time
    assert c.late_deliveries == 0 and c.multiplier == 1.0
    deliver_after(m, c, quoted=10.0, lead=13.1)  # 3.1 days past: late
    assert c.late_deliveries == 1
    assert c.multiplier == pytest.approx(0.9)


def test_without_tolerance_a_delivery_a_few_hours_late_is_late(make_model):
    m = make_model({"customers": {"memory": True}})  # an older file's boolean
    c = m.customers[0]
    deliver_after(m, c, quoted=10.0, lead=10.1)
    assert c.late_deliveries == 1


def test_older_files_boolean_memory_maps_to_individual_and_none():
    assert scenario({"customers": {"memory": True}}).customers.memory == "individual"
    assert scenario({"customers": {"memory": False}}).customers.memory == "none"
    assert load_scenario("dealer-network", ["customers.memory=false"]).customers.memory == "none"


# -- market reputation ---------------------------------------------------------------------


def test_reputation_index_follows_the_exponentially_weighted_late_share_by_hand():
    r = MarketReputation(half_life=10.0, sensitivity=0.5)
    assert r.index == 1.0
    r.record(0.0, late=True)  # late share 1/1
    assert r.index == pytest.approx(0.5)
    r.record(10.0, late=False)  # weights halve: late 0.5, all 0.5 + 1 = 1.5 -> share 1/3
    assert r.late_share() == pytest.approx(1 / 3)
    assert r.index == pytest.approx(1 - 0.5 / 3)
    r.record(20.0, late=False)  # late 0.25, all 0.75 + 1 = 1.75 -> share 1/7
    assert r.index == pytest.approx(1 - 0.5 / 7)
    r.record(20.0, late=True)  # same instant, no decay: late 1.25, all 2.75
    assert r.index == pytest.approx(1 - 0.5 * 1.25 / 2.75)


def test_reputation_multiplies_the_seasonal_keep_probability():
    r = MarketReputation(half_life=5.0, sensitivity=0.8, keep_probability=lambda t: 0.5)
    r.record(0.0, late=True)
    assert r.keep_probability(3.0) == pytest.approx(0.5 * 0.2)


def test_a_late_delivery_in_market_memory_moves_the_market_not_the_customer(make_model):
    m = make_model({"customers": {"memory": "market", "late_tolerance": 1.0}})
    c = m.customers[0]
    deliver_after(m, c, quoted=5.0, lead=7.0)
    assert c.multiplier == 1.0 and c.late_deliveries == 0
    assert m.reputation.index == pytest.approx(0.5)  # default sensitivity 0.5, share 1


def slow_market(memory: str) -> dict:
    return {
        "simulation": {"horizon": 300.0},
        "products": {"standard": {"strategy": "bto", "demand_rate": 0.9}},
        "customers": {"memory": memory, "purchase_cycle": 3000.0},
        "manufacturer": {"service_rate": 1.0, "service_distribution": "exponential"},
    }


def test_a_bad_reputation_keeps_no_new_customer(make_model):
    cfg = slow_market("market")
    cfg["customers"]["reputation_sensitivity"] = 1.0
    cfg["customers"]["reputation_half_life"] = 1000.0
    m = make_model(cfg, trace=True)
    m.reputation.record(0.0, late=True)  # index 0: every candidate arrival is thinned out
    m.cal.run_until(50.0)
    assert m.trace == []
    fresh = make_model(cfg, trace=True)
    fresh.cal.run_until(50.0)
    assert len(fresh.trace) > 20  # 0.9/day for 50 days: 45 expected, sd 6.7


def test_late_deliveries_thin_arrivals_with_common_random_numbers(make_model):
    none = make_model(slow_market("none"), trace=True)
    market = make_model(slow_market("market"), trace=True)
    none.run()
    market.run()
    # same candidates (time, customer, variant); the market keeps a subset of them
    assert set(market.trace) < set(none.trace)
    assert market.reputation.index < 0.9  # deliveries in an overloaded M/M/1 run late
    assert len(market.trace) < 0.95 * len(none.trace)


def test_reputation_recovers_after_on_time_deliveries(make_model):
    m = make_model({"customers": {"memory": "market", "reputation_half_life": 30.0}})
    m.reputation.record(0.0, late=True)
    low = m.reputation.index
    for day in range(1, 61):
        m.reputation.record(float(day), late=False)
    assert low == pytest.approx(0.5)
    assert m.reputation.index > 0.98


# -- population from the purchase cycle ----------------------------------------------------


def test_population_is_demand_rate_times_purchase_cycle(make_model):
    m = make_model(
        {
            "products": {
                "standard": {"demand_rate": 0.5},
                "extra": {"strategy": "bto", "demand_rate": 0.25},
            },
            "customers": {"count": 7, "purchase_cycle": 2400.0},
        }
    )
    assert isinstance(m.customers, LazyPopulation)
    assert len(m.customers) == 1800  # 0.75 orders/day x 2,400 days; count is not used
    assert m.customers.met == 0


def test_without_a_purchase_cycle_the_population_is_count(make_model):
    m = make_model({"customers": {"count": 7}})
    assert len(m.customers) == 7 and isinstance(m.customers, list)


def test_a_lazy_population_builds_only_the_customers_met_and_is_reproducible(make_model):
    cfg = {"simulation": {"horizon": 100.0}, "customers": {"purchase_cycle": 7 * 365.0}}
    a = make_model(cfg, trace=True)
    b = make_model(cfg, trace=True)
    a.run()
    b.run()
    assert a.trace == b.trace
    met = {i for _, i, _ in a.trace}
    # at most one customer per candidate arrival (0.5/day x 100 days: ~50)
    assert len(met) <= a.customers.met < 120
    assert len(a.customers) == round(0.5 * 7 * 365)
    pa = [(c.index, c.patience, c.switch_discount, c.favourite) for c in a.customers]
    pb = [(c.index, c.patience, c.switch_discount, c.favourite) for c in b.customers]
    assert pa == pb


def test_a_lazy_customer_is_built_once():
    made = []
    pop = LazyPopulation(5, lambda i: made.append(i) or f"c{i}")
    assert pop[3] == "c3" and pop[3] == "c3"
    assert made == [3] and pop.met == 1
    with pytest.raises(IndexError):
        pop[5]


def test_dealer_network_demand_reaches_its_nominal_rate():
    # 38 orders/day nominal; the market's reputation must not eat demand on time
    m = SupplyChainModel(load_scenario("dealer-network", ["simulation.horizon=240"]), seed=1)
    k = m.run()
    assert k["orders_per_day"] > 36.0  # Poisson: sd of the rate over 180 days ~0.46


def test_a_lazy_population_slices_like_a_list():
    pop = LazyPopulation(5, lambda i: i * 10)
    assert pop[1:3] == [10, 20] and pop.met == 2
