"""PoissonSafetyStock's level on numbers given by hand, and what it changes in a short run."""

from __future__ import annotations

import math

import pytest

from btoagents.config import load_scenario
from btoagents.errors import ConfigError
from btoagents.model import SupplyChainModel
from examples.custom_replenishment import PoissonSafetyStock, poisson_level

SPEC = "examples.custom_replenishment:PoissonSafetyStock"
#: order-up-to dealers; the built-in rule without its own statistical safety stock
SHORT = [
    "simulation.horizon=240",
    "simulation.warmup=40",
    "dealers.policy=order_up_to",
    "forecast.safety_factor=0",
]


def test_the_level_is_lead_time_demand_plus_z_poisson_deviations():
    assert poisson_level(16.0, 2.0) == 16.0 + 2.0 * 4.0
    assert poisson_level(16.0, 0.0) == 16.0
    assert poisson_level(9.0, 1.0, safety_stock=5.0) == 9.0 + 3.0 + 5.0
    assert poisson_level(-1.0, 2.0) == -1.0  # no demand forecast: no safety stock
    assert poisson_level(25.0, 1.65) == pytest.approx(25.0 + 1.65 * 5.0)


def test_dealers_hold_more_stock_and_z_zero_is_the_built_in_rule():
    plain_model = SupplyChainModel(load_scenario("dealer-network", SHORT), seed=2)
    model = SupplyChainModel(
        load_scenario("dealer-network", [*SHORT, f"forecast.rule={SPEC}"]), seed=2
    )
    assert isinstance(model.periodic_review, PoissonSafetyStock)
    [sp, *_] = [d.stock for d in model.dealers]
    plain_sp = plain_model.dealers[0].stock
    stocked = [i for i, p in enumerate(sp.periodic) if p]
    assert stocked
    for i in stocked:  # initial targets, from the mean demand per period
        lead_demand = sp.lead_periods[i] * sp.forecast.level[i]
        assert plain_sp.base[i] == round(lead_demand)  # the built-in: no fixed safety stock
        assert sp.base[i] == round(lead_demand + 1.65 * math.sqrt(lead_demand))
    kpis = model.run()  # conservation is audited at the end of the run
    plain = plain_model.run()
    assert kpis["dealer_inventory"] > plain["dealer_inventory"]
    assert kpis["fill_rate"] >= plain["fill_rate"]
    zero = [*SHORT, f"forecast.rule={SPEC}", "forecast.params.z=0"]
    assert SupplyChainModel(load_scenario("dealer-network", zero), seed=2).run() == pytest.approx(
        plain, nan_ok=True
    )


def test_its_parameters_are_checked_at_load():
    with pytest.raises(ConfigError) as exc:
        load_scenario("dealer-network", [f"forecast.rule={SPEC}", "forecast.params.zz=2"])
    assert str(exc.value).endswith("did you mean 'forecast.params.z'?")
