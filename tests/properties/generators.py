"""Generators of valid scenarios for the property tests."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

STRATEGIES = ("bts", "ato", "bto", "eto")


@st.composite
def scenario_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A random valid scenario (as a dict) with offered load below 0.95."""
    lines = draw(st.integers(1, 3))
    service_rate = draw(st.floats(0.5, 5.0))
    capacity = lines * service_rate
    rho = draw(st.floats(0.2, 0.9))
    n_products = draw(st.integers(1, 3))
    shares = [draw(st.floats(0.1, 1.0)) for _ in range(n_products)]
    bulk = draw(st.booleans())
    bulk_share = 0.15 if bulk else 0.0
    total = rho * capacity * (1 - bulk_share)
    products = {}
    for i, share in enumerate(shares):
        strategy = draw(st.sampled_from(STRATEGIES))
        prod: dict[str, Any] = {
            "strategy": strategy,
            "demand_rate": total * share / sum(shares),
            "variants": draw(st.integers(1, 6)),
            "zipf_exponent": draw(st.floats(0.0, 1.5)),
            "base_stock": draw(st.integers(0, 6)),
            "tail_share": draw(st.sampled_from([0.0, 0.0, 0.5])),
            "tail_strategy": draw(st.sampled_from(["bto", "eto"])),
            "price": 10.0,
            "unit_cost": 6.0,
            "salvage_value": 2.0,
            "release_days": draw(st.sampled_from([0.0, 0.0, 2.0])),
            "engineering_days": draw(st.sampled_from([0.0, 1.5])),
        }
        if draw(st.booleans()):
            prod["life_cycle"] = draw(st.floats(20.0, 200.0))
        if strategy == "ato":
            prod["components"] = ["c0"]
        products[f"p{i}"] = prod
    data: dict[str, Any] = {
        "simulation": {"horizon": 150.0, "warmup": draw(st.sampled_from([0.0, 20.0]))},
        "products": products,
        "components": {
            "c0": {
                "plant_base_stock": draw(st.integers(0, 5)),
                "plant_policy": draw(st.sampled_from(["base_stock", "ss", "order_up_to"])),
            }
        },
        "supplier": {
            "servers": 1,
            "service_rate": capacity * 2,
            "base_stock": draw(st.integers(0, 8)),
            "lead_time": draw(st.sampled_from([0.0, 1.0])),
            "policy": draw(st.sampled_from(["base_stock", "ss"])),
        },
        "manufacturer": {
            "lines": lines,
            "service_rate": service_rate,
            "service_distribution": draw(
                st.sampled_from(["exponential", "deterministic", "gamma", "lognormal"])
            ),
            "service_cv": draw(st.floats(0.3, 1.5)),
            "discipline": draw(st.sampled_from(["fcfs", "bto_priority", "bto_preemptive"])),
            "policy": draw(st.sampled_from(["base_stock", "ss"])),
            "overtime_lines": draw(st.integers(0, 1)),
            "overtime_threshold": draw(st.integers(1, 6)),
        },
        "customers": {
            "count": draw(st.integers(1, 40)),
            "patience": draw(st.sampled_from([float("inf"), 5.0, 30.0])),
            "patience_distribution": draw(st.sampled_from(["fixed", "exponential", "uniform"])),
            "substitution": draw(st.booleans()),
            "memory": draw(st.booleans()),
            "loyalty": draw(st.sampled_from([0.0, 0.5])),
        },
        "dealers": {
            "count": draw(st.integers(0, 3)),
            "days_of_supply": draw(st.floats(0.0, 15.0)),
            "policy": draw(st.sampled_from(["base_stock", "ss", "order_up_to"])),
            "reorder_days": draw(st.floats(0.0, 5.0)),
            "transport_time": draw(st.sampled_from([0.0, 2.0])),
            "markdown": [{"after_days": 5.0, "discount": 0.1}],
        },
        "demand": {
            "process": draw(st.sampled_from(["poisson", "seasonal"])),
            "amplitude": draw(st.floats(0.0, 0.9)),
            "period": draw(st.sampled_from([30.0, 100.0])),
        },
    }
    if bulk:
        size = 3.0
        data["intermediaries"] = {
            "fleet": {"rate": rho * capacity * bulk_share / size, "size_mean": size}
        }
    return data


@st.composite
def mm1_bts_pair(draw: st.DrawFn) -> tuple[float, int, int]:
    """(rho, S, S') with S < S' for the single-server FCFS base-stock monotonicity check."""
    rho = draw(st.floats(0.2, 0.9))
    s = draw(st.integers(0, 6))
    bigger = draw(st.integers(s + 1, 10))
    return rho, s, bigger


@st.composite
def policy_scenario_dicts(draw: st.DrawFn) -> dict[str, Any]:
    """A random valid scenario with random fulfillment, capacity and demand-management
    policies (dealers replenish by base stock or (s,S), as switching policies need)."""
    data = draw(scenario_dicts())
    policy = draw(st.sampled_from(["static", "classification", "cost", "bandit", "postponement"]))
    if policy != "static" and data["dealers"]["policy"] == "order_up_to":
        data["dealers"]["policy"] = "base_stock"
    data["fulfillment"] = {
        "policy": policy,
        "review_period": draw(st.sampled_from([5.0, 15.0])),
        "window": draw(st.sampled_from([10.0, 40.0])),
        "bucket_days": draw(st.sampled_from([2.0, 5.0])),
        "hold_days": draw(st.sampled_from([0.0, 10.0, 30.0])),
        "cover_days": draw(st.floats(1.0, 20.0)),
        "classification": {"runner_rate": draw(st.floats(0.1, 1.0)), "stranger_rate": 0.05},
        "cost": {"hysteresis": draw(st.floats(0.0, 0.5))},
        "postponement": {"min_commonality": draw(st.integers(1, 3))},
    }
    data["capacity"] = {
        "policy": draw(st.sampled_from(["level", "chase", "prebuild"])),
        "review_period": draw(st.sampled_from([3.0, 7.0])),
        "max_overtime_lines": draw(st.integers(0, 2)),
    }
    data["demand_management"] = {
        "acceptance": draw(st.sampled_from(["accept_all", "reject", "defer"])),
        "promise": draw(st.floats(0.5, 20.0)),
        "defer_days": draw(st.floats(0.5, 10.0)),
        "quote_margin": draw(st.sampled_from([0.0, 1.0])),
        "stock_discount": draw(st.sampled_from([0.0, 0.1])),
        "slot_days": draw(st.sampled_from([0.0, 0.0, 3.0])),
        "slot_discount": draw(st.sampled_from([0.0, 0.05])),
        "slot_extra_days": 5.0,
    }
    return data
