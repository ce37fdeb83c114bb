"""Whole-model guarantees: conservation, determinism, common random numbers, warm-up."""

from __future__ import annotations

import math

import numpy as np
import pytest

from btoagents import ConservationError, load_scenario, simulate
from btoagents.config import preset_names
from btoagents.demand import ArrivalProcess
from btoagents.model import SupplyChainModel
from btoagents.replications import confidence_interval, summarize
from builders import model

SHORT = ["simulation.horizon=200", "simulation.warmup=20"]


def same(a: dict, b: dict) -> bool:
    return a.keys() == b.keys() and all(
        (math.isnan(a[k]) and math.isnan(b[k])) or a[k] == b[k] for k in a
    )


@pytest.mark.parametrize("preset", preset_names())
def test_every_preset_runs_and_conserves_units_and_orders(preset):
    scn = load_scenario(preset, SHORT)
    m = SupplyChainModel(scn)
    k = m.run()  # run() raises ConservationError on any imbalance
    assert 0.0 <= k["utilization"] <= 1.0
    assert k["fg_inventory"] >= 0 and k["backorders"] >= 0
    assert m.arrived_final == m.delivered_final + m.open_final + m.lost_final


@pytest.mark.parametrize(
    "overrides",
    [
        ["manufacturer.discipline=bto_preemptive"],
        ["manufacturer.discipline=bto_priority"],
        ["dealers.policy=ss"],
        ["dealers.policy=order_up_to"],
        ["demand.process=seasonal", "demand.amplitude=0.6", "demand.period=100"],
    ],
)
def test_dealer_network_conserves_under_each_discipline_and_policy(overrides):
    m = SupplyChainModel(load_scenario("dealer-network", SHORT + overrides))
    k = m.run()
    assert k["utilization"] <= 1.0
    assert all(min(d.stock.on_hand) >= 0 for d in m.dealers)


def test_pure_bto_variants_never_hold_finished_goods():
    m = SupplyChainModel(load_scenario("dealer-network", SHORT))
    bto = [v for v, s in enumerate(m.strategy) if s == 2]
    assert bto
    seen = []

    def watch(_):
        seen.append(
            sum(m.manufacturer.finished.on_hand[v] for v in bto)
            + sum(d.stock.on_hand[v] for d in m.dealers for v in bto)
        )
        m.cal.after(1.0, watch)

    m.cal.at(0.0, watch)
    m.run()
    assert len(seen) > 100 and max(seen) == 0


def test_a_broken_balance_raises_conservation_error_naming_the_counts():
    m = SupplyChainModel(load_scenario("mm1-bts", SHORT))
    m.cal.run_until(m.horizon)
    m.delivered_units += 1
    with pytest.raises(ConservationError, match=r"units: produced \d+ .* delivered \d+"):
        m.check_conservation()
    m.delivered_units -= 1
    m.lost_final += 1
    with pytest.raises(ConservationError, match=r"orders: arrived \d+ != delivered"):
        m.check_conservation()


def test_same_seed_gives_bit_identical_kpis():
    scn = load_scenario("dealer-network", SHORT)
    assert same(SupplyChainModel(scn, seed=5).run(), SupplyChainModel(scn, seed=5).run())


def test_different_seeds_give_different_kpis():
    scn = load_scenario("dealer-network", SHORT)
    a, b = SupplyChainModel(scn, seed=5).run(), SupplyChainModel(scn, seed=6).run()
    assert a["fill_rate"] != b["fill_rate"]


def test_simulate_replications_have_distinct_seeds_and_reproduce():
    a = simulate("mm1-bto", replications=3, seed=9, overrides=SHORT)
    b = simulate("mm1-bto", replications=3, seed=9, overrides=SHORT)
    assert list(a["replication"]) == [0, 1, 2]
    assert a["seed"].nunique() == 3
    assert a.equals(b)


@pytest.mark.parametrize(
    "preset, arm_a, arm_b",
    [
        (
            "hybrid-mts-mto",
            ["manufacturer.discipline=fcfs"],
            ["manufacturer.discipline=bto_preemptive"],
        ),
        (
            "dealer-network",
            ["customers.memory=false"],
            [
                "customers.memory=false",
                "products.compact.strategy=bto",
                "products.suv.strategy=bto",
                "products.van.strategy=bto",
            ],
        ),
    ],
)
def test_two_policies_under_one_seed_see_the_same_customers(preset, arm_a, arm_b):
    runs = []
    for arm in (arm_a, arm_b):
        m = SupplyChainModel(load_scenario(preset, SHORT + arm), seed=3, trace=True)
        k = m.run()
        window = [a for a in m.trace if a[0] <= m.horizon]  # the drain differs by policy
        runs.append((window, k))
    (trace_a, kpi_a), (trace_b, kpi_b) = runs
    assert len(trace_a) > 100
    assert trace_a == trace_b  # same times, same customers, same variants
    assert kpi_a["lead_time_mean"] != kpi_b["lead_time_mean"]  # the policies did differ


def test_orders_arriving_in_the_warmup_are_not_counted():
    m = model(
        {
            "simulation": {"horizon": 400.0, "warmup": 200.0},
            "products": {"standard": {"strategy": "bto"}},
        },
        trace=True,
    )
    m.run()
    after = sum(1 for t, _, _ in m.trace if 200.0 <= t <= 400.0)
    assert m.kpi.total.arrived == after
    assert 0 < after < len(m.trace)


def test_time_averages_start_at_the_end_of_warmup():
    m = model({"simulation": {"horizon": 400.0, "warmup": 200.0}})
    m.run()
    assert m.kpi.fg_by_family[0].start == 200.0
    assert m.manufacturer.workcenter.busy.start == 200.0


