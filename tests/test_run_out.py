"""Model-year run-out: replenishment stops before the end of life, stock sells down with
escalating incentives, and only the remainder is written off."""

from __future__ import annotations

import math

import pytest

from btoagents.config import load_scenario
from btoagents.model import SupplyChainModel
from btoagents.vocabulary import Strategy

SHORT = ["simulation.horizon=240", "simulation.warmup=40"]


def run(end: str, seed: int = 3) -> SupplyChainModel:
    m = SupplyChainModel(
        load_scenario("dealer-network", [*SHORT, f"generations.life_cycle_end={end}"]), seed
    )
    m.kpis_record = m.run()  # the model's audit raises if units or orders do not balance
    return m


def test_run_out_sells_stock_before_the_write_off():
    off, out = run("write_off"), run("run_out")
    assert out.written_off < off.written_off  # whole run, early windows cut short at day 0
    assert out.life_cycle.run_out_sold > 0
    assert off.life_cycle.run_out_sold == 0
    k_off, k_out = off.kpis_record, out.kpis_record
    assert k_out["obsolescence_cost"] < k_off["obsolescence_cost"] / 2  # in the window
    assert k_out["discount_cost"] > k_off["discount_cost"]  # incentives granted


def test_targets_and_incentives_through_one_run_out():
    scn = load_scenario("dealer-network", SHORT)
    gen = scn.generations  # 75 days, 3%, 6%, 10%, ramp-up over 28 days
    m = SupplyChainModel(scn, seed=1)
    # the stocked variant whose first generation ends latest within the run
    stocked = [i for i, on in enumerate(m.dealers[0].stock.base) if on > 0]
    v = max(stocked, key=lambda i: m.catalog.variants[i].first_end_of_life)
    end = m.catalog.variants[v].first_end_of_life
    assert end > gen.run_out_days
    saved = [d.stock.base[v] for d in m.dealers]
    step = gen.run_out_days / len(gen.run_out_discounts)
    share = m.run_out_share
    m.cal.run_until(end - gen.run_out_days - 0.5)
    assert share[v] == 0.0 and v not in m.life_cycle.in_run_out
    for i, discount in enumerate(gen.run_out_discounts):
        m.cal.run_until(end - gen.run_out_days + i * step + 0.5)
        assert share[v] == discount
        assert [d.stock.base[v] for d in m.dealers] == [0] * len(m.dealers)
        assert m.plant.finished.base[v] == 0
    m.cal.run_until(end + 0.5)  # end of life: the successor's targets at 1/4, rounded up
    assert share[v] == 0.0
    assert [d.stock.base[v] for d in m.dealers] == [math.ceil(s / 4) for s in saved]
    m.cal.run_until(end + gen.ramp_up_days + 0.5)
    assert [d.stock.base[v] for d in m.dealers] == saved


def test_the_write_off_default_is_the_old_change_over():
    scn = load_scenario("dealer-network", [*SHORT, "generations.life_cycle_end=write_off"])
    m = SupplyChainModel(scn, seed=1)
    assert m.run_out_share is None
    assert load_scenario("mm1-bts").generations.life_cycle_end == "write_off"


@pytest.mark.parametrize(
    "bad", ["run_out_discounts=[1.2]", "run_out_days=-1", "life_cycle_end='sell'"]
)
def test_bad_run_out_settings_name_the_key(bad):
    with pytest.raises(Exception, match="generations"):
        load_scenario("dealer-network", [f"generations.{bad}"])


def test_a_variant_switched_during_its_run_out_keeps_the_policys_targets():
    m = SupplyChainModel(load_scenario("dealer-network", SHORT), seed=1)
    v = next(i for i, on in enumerate(m.dealers[0].stock.base) if on > 0)
    m.life_cycle.start_run_out(v)
    assert v in m.life_cycle.in_run_out
    m.set_strategy(v, Strategy.BTO)  # what an adaptive fulfillment policy may decide
    m.life_cycle.end_of_life(v)
    assert [d.stock.base[v] for d in m.dealers] == [0] * len(m.dealers)
    assert v not in m.life_cycle.in_run_out and v not in m.life_cycle.saved
    assert m.run_out_share[v] == 0.0
