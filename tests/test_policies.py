"""Rules of the fulfillment and capacity policies: given this state, the policy decides that."""

from __future__ import annotations

import math

import numpy as np
import pytest

from btoagents import theory
from btoagents.config.schema import CapacityConfig, FulfillmentConfig
from btoagents.policies.capacity import ChasePolicy, PrebuildPolicy, prebuild_target
from btoagents.policies.fulfillment import (
    BanditPolicy,
    ClassificationPolicy,
    CostPolicy,
    Hold,
    PostponementPolicy,
    build_cost_per_day,
    stock_cost_per_day,
)
from btoagents.policies.ledger import VariantLedger
from btoagents.policies.state import ATO, BTO, BTS, ETO, ChainState


def state(n: int = 3, **kw) -> ChainState:
    """A chain of ``n`` variants, all BTO, 1 order/day each, unless ``kw`` says otherwise."""
    values = dict(
        now=100.0,
        since=70.0,
        strategy=np.full(n, BTO),
        switchable=np.ones(n, dtype=bool),
        has_components=np.zeros(n, dtype=bool),
        rate=np.ones(n),
        cv=np.full(n, 0.5),
        profit=np.zeros(n),
        stock=np.zeros(n),
        price=np.full(n, 100.0),
        unit_cost=np.full(n, 60.0),
        salvage=np.zeros(n),
        life_cycle=np.full(n, math.inf),
        build_quote=np.full(n, 10.0),
        replenish_days=np.full(n, 5.0),
        patience=np.sort(np.arange(1.0, 101.0)),
    )
    values.update(kw)
    return ChainState(**values)


def fulfillment(**kw) -> FulfillmentConfig:
    return FulfillmentConfig(**kw)


# -- classification ------------------------------------------------------------------------


def test_classification_sorts_runners_repeaters_and_strangers_by_rate_and_cv():
    cfg = fulfillment(
        policy="classification",
        classification={"runner_rate": 1.0, "runner_cv": 0.8, "stranger_rate": 0.2},
    )
    p = ClassificationPolicy(cfg)
    assert p.classify(rate=2.0, cv=0.5) == "runner"
    assert p.classify(rate=2.0, cv=1.2) == "repeater"  # fast but erratic
    assert p.classify(rate=0.5, cv=0.5) == "repeater"
    assert p.classify(rate=0.1, cv=0.5) == "stranger"
    assert p.classify(rate=2.0, cv=3.0) == "stranger"  # above stranger_cv (2.5)


def test_classification_stocks_runners_and_builds_strangers_to_order():
    cfg = fulfillment(policy="classification", classification={"runner_rate": 1.0})
    s = state(
        4,
        strategy=np.array([BTO, BTS, BTO, ETO]),
        switchable=np.array([True, True, True, False]),
        has_components=np.array([False, False, True, False]),
        rate=np.array([3.0, 0.01, 0.5, 5.0]),
    )
    d = ClassificationPolicy(cfg).review(s)
    # runner -> bts; stranger -> bto; repeater -> ato (it has components); eto untouched
    assert d.strategy == {0: BTS, 1: BTO, 2: ATO}
    assert d.cover == {0: cfg.cover_days}


def test_classification_repeater_without_components_falls_back_to_bto():
    cfg = fulfillment(policy="classification", classification={"runner_rate": 1.0})
    s = state(1, strategy=np.array([BTS]), rate=np.array([0.5]))
    assert ClassificationPolicy(cfg).review(s).strategy == {0: BTO}


def test_hold_refuses_a_switch_back_within_the_hold_period_and_allows_it_after():
    hold = Hold(90.0)
    s = state(1, now=0.0)
    assert hold.filter(s, {0: BTS}) == {0: BTS}
    s.strategy = np.array([BTS])
    for now in (30.0, 60.0, 89.9):
        s.now = now
        assert hold.filter(s, {0: BTO}) == {}
    s.now = 90.0
    assert hold.filter(s, {0: BTO}) == {0: BTO}


# -- cost-based switching -------------------------------------------------------------------


def test_stock_cost_adds_holding_markdown_and_obsolescence():
    s = state(
        1,
        strategy=np.array([BTO]),
        rate=np.array([2.0]),
        salvage=np.array([20.0]),
        life_cycle=np.array([365.0]),
        holding_rate=0.1,
        markdown_share=lambda age: 0.05 if age >= 10 else 0.0,
    )
    # S = 2 * 30 = 60; on hand max(60 - 2 * 5, 30) = 50; age 50 / 2 = 25 days -> 5 %
    expected = 0.1 / 365 * 60 * 50 + 2.0 * 100 * 0.05 + 50 * (60 - 20) / 365
    assert stock_cost_per_day(s, 0, cover=30.0) == pytest.approx(expected)


