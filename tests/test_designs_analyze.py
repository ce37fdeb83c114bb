"""Design methods' ``analyze``: Sobol indices (Saltelli designs) and Morris elementary
effects recover the closed-form values of known functions, within tolerances derived from
SALib's own bootstrap intervals; the analysis of a results folder reads the manifest's
design record and never parses the experiment file."""

from __future__ import annotations

import json
import math
import tomllib

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm

from btoagents import ConfigError
from btoagents.experiment import sweep
from btoagents.experiment.analysis import analyze, design_indices, morris_indices, sobol_indices
from btoagents.experiment.designs import (
    DesignRecord,
    design_points,
    design_record,
    explicit,
    factorial,
    lhs,
    morris,
    saltelli,
    sobol,
)
from btoagents.experiment.designs.space import point_matrix
from btoagents.experiment.spec import ExperimentSpec, load_experiment

#: family-wise error of the index checks of one test: each check is a two-sided interval
#: at level 1 - ALPHA / checks (Bonferroni), so all pass together with probability >= 1 - ALPHA
ALPHA = 0.001


def widen(conf: np.ndarray, checks: int) -> np.ndarray:
    """SALib's 95% half-widths (z_0.975 bootstrap standard errors) widened to the
    Bonferroni level of ``checks`` simultaneous two-sided checks at family-wise ALPHA."""
    return np.asarray(conf) / norm.ppf(0.975) * norm.ppf(1 - ALPHA / (2 * checks))


def ranged_spec(kind: str, ranges: dict[str, list[float]], **design) -> ExperimentSpec:
    return ExperimentSpec.model_validate(
        {
            "name": "known",
            "scenario": "mm1-bts",
            "seed": 4,
            "design": {"kind": kind, **design},
            "factors": {n: {"key": "manufacturer.lines", "range": r} for n, r in ranges.items()},
        }
    )


def record_and_x(spec: ExperimentSpec) -> tuple[DesignRecord, np.ndarray]:
    record = design_record(spec, design_points(spec))
    return record, point_matrix(record.points, record.names)


# -- Saltelli: Sobol indices ------------------------------------------------------------------


def test_sobol_indices_of_a_linear_function_are_its_variance_shares():
    """y = sum a_i x_i with x_i ~ U(lo_i, hi_i): V_i = a_i^2 (hi_i - lo_i)^2 / 12 and, with
    no interactions, S1_i = ST_i = V_i / sum V (here 1/6, 4/6, 1/6)."""
    ranges = {"x1": [0.0, 1.0], "x2": [0.0, 2.0], "x3": [-1.0, 1.0]}
    a = np.array([1.0, 1.0, 0.5])
    spec = ranged_spec("saltelli", ranges, samples=512)
    record, x = record_and_x(spec)
    res = saltelli.analyze(record, x @ a, seed=1)
    width = np.array([hi - lo for lo, hi in ranges.values()])
    shares = (a * width) ** 2 / 12
    shares /= shares.sum()
    assert np.allclose(shares, [1 / 6, 4 / 6, 1 / 6])
    assert np.all(np.abs(res["S1"] - shares) <= widen(res["S1_conf"], 6))
    assert np.all(np.abs(res["ST"] - shares) <= widen(res["ST_conf"], 6))


def ishigami_indices(a: float = 7.0, b: float = 0.1) -> dict[str, np.ndarray]:
    """Closed-form Sobol indices of the Ishigami function on [-pi, pi]^3 (Ishigami and
    Homma 1990; Sobol and Levitan 1999)."""
    pi4, pi8 = math.pi**4, math.pi**8
    v1 = 0.5 * (1 + b * pi4 / 5) ** 2
    v2 = a**2 / 8
    v13 = b**2 * pi8 * (1 / 18 - 1 / 50)
    v = v1 + v2 + v13
    s2 = np.zeros((3, 3))
    s2[0, 2] = v13 / v
    return {
        "S1": np.array([v1, v2, 0.0]) / v,
        "ST": np.array([v1 + v13, v2, v13]) / v,
        "S2": s2,
    }