def test_seasonal_thinning_matches_the_integrated_rate():
    extra = {
        "simulation": {"horizon": 2000.0},
        "products": {"standard": {"strategy": "bto", "demand_rate": 0.5}},
        "demand": {"process": "seasonal", "amplitude": 0.8, "period": 100.0, "peak_day": 25.0},
        "manufacturer": {"service_rate": 2.0},
    }
    m = model(extra, trace=True)
    m.run()
    times = np.array([t for t, _, _ in m.trace if t < 2000.0])
    proc: ArrivalProcess = m.arrivals
    # peak quarter vs trough quarter of each cycle: Poisson counts, 3-sd tolerance
    phase = times % 100.0
    peak = np.sum((phase >= 12.5) & (phase < 37.5))
    trough = np.sum((phase >= 62.5) & (phase < 87.5))
    exp_peak = 20 * proc.expected_arrivals(12.5, 37.5)
    exp_trough = 20 * proc.expected_arrivals(62.5, 87.5)
    assert abs(peak - exp_peak) < 3 * math.sqrt(exp_peak)
    assert abs(trough - exp_trough) < 3 * math.sqrt(exp_trough)
    assert exp_peak > 3 * exp_trough


def test_confidence_interval_is_student_t():
    mean, lo, hi, sd = confidence_interval(np.array([1.0, 2.0, 3.0, 4.0]))
    assert mean == 2.5
    assert sd == pytest.approx(1.2909944)
    assert hi - mean == pytest.approx(3.182446 * 1.2909944 / 2.0, rel=1e-6)
    assert lo == pytest.approx(2 * mean - hi)


def z_score(runs, kpi, theory):
    s = summarize(runs).loc[kpi]
    se = s["sd"] / math.sqrt(len(runs))
    return (s["mean"] - theory) / se


def test_mm1_base_stock_fill_rate_and_backorders_match_theory():
    rho, S = 0.8, 3
    runs = simulate("mm1-bts", replications=8, seed=1, overrides=["simulation.horizon=6000"])
    assert abs(z_score(runs, "fill_rate", 1 - rho**S)) < 3
    assert abs(z_score(runs, "fg_inventory", S - rho * (1 - rho**S) / (1 - rho))) < 3
    assert abs(z_score(runs, "backorders", rho ** (S + 1) / (1 - rho))) < 3


def test_mm1_build_to_order_lead_time_matches_theory():
    runs = simulate("mm1-bto", replications=8, seed=1, overrides=["simulation.horizon=6000"])
    assert abs(z_score(runs, "lead_time_mean", 1 / (1.0 - 0.8))) < 3
    assert abs(z_score(runs, "utilization", 0.8)) < 3


def test_time_series_are_sampled_with_mesa_datacollector():
    m = model({"simulation": {"horizon": 50.0, "sample_every": 5.0}})
    m.run()
    ts = m.timeseries()
    assert list(ts.columns) == ["time", "fg_stock", "backorders", "busy_lines", "wip"]
    assert list(ts["time"]) == [5.0 * k for k in range(11)]
    assert (ts["fg_stock"] >= 0).all() and (ts["busy_lines"] <= 1).all()


def test_agents_are_registered_with_mesa():
    from btoagents.agents import Dealer, FinalCustomer, HardwareSupplier, Manufacturer

    m = SupplyChainModel(load_scenario("dealer-network", SHORT))
    m.cal.run_until(5.0)  # customers (a purchase cycle's population) are built when met
    assert len(m.agents_by_type[FinalCustomer]) == m.customers.met > 100
    assert len(m.agents_by_type[Dealer]) == 8
    assert len(m.agents_by_type[HardwareSupplier]) == 2
    assert len(m.agents_by_type[Manufacturer]) == 1


def test_drain_delivers_every_window_order_so_lead_times_are_not_censored():
    extra = {
        "simulation": {"horizon": 300.0, "warmup": 30.0},
        "products": {"standard": {"strategy": "bto", "demand_rate": 0.5, "release_days": 40.0}},
    }
    drained = model(extra)
    k = drained.run()
    assert drained.counted_open == 0 and drained.cal.now > 300.0
    assert drained.kpi.total.delivered == drained.kpi.total.arrived
    censored = model({**extra, "simulation": {**extra["simulation"], "drain": False}})
    kc = censored.run()
    assert censored.kpi.total.delivered < censored.kpi.total.arrived
    # the same window and seed: time averages agree, censored lead times are shorter
    assert k["backorders"] == kc["backorders"] and k["utilization"] == kc["utilization"]
    assert kc["lead_time_mean"] < k["lead_time_mean"]


def test_the_model_and_its_agents_provide_every_member_of_the_chain_interfaces():
    import typing

    from btoagents import chain, lifecycle, sampling, window

    m = SupplyChainModel(load_scenario("dealer-network", SHORT))
    roles = [
        (chain.Audited, m),
        (chain.Recorded, m),
        (window.Windowed, m),
        (lifecycle.Cycled, m),
        (sampling.Sampled, m),
        (chain.Plant, m.plant),
        (chain.Outlet, m.dealers[0]),
        (chain.Supplier, m.supplier_of[0]),
        (chain.Buyer, m.customers[0]),
    ]
    for protocol, obj in roles:
        missing = sorted(n for n in typing.get_protocol_members(protocol) if not hasattr(obj, n))
        assert not missing, f"{type(obj).__name__} lacks {protocol.__name__} members {missing}"
    assert m.plant is m.manufacturer
    assert all(c.outlet is c.dealer.stock for c in m.customers)
