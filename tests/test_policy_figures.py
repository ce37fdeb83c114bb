"""Figures of questions 3 and 4 (capacity exposure, adaptive policies) on synthetic stored
policy experiments: files written, macros equal to paired statistics computed here."""

from __future__ import annotations

import math
import zlib
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from btoagents.config import load_scenario
from btoagents.experiment.store import ResultStore
from btoagents.figures.numbers import Generated, parse_ci
from btoagents.figures.stored import Stored


def t_interval(values) -> tuple[float, float]:
    x = np.asarray(values, dtype=float)
    return float(x.mean()), float(stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / len(x) ** 0.5)


def shown(gen: Generated, name: str) -> tuple[float, float]:
    return parse_ci(gen.macros[name][0])


def close(gen: Generated, name: str, mean: float, half: float, scale: float = 1.0) -> None:
    text = gen.macros[name][0].replace("{,}", "")
    decimals = len(text.split(r"\pm")[0].strip(" }").split(".")[1]) if "." in text else 0
    tol = 0.5 * 10**-decimals + 1e-9
    m, h = shown(gen, name)
    assert abs(m - mean * scale) <= tol and abs(h - half * scale) <= tol, (name, m, h)


def arm_store(folder: Path, name: str, factor: str, levels, arms, kpis, reps=5) -> Stored:
    """A results folder with ``arms`` x ``levels`` x ``reps`` rows from ``kpis(arm, level,
    rep, rng)``; replication r shares its noise across arms (common random numbers)."""
    store = ResultStore(folder)
    store.open(
        {
            "name": name,
            "experiment_hash": "synthetic",
            "experiment_text": f'name = "{name}"\n',
            "scenario": load_scenario("dealer-network").model_dump(mode="json"),
            "design": {"kind": "full_factorial"},
            "factors": {factor: {"key": f"x.{factor}", "levels": list(levels)}},
            "arms": list(arms),
            "runs_total": len(arms) * len(levels) * reps,
        }
    )
    rows = []
    for p, level in enumerate(levels):
        for r in range(reps):
            noise = np.random.default_rng(100 * p + r)
            common = noise.normal(size=8)
            for arm in arms:
                rows.append(
                    {
                        "run_key": f"{p}-{arm}-{r}",
                        "point": p,
                        "arm": arm,
                        "replication": r,
                        "seed": r,
                        f"factor.{factor}": level,
                        "status": "ok",
                        "error": None,
                        "elapsed": 0.1,
                        **kpis(
                            arm,
                            level,
                            common,
                            np.random.default_rng(zlib.crc32(arm.encode()) % 1000 + r),
                        ),
                    }
                )
    store.write_rows(rows)
    return Stored.load(folder)


CAP_ARMS = ["level", "pure-ato", "pure-bts", "chase", "prebuild", "slots"]
EFFECT = {"level": 0, "pure-ato": -5, "pure-bts": -20, "chase": -26, "prebuild": -25, "slots": -6}


def capacity_kpis(arm, amp, common, rng):
    peak = amp > 0.5
    return {
        "lead_time_p95": 25 + (25 + EFFECT[arm]) * peak + common[0] + rng.normal(0, 0.5),
        "utilization_sd": 0.2 + 0.1 * peak - 0.05 * (arm == "chase") + 0.01 * common[1],
        "profit": 5000
        - 270 * (arm == "chase")
        - 10 * (arm == "prebuild")
        + 50 * common[2]
        + rng.normal(0, 5),
        "fg_inventory": 10 + 100 * (arm == "prebuild") + rng.normal(0, 1),
    }


def test_capacity_figure_and_numbers(tmp_path):
    from btoagents.figures.capacity import capacity_numbers, plot_capacity

    data = arm_store(
        tmp_path / "r", "policy-capacity-season", "amplitude", [0.4, 0.8], CAP_ARMS, capacity_kpis
    )
    paths = plot_capacity(data, tmp_path / "out" / "capacity")
    assert [p.suffix for p in paths] == [".pdf", ".png"]
    assert all(p.stat().st_size > 5000 for p in paths)
    gen = Generated()
    capacity_numbers(data, gen)
    rows = data.rows[np.isclose(data.rows["factor.amplitude"], 0.8)]

    def col(arm, kpi):
        return rows[rows["arm"] == arm].set_index("replication")[kpi]

    close(gen, "CapLevelPninetyfive", *t_interval(col("level", "lead_time_p95")))
    for arm, tag in (("chase", "Chase"), ("prebuild", "Prebuild"), ("slots", "Slots")):
        diff = col(arm, "lead_time_p95") - col("level", "lead_time_p95")
        close(gen, f"Cap{tag}PninetyfiveDiff", *t_interval(diff))
        diff = col(arm, "profit") - col("level", "profit")
        close(gen, f"Cap{tag}ProfitDiff", *t_interval(diff))
    # the common noise cancels in the paired differences: chase -26 days exactly, +- rng only
    mean, half = shown(gen, "CapChasePninetyfiveDiff")
    assert mean == pytest.approx(-26, abs=1.0) and half < 1.5


SHIFT_ARMS = ["static-hybrid", "pure-bts", "pure-bto", "classification", "cost", "bandit"]
GAIN = {
    "static-hybrid": 0,
    "pure-bts": 7,
    "pure-bto": 13,
    "classification": 9,
    "cost": 22,
    "bandit": 19,
}


def shift_kpis(arm, day, common, rng):
    shifted = day < 1000
    base = 186_000 - 16_000 * shifted
    gain = GAIN[arm] * 1000 if shifted else (GAIN[arm] - 10) * 1000
    return {
        "profit": base + gain + 2000 * common[0] + rng.normal(0, 300),
        "fg_inventory": 1200 + 100 * common[1] + {"cost": -700}.get(arm, 0),
        "lead_time_mean": 12 + common[2] + {"bandit": -10}.get(arm, 0),
    }


def test_adaptive_figure_and_numbers(tmp_path):
    from btoagents.figures.adaptive import adaptive_numbers, plot_adaptive

    data = arm_store(
        tmp_path / "r",
        "policy-fulfillment-shift",
        "shift_day",
        [240.0, 1e6],
        SHIFT_ARMS,
        shift_kpis,
    )
    paths = plot_adaptive(data, tmp_path / "out" / "adaptive")
    assert all(p.stat().st_size > 5000 for p in paths)
    gen = Generated()
    adaptive_numbers(data, gen)
    rows = data.rows

    def col(arm, day, kpi="profit"):
        part = rows[(rows["arm"] == arm) & np.isclose(rows["factor.shift_day"], day)]
        return part.set_index("replication")[kpi]

    loss = col("static-hybrid", 1e6) - col("static-hybrid", 240.0)
    close(gen, "AdaptStaticShiftLoss", *t_interval(loss), scale=1e-3)
    for arm, tag in (("cost", "Cost"), ("bandit", "Bandit"), ("classification", "Classification")):
        close(
            gen,
            f"Adapt{tag}ProfitDiffShift",
            *t_interval(col(arm, 240.0) - col("static-hybrid", 240.0)),
            scale=1e-3,
        )
        close(
            gen,
            f"Adapt{tag}ProfitDiffSteady",
            *t_interval(col(arm, 1e6) - col("static-hybrid", 1e6)),
            scale=1e-3,
        )
    close(gen, "AdaptCostStock", *t_interval(col("cost", 240.0, "fg_inventory")))
    assert shown(gen, "AdaptCostProfitDiffShift")[0] == pytest.approx(22, abs=0.5)
    assert not math.isnan(shown(gen, "AdaptBanditLead")[0])
