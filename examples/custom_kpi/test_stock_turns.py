"""StockTurns on a hand-made window: given these flows and stock levels, these turns."""

from __future__ import annotations

import math
from types import SimpleNamespace

import pytest

from btoagents.config import load_scenario
from btoagents.kpis import TimeAverage
from btoagents.kpis.catalogue import kpi_names
from btoagents.model import SupplyChainModel
from examples.custom_kpi import StockTurns


def level(value: float, start: float = 0.0) -> TimeAverage:
    """A time average that held ``value`` units from ``start`` on."""
    acc = TimeAverage(value)
    acc.reset(start)
    return acc


def chain(cogs: float, fg: list[float], costs: list[float], comp_value: float = 0.0):
    """A window of 100 days (warm-up 50, now 150) with ``cogs`` of goods sold, ``fg`` units
    of each family held throughout, at unit cost ``costs``."""
    products = {f"f{i}": SimpleNamespace(unit_cost=c) for i, c in enumerate(costs)}
    kpi = SimpleNamespace(
        flows=SimpleNamespace(cogs=cogs),
        fg_by_family=[level(u, 50.0) for u in fg],
        comp_value=level(comp_value, 50.0),
    )
    return SimpleNamespace(
        cal=SimpleNamespace(now=150.0), warmup=50.0, cfg=SimpleNamespace(products=products), kpi=kpi
    )


def test_turns_are_cost_of_goods_sold_per_year_over_mean_stock_value():
    # 1000 of cogs in 100 days: 3650 a year; stock 10 x 20 + 5 x 40 = 400 at cost
    c = chain(cogs=1000.0, fg=[10.0, 5.0], costs=[20.0, 40.0], comp_value=100.0)
    got = StockTurns(StockTurns.Params()).record({}, c)
    assert got["stock_turns"] == pytest.approx(3650.0 / 400.0)
    assert got["stock_days"] == pytest.approx(400.0 / 10.0)
    # components count as inventory when asked: 500 at cost
    with_components = StockTurns(StockTurns.Params(components=True)).record({}, c)
    assert with_components["stock_turns"] == pytest.approx(3650.0 / 500.0)


def test_no_sales_or_no_stock_give_nan():
    for c in (chain(0.0, [10.0], [20.0]), chain(1000.0, [0.0], [20.0])):
        got = StockTurns(StockTurns.Params()).record({}, c)
        assert math.isnan(got["stock_turns"]) and math.isnan(got["stock_days"])


def test_in_a_run_it_joins_the_record_and_the_catalogue(monkeypatch):
    overrides = [
        "simulation.horizon=120",
        "simulation.warmup=20",
        'kpis.plugins=["examples.custom_kpi:StockTurns"]',
    ]
    scn = load_scenario("dealer-network", overrides)
    assert kpi_names(scn)[-2:] == ["stock_turns", "stock_days"]
    kpis = SupplyChainModel(scn, seed=2).run()
    assert kpis["stock_turns"] > 0
    assert kpis["stock_days"] == pytest.approx(365.0 / kpis["stock_turns"])
