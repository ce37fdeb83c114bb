"""Order-up-to dealers: protection interval R + L, statistical safety stock, forecast floor."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from btoagents.config import load_scenario
from btoagents.config.schema import ForecastConfig
from btoagents.model import SupplyChainModel
from btoagents.policies.replenishment import Forecast
from btoagents.replications import simulate_one

#: dealer-network with order-up-to dealers, short, without model-year change-overs
PERIODIC = [
    "simulation.horizon=240",
    "simulation.warmup=40",
    "dealers.policy=order_up_to",
    "products.compact.life_cycle=100000",
    "products.suv.life_cycle=100000",
    "products.van.life_cycle=100000",
]


def test_the_initial_level_is_the_mean_over_r_plus_l_plus_z_sigma():
    scn = load_scenario("dealer-network", PERIODIC)
    fc = scn.forecast  # review 7 days, z 1.65, dealer_plant_days 22
    m = SupplyChainModel(scn, seed=1)
    sp = m.dealers[0].stock
    p = 1 + (scn.dealers.transport_time + fc.dealer_plant_days) / fc.review_period
    stocked = [i for i, on in enumerate(sp.periodic) if on]
    assert stocked
    for i in stocked:
        mean = m.catalog.variants[i].rate * m.dealers[0].share * fc.review_period
        assert sp.lead_periods[i] == pytest.approx(p)
        # sigma starts at the Poisson value sqrt(mean)
        assert sp.base[i] == round(p * mean + fc.safety_factor * math.sqrt(mean) * math.sqrt(p))


def test_the_forecast_error_and_floor_by_hand():
    cfg = ForecastConfig(window=2, safety_factor=1.0, error_alpha=0.5, floor_share=0.5)
    f = Forecast(cfg, 1, [4.0])
    assert f.sigma(0) == 2.0  # initial MSE: the mean (Poisson variance)
    assert f.update(0, 6.0) == 5.0  # moving average of (4, 6); error 6 - 4 = 2: MSE 4
    assert f.sigma(0) == 2.0
    assert f.update(0, 0.0) == 3.0  # (6, 0); error 0 - 5: MSE 4 + 0.5 * (25 - 4) = 14.5
    assert f.sigma(0) == pytest.approx(math.sqrt(14.5))
    assert f.update(0, 0.0) == 2.0  # (0, 0) is below the floor 0.5 * 4


def fill_rates(z: float, seeds: range) -> np.ndarray:
    over = [*PERIODIC, f"forecast.safety_factor={z}"]
    return np.array(
        [simulate_one(load_scenario("dealer-network", over), s)["fill_rate"] for s in seeds]
    )


def test_the_fill_rate_rises_with_the_safety_factor():
    seeds = range(1, 6)
    rates = [fill_rates(z, seeds) for z in (0.0, 1.0, 2.5)]
    t = stats.t.ppf(0.975, len(seeds) - 1)
    for low, high in zip(rates, rates[1:], strict=False):
        diff = high - low  # paired by seed (common random numbers)
        half = t * diff.std(ddof=1) / math.sqrt(len(diff))
        assert diff.mean() - half > 0, (diff.mean(), half)
    assert rates[-1].mean() > 0.9  # today's rule (L = 60 days of supply, no z) gave 0.12
