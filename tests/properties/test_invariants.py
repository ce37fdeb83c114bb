"""Property-based tests: the model's invariants hold for random valid scenarios."""

from __future__ import annotations

import math
import tomllib
import warnings

import pytest
from generators import mm1_bts_pair, scenario_dicts
from hypothesis import given
from hypothesis import strategies as st

from btoagents import ConfigError
from btoagents.config import dump_scenario
from btoagents.config.loading import build_scenario
from btoagents.model import SupplyChainModel


def build(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return build_scenario(data, "generated")


class Watcher:
    """Checks stock and finished-goods invariants at every day of a run."""

    def __init__(self, m: SupplyChainModel) -> None:
        self.m = m
        self.bto = [v for v, s in enumerate(m.strategy) if s != 0]
        self.ticks = 0
        m.cal.at(0.0, self.tick)
        original = m._deliver

        def deliver(order, discount, from_stock):
            if from_stock:
                assert m.cal.now == order.arrival, "an order served from stock waited"
            original(order, discount, from_stock)

        m._deliver = deliver

    def tick(self, _=None) -> None:
        m = self.m
        points = m.stock_points
        for sp in points:
            assert min(sp.on_hand, default=0) >= 0, f"negative stock at {sp.name}"
        finished = [m.manufacturer.finished, *(d.stock for d in m.dealers)]
        for v in self.bto:
            held = sum(sp.on_hand[v] for sp in finished)
            assert held == 0, f"build-to-order variant {v} holds {held} finished units"
        assert m.manufacturer.workcenter.busy.level <= m.manufacturer.workcenter.lines
        self.ticks += 1
        m.cal.after(1.0, self.tick)


@given(scenario_dicts())
def test_random_scenarios_run_conserve_and_keep_every_invariant(data):
    scn = build(data)
    m = SupplyChainModel(scn, seed=1)
    watcher = Watcher(m)
    k = m.run()  # raises ConservationError when units or orders do not balance
    assert watcher.ticks >= int(scn.simulation.horizon)
    assert 0.0 <= k["utilization"] <= 1.0 + 1e-12
    for name in (
        "fill_rate",
        "stock_service_share",
        "on_time_rate",
        "on_time_to_quote",
        "lost_sales_rate",
    ):
        assert math.isnan(k[name]) or 0.0 <= k[name] <= 1.0
    assert k["fg_inventory"] >= 0 and k["backorders"] >= 0
    gaps = m.littles_law_gaps()
    assert abs(gaps["backlog"]) < 1e-6 and abs(gaps["stock"]) < 1e-6


@given(scenario_dicts(), st.integers(0, 2**31 - 1))
def test_the_same_seed_gives_identical_kpis(data, seed):
    scn = build(data)
    a = SupplyChainModel(scn, seed=seed).run()
    b = SupplyChainModel(scn, seed=seed).run()
    assert a.keys() == b.keys()
    for key in a:
        assert (math.isnan(a[key]) and math.isnan(b[key])) or a[key] == b[key], key


@given(mm1_bts_pair(), st.integers(0, 1000))
def test_more_base_stock_never_lowers_fill_rate_under_common_random_numbers(pair, seed):
    rho, small, big = pair
    fills = []
    for s in (small, big):
        data = {
            "simulation": {"horizon": 300.0, "warmup": 0.0},
            "products": {"standard": {"strategy": "bts", "demand_rate": rho, "base_stock": s}},
            "manufacturer": {"lines": 1, "service_rate": 1.0, "discipline": "fcfs"},
        }
        fills.append(SupplyChainModel(build(data), seed=seed).run()["fill_rate"])
    assert fills[1] >= fills[0]


@given(scenario_dicts())
def test_a_scenario_written_to_toml_and_read_back_is_the_same(data):
    scn = build(data)
    again = build(tomllib.loads(dump_scenario(scn)))
    assert again == scn


NUMERIC_KEYS = [
    ("simulation", "horizon"),
    ("manufacturer", "service_rate"),
    ("manufacturer", "lines"),
    ("customers", "count"),
    ("dealers", "transport_time"),
    ("supplier", "lead_time"),
    ("demand", "amplitude"),
]


@given(scenario_dicts(), st.sampled_from(NUMERIC_KEYS), st.sampled_from([-1, -0.5, "many"]))
def test_an_invalid_value_raises_config_error_naming_the_key(data, key, bad):
    section, name = key
    data[section][name] = bad
    with pytest.raises(ConfigError, match=rf"{section}\.{name}"):
        build(data)


@given(scenario_dicts(), st.sampled_from(["simulation", "manufacturer", "customers", "dealers"]))
def test_an_unknown_key_raises_config_error_naming_it(data, section):
    data[section]["bogus_setting"] = 1
    with pytest.raises(ConfigError, match=rf"{section}\.bogus_setting"):
        build(data)


@given(scenario_dicts())
def test_a_negative_product_rate_raises_config_error_naming_the_product(data):
    name = next(iter(data["products"]))
    data["products"][name]["demand_rate"] = -0.1
    with pytest.raises(ConfigError, match=rf"products\.{name}\.demand_rate"):
        build(data)