def test_stock_cost_uses_observed_stock_while_stocked():
    s = state(1, strategy=np.array([BTS]), stock=np.array([7.0]), holding_rate=0.365)
    assert stock_cost_per_day(s, 0, cover=30.0) == pytest.approx(0.001 * 60 * 7.0)


def test_build_cost_counts_waiting_and_the_margin_of_impatient_customers():
    # patience 1..100 days: a 10-day quote loses the 9 customers with patience < 10
    s = state(1, backorder_cost=2.0, lost_sale_cost=5.0)
    expected = 1.0 * (0.91 * 2.0 * 10.0 + 0.09 * (40.0 + 5.0))
    assert build_cost_per_day(s, 0) == pytest.approx(expected)


def test_cost_policy_switches_only_beyond_the_hysteresis_margin():
    cfg = fulfillment(policy="cost", cost={"hysteresis": 0.2}, cover_days=30.0)
    # stock cost 0.001 * 60 * 25 = 1.5 per day; nobody is impatient: build cost = 10 x b
    s = state(1, holding_rate=0.365, patience=np.full(10, 1000.0))
    stock = stock_cost_per_day(s, 0, 30.0)
    assert stock == pytest.approx(1.5)
    s.backorder_cost = 1.1 * stock / 10.0  # building costs 10 % more: within the margin
    assert build_cost_per_day(s, 0) == pytest.approx(1.1 * stock)
    assert CostPolicy(cfg).review(s).strategy == {}
    s.backorder_cost = 1.5 * stock / 10.0  # stocking is cheaper by a third: beyond 20 %
    d = CostPolicy(cfg).review(s)
    assert d.strategy == {0: BTS} and d.cover == {0: 30.0}


def test_cost_policy_builds_to_order_when_stock_is_dear():
    cfg = fulfillment(policy="cost", cost={"hysteresis": 0.1})
    s = state(
        2,
        strategy=np.array([BTS, BTS]),
        has_components=np.array([False, True]),
        stock=np.array([50.0, 50.0]),
        holding_rate=0.5,
        patience=np.full(10, 1000.0),  # nobody leaves: building to order costs nothing
    )
    assert CostPolicy(cfg).review(s).strategy == {0: BTO, 1: ATO}


# -- bandit ----------------------------------------------------------------------------------


def draws(values):
    it = iter(values)
    return lambda: next(it)


def test_bandit_tries_every_arm_in_order_then_plays_the_best():
    cfg = fulfillment(
        policy="bandit", bandit={"cover_days": [20.0, 40.0], "epsilon": 0.0, "min_epsilon": 0.0}
    )
    p = BanditPolicy(cfg, draws([0.5] * 100))
    s = state(1, strategy=np.array([BTO]))
    assert p.review(s).strategy == {}  # the first review starts arm 0 (build to order)
    rewards = {0: 5.0, 1: 9.0, 2: 7.0}
    played = []
    for _ in range(5):
        s.profit = np.array([rewards[p.arm[0]]])
        d = p.review(s)
        played.append(p.arm[0])
        if 0 in d.strategy:
            s.strategy = np.array([d.strategy[0]])
        if p.arm[0] > 0:
            assert d.cover == {0: cfg.bandit.cover_days[p.arm[0] - 1]}
    assert played[:2] == [1, 2]  # untried arms first
    assert played[2:] == [1, 1, 1]  # then the best mean reward (9 per day)
    assert p.means[0].tolist() == [5.0, 9.0, 7.0]


def test_bandit_explores_with_its_scheduled_probability():
    cfg = fulfillment(
        policy="bandit",
        bandit={"cover_days": [30.0], "epsilon": 0.5, "decay": 0.5, "min_epsilon": 0.1},
    )
    p = BanditPolicy(cfg, draws([]))
    assert [p.epsilon(k) for k in (1, 2, 3, 10)] == [0.25, 0.125, 0.1, 0.1]
    # after both arms are tried, a draw below epsilon explores: the second draw picks the arm
    p = BanditPolicy(cfg, draws([0.9, 0.01, 0.2, 0.9]))
    s = state(1)
    p.review(s)
    s.profit = np.array([1.0])
    p.review(s)  # arm 0 rewarded 1; untried arm 1 next (draw 0.9 unused)
    s.profit = np.array([3.0])
    p.review(s)  # arm 1 rewarded 3; 0.01 < epsilon(2) = 0.125: explore, draw 0.2 -> arm 0
    assert p.arm[0] == 0
    s.profit = np.array([1.0])
    p.review(s)  # draw 0.9 > epsilon: exploit arm 1
    assert p.arm[0] == 1


def test_bandit_is_reproducible_under_the_same_draws():
    cfg = fulfillment(policy="bandit")
    rng = np.random.default_rng(3)
    profits = rng.normal(size=(12, 4))
    runs = []
    for _ in range(2):
        u = np.random.default_rng(7)
        p = BanditPolicy(cfg, u.random)
        s = state(4)
        arms = []
        for row in profits:
            s.profit = row
            p.review(s)
            arms.append(list(p.arm))
        runs.append(arms)
    assert runs[0] == runs[1]


