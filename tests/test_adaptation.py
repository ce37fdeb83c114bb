"""Adaptive policies inside the model: switching, selling off, pre-building, chasing, and
common random numbers across policies."""

from __future__ import annotations

import pytest

from btoagents import ConfigError, load_scenario
from btoagents.model import SupplyChainModel
from btoagents.policies.state import ATO, BTO, BTS
from builders import model, quiet

SHIFTING = {
    "simulation": {"horizon": 400.0, "warmup": 50.0},
    "products": {
        "fam": {
            "strategy": "bts",
            "variants": 6,
            "zipf_exponent": 2.0,
            "demand_rate": 3.0,
            "base_stock": 4,
            "price": 10.0,
            "unit_cost": 6.0,
        }
    },
    "manufacturer": {"lines": 1, "service_rate": 4.0},
    "demand": {"shift_day": 150.0},
    "fulfillment": {
        "policy": "classification",
        "review_period": 20.0,
        "window": 60.0,
        "hold_days": 40.0,
        "classification": {"runner_rate": 1.0, "stranger_rate": 1.0, "stranger_cv": 10.0},
    },
}


def test_classification_follows_a_shift_in_popularity():
    m = model(SHIFTING, replace_products=True)
    m.cal.run_until(140.0)
    # Zipf 2 over 6 variants at 3/day: rank 1 sells 2.0/day, rank 2 0.5/day, the rest less
    # (over a 60-day window the rank-2 estimate is 5 standard errors below 1/day)
    assert m.strategy == [BTS, BTO, BTO, BTO, BTO, BTO]
    m.cal.run_until(400.0)
    assert m.strategy == [BTO, BTO, BTO, BTO, BTO, BTS]
    m.close_window()
    m.check_conservation()


def test_a_variant_switched_to_bto_sells_off_its_stock_and_is_not_restocked():
    m = model(SHIFTING, replace_products=True)
    m.cal.run_until(400.0)
    fin = m.manufacturer.finished
    for v in range(5):  # built to order since the shift
        assert fin.base[v] == 0 and fin.on_hand[v] == 0 and fin.on_order[v] == 0


def test_switches_respect_the_hold_period():
    m = model(
        {**SHIFTING, "fulfillment": {**SHIFTING["fulfillment"], "hold_days": 100.0}},
        replace_products=True,
    )
    m.run()
    last: dict[int, float] = {}
    for t, v, _ in m.reviewer.history:
        assert v not in last or t - last[v] >= 100.0
        last[v] = t
    assert len(m.reviewer.history) >= 4


def test_policies_see_the_same_customers_under_one_seed():
    # without memory of service a customer's purchases do not depend on how it was served
    traces = []
    for policy in ("static", "classification", "cost", "bandit"):
        scn = load_scenario(
            "dealer-network", [f"fulfillment.policy={policy}", "customers.memory=false"]
        )
        m = SupplyChainModel(scn, seed=5, trace=True)
        m.cal.run_until(120.0)  # four 30-day reviews of the adaptive policies
        traces.append(m.trace)
    assert all(t == traces[0] for t in traces[1:])
    assert len(traces[0]) > 1000


def test_the_bandit_is_reproducible_under_its_seed():
    scn = load_scenario("dealer-network", ["fulfillment.policy=bandit", "simulation.horizon=200"])
    a = SupplyChainModel(scn, seed=3)
    b = SupplyChainModel(scn, seed=3)
    assert a.run() == b.run()
    assert a.reviewer.history == b.reviewer.history and a.reviewer.history


@pytest.mark.parametrize("policy", ["classification", "cost", "bandit", "postponement"])
@pytest.mark.parametrize(
    "preset", ["dealer-network", "kitchen-cabinets", "school-library-fixtures"]
)
def test_every_fulfillment_policy_conserves_units_and_orders(policy, preset):
    short = ["simulation.horizon=250", "simulation.warmup=30"]
    scn = load_scenario(preset, [f"fulfillment.policy={policy}", *short])
    SupplyChainModel(scn, seed=2).run()  # raises ConservationError on any imbalance


