"""StockHot's rule: given this state, it decides that (a ChainState built by hand)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from pydantic import ValidationError

from btoagents.config import load_scenario
from btoagents.plugins import PolicyContext
from btoagents.policies.protocol import Decision
from btoagents.policies.state import ChainState
from btoagents.vocabulary import Strategy
from examples.custom_policy import StockHot

BTS, ATO, BTO, ETO = Strategy.BTS, Strategy.ATO, Strategy.BTO, Strategy.ETO


def state(strategy, rate, switchable=None, has_components=None) -> ChainState:
    """A chain of ``len(strategy)`` variants; ``rate`` in orders/day."""
    n = len(strategy)
    return ChainState(
        now=60.0,
        since=30.0,
        strategy=np.array(strategy),
        switchable=np.array(switchable if switchable is not None else [True] * n),
        has_components=np.array(has_components or [False] * n),
        rate=np.array(rate, dtype=float),
        cv=np.full(n, 0.5),
        profit=np.zeros(n),
        stock=np.zeros(n),
        price=np.full(n, 100.0),
        unit_cost=np.full(n, 60.0),
        salvage=np.zeros(n),
        life_cycle=np.full(n, math.inf),
        build_quote=np.full(n, 10.0),
        replenish_days=np.full(n, 5.0),
        patience=np.arange(1.0, 11.0),
        cover_days=45.0,
    )


def policy(threshold: float = 3.0, days: float = 30.0) -> StockHot:
    cfg = load_scenario("dealer-network").fulfillment
    params = StockHot.Params(threshold=threshold, days=days)
    return StockHot(params, PolicyContext(cfg))


def test_hot_variants_are_stocked_and_cold_ones_built_after_their_order():
    s = state(
        strategy=[BTO, BTS, BTS, ETO, BTO],
        # orders in 30 days: 6, 1.5, 15, 30, 3 (not above the threshold of 3)
        rate=[0.2, 0.05, 0.5, 1.0, 0.1],
        switchable=[True, True, True, False, True],
        has_components=[False, True, False, False, False],
    )
    d = policy(threshold=3).review(s)
    assert d.strategy == {0: BTS, 1: ATO}  # 1 has components: assembled to order
    assert d.cover == {0: 45.0}  # the scenario's cover of a variant switched to stock
    assert (d.prebuild, d.overtime_lines) == ({}, None)


def test_nothing_changes_when_every_variant_already_has_its_strategy():
    s = state(strategy=[BTS, BTO], rate=[1.0, 0.01])
    assert policy().review(s) == Decision()


def test_the_window_of_days_scales_the_threshold():
    s = state(strategy=[BTO], rate=[0.2])  # 6 orders in 30 days, 1.4 in 7
    assert policy(threshold=3, days=30).review(s).strategy == {0: BTS}
    assert policy(threshold=3, days=7).review(s).strategy == {}


def test_it_reviews_at_the_scenarios_period_and_refuses_bad_params():
    p = policy()
    assert p.review_period == load_scenario("dealer-network").fulfillment.review_period
    with pytest.raises(ValidationError):
        StockHot.Params(threshold=-1)
    with pytest.raises(ValidationError):
        StockHot.Params(treshold=3)