# -- postponement -----------------------------------------------------------------------------


def test_postponement_assembles_to_order_the_variants_with_common_components():
    cfg = fulfillment(policy="postponement", postponement={"min_commonality": 2})
    s = state(
        4,
        strategy=np.array([BTS, BTO, BTO, BTO]),
        switchable=np.array([True, True, True, False]),
        component_users=[[0, 1, 3], [1], [2, 3]],
    )
    d = PostponementPolicy(cfg).review(s)
    # 0 uses only shared component 0; 1 also uses component 1 (used by 1 alone);
    # 2 uses component 2 (shared with 3); 3 is not switchable
    assert d.strategy == {0: ATO, 2: ATO}


# -- capacity -------------------------------------------------------------------------------


def test_chase_opens_the_lines_the_queue_and_forecast_need():
    cfg = CapacityConfig(policy="chase", review_period=7.0, max_overtime_lines=2)
    p = ChasePolicy(cfg)
    s = state(lines=2, service_rate=4.0, plant_queue=10)
    s.forecast = lambda t0, t1: 6.0 * (t1 - t0)  # 42 units in the week + 10 waiting
    assert p.review(s).overtime_lines == 0  # 52 < 2 lines x 4 x 7 = 56
    s.plant_queue = 30  # 72 units: 72 / 28 = 2.57 lines -> 1 extra
    assert p.review(s).overtime_lines == 1
    s.plant_queue = 300
    assert p.review(s).overtime_lines == 2  # capped


def test_prebuild_target_is_the_largest_cumulative_shortfall_capped_by_stocked_demand():
    demand = np.array([2.0, 2.0, 10.0, 10.0, 2.0])
    # cumulative shortfall against 5 per step: -3, -6, -1, 4, 1 -> 4 units by step 3
    assert prebuild_target(demand, 5.0, stock_share=1.0) == 4.0
    assert prebuild_target(demand, 5.0, stock_share=0.1) == pytest.approx(0.1 * 24)
    assert prebuild_target(demand, 12.0, stock_share=1.0) == 0.0


def test_prebuild_plan_equals_the_seasonal_closed_form_from_the_up_crossing():
    m, a, c, period = 6.0, 0.8, 8.0, 365.0
    omega = 2 * math.pi / period
    t_up = -math.acos((c / m - 1) / a) / omega  # rate m(1 + a cos(omega t)) crosses c upwards

    def forecast(t0: float, t1: float) -> float:
        return m * (t1 - t0) + m * a / omega * (math.sin(omega * t1) - math.sin(omega * t0))

    cfg = CapacityConfig(policy="prebuild", target_utilization=1.0)
    s = state(1, strategy=np.array([BTS]), now=t_up, lines=2, service_rate=4.0)
    s.forecast = forecast
    d = PrebuildPolicy(cfg, cycle=period).review(s)
    exact = theory.seasonal_prebuild(m, a, c, period)
    assert d.prebuild[0] == pytest.approx(exact, abs=2.0)  # 1-day grid, rounded to units


def test_prebuild_spreads_the_plan_over_stocked_variants_by_rate():
    cfg = CapacityConfig(policy="prebuild", target_utilization=1.0)
    s = state(
        3,
        now=0.0,
        strategy=np.array([BTS, BTS, BTO]),
        rate=np.array([3.0, 1.0, 4.0]),
        lines=1,
    )
    s.forecast = lambda t0, t1: (20.0 if 10 <= t0 < 20 else 0.0) * (t1 - t0)
    d = PrebuildPolicy(cfg, cycle=50.0).review(s)
    # shortfall over days 10..19: 10 x 19 = 190, minus 10 days of capacity 1 before = 180;
    # stocked share of demand 4 / 8, capped at half the 200 units demanded: 100 units
    assert d.prebuild == {0: 75, 1: 25, 2: 0}


# -- ledger ---------------------------------------------------------------------------------


def test_ledger_rates_and_cv_come_from_the_rolling_buckets():
    led = VariantLedger(2, bucket_days=7.0, window=21.0)
    for counts in ([7, 0], [14, 0], [7, 7], [0, 0]):
        led.orders = [a + b for a, b in zip(led.orders, counts, strict=True)]
        led.close_bucket()
    rate, cv = led.rate_and_cv([0.0, 0.0])
    # the window keeps the last 3 buckets: [14, 7, 0] and [0, 7, 0]
    assert rate.tolist() == pytest.approx([1.0, 1 / 3])
    assert cv[0] == pytest.approx(np.std([14, 7, 0], ddof=1) / 7)
    assert cv[1] == pytest.approx(np.std([0, 7, 0], ddof=1) / (7 / 3))