def test_saltelli_with_second_order_recovers_the_ishigami_indices():
    from SALib.test_functions import Ishigami

    spec = ranged_spec(
        "saltelli",
        {n: [-math.pi, math.pi] for n in ("x1", "x2", "x3")},
        samples=1024,
        second_order=True,
    )
    record, x = record_and_x(spec)
    assert record.settings["second_order"] is True
    res = saltelli.analyze(record, Ishigami.evaluate(x), seed=1)
    truth = ishigami_indices()
    checks = 3 + 3 + 3  # S1, ST, and the three pairs of S2
    assert np.all(np.abs(res["S1"] - truth["S1"]) <= widen(res["S1_conf"], checks))
    assert np.all(np.abs(res["ST"] - truth["ST"]) <= widen(res["ST_conf"], checks))
    for i, j in ((0, 1), (0, 2), (1, 2)):
        assert abs(res["S2"][i, j] - truth["S2"][i, j]) <= widen(res["S2_conf"][i, j], checks)


# -- Morris: elementary effects ---------------------------------------------------------------


def test_morris_elementary_effects_of_a_linear_function_are_its_slopes_times_ranges():
    """For y = sum a_i x_i every elementary effect of x_i is a_i (hi_i - lo_i) (the change
    over the range scaled to [0, 1]): mu* = |a_i| (hi_i - lo_i), sigma = 0, no spread to
    bootstrap. Exact up to rounding, whatever the trajectories."""
    ranges = {"x1": [0.0, 1.0], "x2": [10.0, 30.0], "x3": [-1.0, 1.0], "x4": [0.0, 5.0]}
    a = np.array([2.0, -0.5, 0.0, 1.0])
    spec = ranged_spec("morris", ranges, samples=12, levels=6)
    record, x = record_and_x(spec)
    assert record.settings["levels"] == 6
    res = morris.analyze(record, x @ a, seed=1)
    width = np.array([hi - lo for lo, hi in ranges.values()])
    assert np.allclose(res["mu_star"], np.abs(a) * width, rtol=1e-9, atol=1e-9)
    assert np.allclose(res["mu"], a * width, rtol=1e-9, atol=1e-9)
    assert np.allclose(res["sigma"], 0.0, atol=1e-9)
    assert np.allclose(res["mu_star_conf"], 0.0, atol=1e-9)


def test_morris_ranks_the_ishigami_factors_and_sees_the_interaction():
    """Ishigami: x3 acts only through its interaction with x1, so its mu* is well above 0
    and its sigma at least its mu* (effects of both signs); x2's effect sin^2 is nonlinear."""
    from SALib.test_functions import Ishigami

    spec = ranged_spec("morris", {n: [-math.pi, math.pi] for n in ("x1", "x2", "x3")}, samples=50)
    record, x = record_and_x(spec)
    res = morris.analyze(record, Ishigami.evaluate(x), seed=1)
    lower = res["mu_star"] - widen(res["mu_star_conf"], 3)
    assert np.all(lower > 0)  # every factor matters
    assert res["sigma"][2] >= res["mu_star"][2]


@pytest.mark.parametrize("module", [factorial, lhs, sobol, explicit])
def test_designs_without_indices_say_so(module):
    record = DesignRecord(module.KIND, {}, None, [{"x": 1.0}])
    with pytest.raises(ConfigError, match=f"a '{module.KIND}' design has no sensitivity indices"):
        module.analyze(record, np.zeros(1), seed=1)


# -- the analysis of a results folder reads the design record ---------------------------------


def ishigami_rows(points: list[dict], names: list[str]) -> pd.DataFrame:
    from SALib.test_functions import Ishigami

    y = Ishigami.evaluate(point_matrix(points, names))
    return pd.DataFrame(
        {"point": range(len(y)), "arm": "base", "status": "ok", "f": y, "g": 2.0 * y}
    )