@pytest.mark.parametrize(
    "overrides",
    [
        ["capacity.policy=chase", "manufacturer.overtime_cost=500"],
        ["capacity.policy=prebuild"],
        ["demand_management.slot_days=7", "demand_management.slot_discount=0.05"],
        ["demand_management.acceptance=defer", "demand_management.promise=30"],
        ["demand_management.stock_discount=0.1", "demand_management.quote_margin=3"],
    ],
)
def test_capacity_and_demand_policies_conserve_on_the_seasonal_preset(overrides):
    scn = load_scenario(
        "school-library-fixtures",
        ["products.shelving.strategy=bts", "products.shelving.base_stock=2", *overrides],
    )
    SupplyChainModel(scn, seed=4).run()


SEASONAL = {
    "simulation": {"horizon": 400.0, "warmup": 0.0},
    "products": {
        "standard": {"strategy": "bts", "demand_rate": 1.5, "base_stock": 2},
        "custom": {"strategy": "bto", "demand_rate": 1.5},
    },
    "manufacturer": {"lines": 1, "service_rate": 4.0, "discipline": "bto_priority"},
    "demand": {"process": "seasonal", "amplitude": 0.8, "period": 200.0, "peak_day": 100.0},
}


def test_chase_opens_overtime_in_the_peak_and_closes_it_in_the_trough():
    m = quiet(model({**SEASONAL, "capacity": {"policy": "chase", "max_overtime_lines": 2}}))
    wc = m.manufacturer.workcenter
    m.cal.run_until(1.0)  # trough (rate 0.6/day): nothing to chase
    assert wc.overtime_lines == 0
    m.manufacturer.workcenter.queues[0].extend([])  # a quiet model: fill the queue by hand
    for _ in range(40):
        m.manufacturer.produce_stock(0, 1, m.manufacturer.finished)
    m.cal.run_until(95.0)  # next reviews see 40 queued units: 40 + 7-day forecast > 28
    assert wc.overtime_lines >= 1


def test_prebuild_raises_stock_targets_ahead_of_the_peak_and_not_after():
    m = model({**SEASONAL, "capacity": {"policy": "prebuild", "target_utilization": 0.5}})
    fin = m.manufacturer.finished
    m.cal.run_until(60.0)  # before the peak at day 100 (capacity 2/day vs a peak of 5.4)
    before = fin.base[0]
    m.cal.run_until(140.0)  # after it
    after = fin.base[0]
    assert before > 2 + 10
    assert after < before
    m.close_window()
    m.check_conservation()


def test_postponement_assembles_to_order_when_components_are_common():
    data = {
        "products": {
            "cab": {
                "strategy": "bto",
                "variants": 4,
                "demand_rate": 1.0,
                "components": ["box", "hinge"],
            }
        },
        "components": {"box": {"plant_base_stock": 0}, "hinge": {}},
        "supplier": {"service_rate": 20.0, "lead_time": 2.0},
        "fulfillment": {"policy": "postponement", "postponement": {"min_commonality": 3}},
        "manufacturer": {"lines": 1, "service_rate": 2.0},
    }
    m = model(data, replace_products=True)
    m.cal.run_until(1.0)
    assert m.strategy == [ATO] * 4
    # component stock sized to the lead-time demand plus 1.65 sd: 1/day x (2 + queue) days
    comp = m.manufacturer.components
    assert comp.base[0] >= 3 and comp.base[0] == comp.base[1]
    m.run()


def test_adaptive_policies_refuse_order_up_to_dealers():
    with pytest.raises(ConfigError, match="fulfillment.policy"):
        load_scenario("dealer-network", ["fulfillment.policy=cost", "dealers.policy=order_up_to"])


def test_misordered_classification_thresholds_name_the_keys():
    with pytest.raises(ConfigError, match="stranger_rate"):
        load_scenario(
            "dealer-network",
            [
                "fulfillment.classification.stranger_rate=2",
                "fulfillment.classification.runner_rate=1",
            ],
        )


def test_a_misspelt_policy_key_is_refused_with_a_suggestion():
    with pytest.raises(ConfigError, match="hysteresis"):
        load_scenario("dealer-network", ["fulfillment.cost.hysterisis=0.1"])


def test_reverse_popularity_keeps_totals_and_swaps_ranks():
    m = model(SHIFTING, replace_products=True)
    before = [v.rate for v in m.catalog.variants]
    m.catalog.reverse_popularity()
    after = [v.rate for v in m.catalog.variants]
    assert after == before[::-1]
    assert m.catalog.cumulative[-1] == 1.0
