"""Property-based tests of the adaptive policies: invariants, hysteresis and promises."""

from __future__ import annotations

import math
import warnings

from generators import policy_scenario_dicts
from hypothesis import given

from btoagents.config.loading import build_scenario
from btoagents.model import SupplyChainModel


def build(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_scenario(data, "generated")


class Watcher:
    """Every day: no negative stock, and a variant that has never been BTS holds no
    finished goods."""

    def __init__(self, m: SupplyChainModel) -> None:
        self.m = m
        self.ever_stocked = {v for v, s in enumerate(m.strategy) if s == 0}
        m.cal.at(0.0, self.tick)

    def tick(self, _=None) -> None:
        m = self.m
        self.ever_stocked |= {v for v, s in enumerate(m.strategy) if s == 0}
        for sp in m.stock_points:
            assert min(sp.on_hand, default=0) >= 0, f"negative stock at {sp.name}"
        finished = [m.manufacturer.finished, *(d.stock for d in m.dealers)]
        for v in range(len(m.strategy)):
            if v not in self.ever_stocked:
                held = sum(sp.on_hand[v] for sp in finished)
                assert held == 0, f"variant {v}, never stocked, holds {held} units"
        m.cal.after(1.0, self.tick)


@given(policy_scenario_dicts())
def test_any_policy_mix_conserves_units_and_orders_and_keeps_stock_invariants(data):
    m = SupplyChainModel(build(data), seed=1)
    Watcher(m)
    k = m.run()  # raises ConservationError on any imbalance
    assert 0.0 <= k["utilization"] <= 1.0 + 1e-12
    for name in (
        "fill_rate",
        "stock_service_share",
        "on_time_to_quote",
        "lost_sales_rate",
        "quote_reliability",
        "bts_share",
    ):
        assert math.isnan(k[name]) or 0.0 <= k[name] <= 1.0


@given(policy_scenario_dicts())
def test_no_variant_switches_again_within_the_hold_period(data):
    data["fulfillment"]["policy"] = "classification" if len(data["products"]) % 2 else "cost"
    if data["dealers"]["policy"] == "order_up_to":
        data["dealers"]["policy"] = "ss"
    scn = build(data)
    m = SupplyChainModel(scn, seed=2)
    m.run()
    hold = scn.fulfillment.hold_days
    last: dict[int, float] = {}
    for t, v, _ in m.reviewer.history:
        assert v not in last or t - last[v] >= hold - 1e-9, (v, last[v], t)
        last[v] = t


@given(policy_scenario_dicts())
def test_no_accepted_build_order_is_quoted_beyond_the_promise(data):
    data["demand_management"]["acceptance"] = "reject" if data["simulation"]["warmup"] else "defer"
    scn = build(data)
    m = SupplyChainModel(scn, seed=3)
    m.run()
    assert m.dm.max_accepted_quote <= scn.demand_management.promise