def refuse_toml(monkeypatch) -> None:
    """From now on, any TOML parsing fails the test."""

    def refuse(*args, **kwargs):
        raise AssertionError("the analysis parsed TOML")

    monkeypatch.setattr(tomllib, "loads", refuse)
    monkeypatch.setattr("btoagents.config.loading.parse_toml", refuse)


@pytest.mark.parametrize(
    "kind, design", [("saltelli", {"samples": 64}), ("morris", {"samples": 8})]
)
def test_indices_from_the_record_equal_those_of_an_older_manifest(kind, design, monkeypatch):
    spec = ranged_spec(kind, {n: [-math.pi, math.pi] for n in ("x1", "x2", "x3")}, **design)
    points = design_points(spec)
    new = json.loads(
        json.dumps({"design": design_record(spec, points).to_json(), "arms": ["base"], "seeds": {}})
    )
    old = {
        "design": {"kind": kind, "points": points},
        "factors": {n: f.model_dump(mode="json") for n, f in spec.factors.items()},
        "experiment_text": f"[design]\nkind = '{kind}'\n",
        "arms": ["base"],
        "seeds": {},
    }
    rows = ishigami_rows(points, list(spec.factors))
    from_old = design_indices(rows, old, ["f", "g"], seed=3)

    refuse_toml(monkeypatch)
    from_new = design_indices(rows, new, ["f", "g"], seed=3)
    pd.testing.assert_frame_equal(from_new, from_old)
    fields = {"saltelli": saltelli.FIELDS, "morris": morris.FIELDS}[kind]
    assert list(from_new.columns) == ["arm", "kpi", "factor", *fields]
    assert len(from_new) == 2 * 3


def test_index_functions_refuse_the_other_design():
    spec = ranged_spec("morris", {"x1": [0.0, 1.0], "x2": [0.0, 1.0]}, samples=4)
    manifest = {"design": design_record(spec, design_points(spec)).to_json(), "arms": ["base"]}
    rows = pd.DataFrame()  # refused before the rows are read
    with pytest.raises(ConfigError, match="Sobol indices need a 'saltelli' design.*'morris'"):
        sobol_indices(rows, manifest)
    manifest["design"]["kind"] = "saltelli"
    with pytest.raises(ConfigError, match="Morris statistics need a 'morris' design"):
        morris_indices(rows, manifest)


def test_a_sweep_records_the_design_and_its_analysis_parses_no_toml(tmp_path, monkeypatch):
    text = """
name = "saltelli-record"
scenario = "mm1-bts"
replications = 1
seed = 6
overrides = ["simulation.horizon=120", "simulation.warmup=20"]
kpis = ["utilization", "fg_inventory"]
[design]
kind = "saltelli"
samples = 2
[factors.rate]
key = "products.standard.demand_rate"
range = [0.3, 0.6]
[factors.speed]
key = "manufacturer.service_rate"
range = [1.0, 2.0]
"""
    path = tmp_path / "exp.toml"
    path.write_text(text)
    spec, _, _ = load_experiment(path)
    sweep(path, folder=tmp_path / "res")
    manifest = json.loads((tmp_path / "res" / "manifest.json").read_text())
    expected = design_record(spec, design_points(spec)).to_json()
    assert manifest["design"] == json.loads(json.dumps(expected))
    assert manifest["design"]["settings"] == {"samples": 2, "seed": 6, "second_order": False}
    assert manifest["design"]["problem"]["names"] == ["rate", "speed"]

    refuse_toml(monkeypatch)
    tables = analyze(tmp_path / "res")
    sobol_table = tables["sobol"]
    assert set(sobol_table["factor"]) == {"rate", "speed"}
    assert (tmp_path / "res" / "analysis" / "sobol.csv").is_file()
