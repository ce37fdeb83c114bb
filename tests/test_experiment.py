"""The experiment harness: designs, CRN seeds, executors, resumable store, analysis, errors."""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from btoagents import BtoagentsError, ConfigError
from btoagents.experiment import ResultStore, load_results, status, sweep
from btoagents.experiment.analysis import paired_differences, sobol_indices, summarize_points
from btoagents.experiment.designs import design_points
from btoagents.experiment.spec import ExperimentSpec
from btoagents.random import replication_seed
from experiment_files import TINY


def write(tmp_path: Path, text: str, name: str = "exp.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def spec_of(design: str, **extra) -> ExperimentSpec:
    factors = {
        "a": {"key": "manufacturer.service_rate", "range": [1.0, 2.0]},
        "b": {"key": "products.standard.base_stock", "range": [0, 6], "integer": True},
        "c": {"key": "products.standard.demand_rate", "range": [0.2, 0.5]},
    }
    return ExperimentSpec.model_validate(
        {
            "name": "d",
            "scenario": "mm1-bts",
            "seed": 3,
            "factors": factors,
            "design": {"kind": design, **extra},
        }
    )


# -- designs -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "design, extra, size",
    [
        ("latin_hypercube", {"samples": 20}, 20),
        ("sobol", {"samples": 16}, 16),
        ("saltelli", {"samples": 8}, 8 * (3 + 2)),
        ("saltelli", {"samples": 8, "second_order": True}, 8 * (2 * 3 + 2)),
        ("morris", {"samples": 5}, 5 * (3 + 1)),
    ],
)
def test_sampled_designs_have_their_size_stay_in_bounds_and_reproduce(design, extra, size):
    spec = spec_of(design, **extra)
    points = design_points(spec)
    assert len(points) == size
    assert points == design_points(spec)
    for p in points:
        assert 1.0 <= p["a"] <= 2.0 and 0.2 <= p["c"] <= 0.5
        assert isinstance(p["b"], int) and 0 <= p["b"] <= 6


def test_latin_hypercube_puts_one_point_in_each_stratum():
    points = design_points(spec_of("latin_hypercube", samples=10))
    strata = sorted(int((p["a"] - 1.0) * 10) for p in points)
    assert strata == list(range(10))


def test_full_factorial_is_the_product_of_levels(tmp_path):
    text = TINY.replace(
        "levels = [0, 2, 4]",
        'levels = [0, 2, 4]\n[factors.L]\nkey = "manufacturer.lines"\nlevels = [1, 2]',
    )
    spec = ExperimentSpec.model_validate(__import__("tomllib").loads(text))
    points = design_points(spec)
    assert len(points) == 6
    assert {(p["S"], p["L"]) for p in points} == {(s, n) for s in (0, 2, 4) for n in (1, 2)}


# -- runs, seeds, executors ----------------------------------------------------------------


def test_every_point_and_arm_uses_the_replications_seeds(tmp_path):
    sweep(write(tmp_path, TINY), folder=tmp_path / "res")
    rows = load_results(tmp_path / "res")
    assert len(rows) == 3 * 2 * 3 and rows["run_key"].is_unique
    for r, part in rows.groupby("replication"):
        assert set(part["seed"]) == {replication_seed(5, r)}


def test_executors_give_identical_rows(tmp_path):
    frames = []
    for executor in ("serial", "process", "dask"):
        folder = tmp_path / executor
        summary = sweep(write(tmp_path, TINY), executor=executor, workers=2, folder=folder)
        assert summary.ok == 18 and summary.failed == 0
        rows = load_results(folder).drop(columns="elapsed").sort_values("run_key")
        frames.append(rows.reset_index(drop=True))
    pd.testing.assert_frame_equal(frames[0], frames[1])
    pd.testing.assert_frame_equal(frames[0], frames[2])


def test_a_failing_run_is_recorded_with_its_traceback_and_the_sweep_goes_on(tmp_path, monkeypatch):
    from btoagents.model import SupplyChainModel

    original = SupplyChainModel.run

    def flaky(self):
        if self.seed == replication_seed(5, 1):
            raise RuntimeError("boom in replication 1")
        return original(self)

    monkeypatch.setattr(SupplyChainModel, "run", flaky)
    summary = sweep(write(tmp_path, TINY), folder=tmp_path / "res")
    assert (summary.ok, summary.failed) == (12, 6)
    rows = load_results(tmp_path / "res")
    failed = rows[rows["status"] == "failed"]
    assert set(failed["replication"]) == {1}
    assert failed["error"].str.contains("RuntimeError: boom in replication 1").all()
    assert failed["fill_rate"].isna().all()


# -- store: resume, atomicity, changed files ---------------------------------------------------


def test_rerunning_skips_stored_runs(tmp_path):
    path = write(tmp_path, TINY)
    first = sweep(path, folder=tmp_path / "res")
    again = sweep(path, folder=tmp_path / "res")
    assert (first.ran, again.ran, again.skipped) == (18, 0, 18)
    assert len(load_results(tmp_path / "res")) == 18


def _wait_for(event, proc: subprocess.Popen, what: str, deadline: float = 120.0) -> None:
    """Poll until ``event()`` holds; fail if the process ends first (an observed event,
    never a wall-clock guess, decides the moment)."""
    end = time.monotonic() + deadline
    while not event():
        if proc.poll() is not None:
            pytest.fail(f"the sweep ended before {what}: {proc.stderr.read().decode()[-2000:]}")
        if time.monotonic() > end:
            pytest.fail(f"no {what} within {deadline} s")
        time.sleep(0.005)


def test_killing_a_real_sweep_at_observed_moments_loses_and_duplicates_nothing(tmp_path):
    # 144 runs stored in parts of at most 25 rows: each kill below lands after the start-up
    # (manifest written) or after one more part appeared, so at most 25 * 4 runs are stored
    # before the last kill and the sweep cannot finish in between: exactly 5 kills on any
    # machine, whatever its speed.
    text = TINY.replace("replications = 3", "replications = 24").replace(
        "simulation.horizon=300", "simulation.horizon=3000"
    )
    path = write(tmp_path, text)
    folder = tmp_path / "tiny"
    cmd = [
        sys.executable,
        "-m",
        "btoagents.cli",
        "sweep",
        str(path),
        "--executor",
        "serial",
        "--results",
        str(tmp_path),
    ]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    store = ResultStore(folder)
    kills = 0
    for attempt in range(5):
        parts_before = len(store.part_files())
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if attempt == 0:
            _wait_for(store.manifest_path.exists, proc, "the manifest")
        else:
            _wait_for(lambda n=parts_before: len(store.part_files()) > n, proc, "a new part")
        proc.send_signal(signal.SIGKILL)
        kills += proc.wait(timeout=60) == -signal.SIGKILL
        proc.stderr.close()
    assert kills == 5
    stored = len(load_results(folder))
    assert 0 < stored < 144
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = load_results(folder)
    assert len(rows) == 24 * 3 * 2 and rows["run_key"].is_unique
    assert (rows["status"] == "ok").all()
    raw = sum(pq.read_metadata(p).num_rows for p in store.part_files())
    assert raw == len(rows)  # no run stored twice, even before load_results' de-duplication
    assert not list(tmp_path.rglob(".tmp-*"))


def test_a_part_is_whole_or_absent_when_writing_fails(tmp_path, monkeypatch):
    store = ResultStore(tmp_path / "res")
    store.open({"name": "x", "experiment_hash": "h", "runs_total": 1})

    def crash(src, dst):
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError):
        store.write_rows([{"run_key": "k", "status": "ok", "value": 1.0}])
    assert store.part_files() == []
    monkeypatch.undo()
    store.open({"name": "x", "experiment_hash": "h", "runs_total": 1})  # cleans debris
    assert not list((tmp_path / "res").rglob(".tmp-*"))


def test_a_changed_experiment_is_refused_unless_new(tmp_path):
    path = write(tmp_path, TINY)
    sweep(path, folder=tmp_path / "res")
    path.write_text(TINY.replace("seed = 5", "seed = 6"))
    with pytest.raises(BtoagentsError, match="different version of experiment 'tiny'.*--new"):
        sweep(path, folder=tmp_path / "res")
    summary = sweep(path, folder=tmp_path / "res", new=True)
    assert summary.ran == 18
    aside = [p for p in tmp_path.iterdir() if p.name.startswith("res.")]
    assert len(aside) == 1 and len(load_results(aside[0])) == 18


def test_status_counts_stored_and_missing_runs(tmp_path):
    sweep(write(tmp_path, TINY), folder=tmp_path / "res")
    s = status(tmp_path / "res")
    assert (s["total"], s["ok"], s["failed"], s["missing"]) == (18, 18, 0, 0)


def test_time_series_go_to_their_own_parts(tmp_path):
    text = TINY.replace(
        'kpis = ["fill_rate"', 'timeseries = true\nsample_every = 50.0\nkpis = ["fill_rate"'
    )
    sweep(write(tmp_path, text), folder=tmp_path / "res")
    ts = load_results(tmp_path / "res", timeseries=True)
    assert set(ts["run_key"]) == set(load_results(tmp_path / "res")["run_key"])
    assert {"time", "fg_stock", "backorders"} <= set(ts.columns)


# -- analysis -------------------------------------------------------------------------------


def synthetic_rows() -> pd.DataFrame:
    rows = []
    base = {0: [1.0, 2.0, 3.0, 4.0], 1: [2.0, 2.5, 4.0, 3.5]}
    for point, values in base.items():
        for r, v in enumerate(values):
            rows.append(
                {
                    "run_key": f"a{point}{r}",
                    "point": point,
                    "arm": "a",
                    "replication": r,
                    "status": "ok",
                    "factor.x": point,
                    "y": v,
                }
            )
            rows.append(
                {
                    "run_key": f"b{point}{r}",
                    "point": point,
                    "arm": "b",
                    "replication": r,
                    "status": "ok",
                    "factor.x": point,
                    "y": v + 1.0 + 0.1 * r,
                }
            )
    return pd.DataFrame(rows)


def test_summary_means_and_intervals_match_hand_computation():
    table = summarize_points(synthetic_rows(), kpis=["y"])
    row = table[(table["point"] == 0) & (table["arm"] == "a")].iloc[0]
    assert row["mean"] == 2.5 and row["n"] == 4
    half = 3.182446305284263 * np.std([1, 2, 3, 4], ddof=1) / 2
    assert row["ci_high"] == pytest.approx(2.5 + half)


def test_summary_by_arm_pools_every_design_point_and_unknown_factors_are_named():
    table = summarize_points(synthetic_rows(), by=["arm"], kpis=["y"])
    assert list(table["arm"]) == ["a", "b"]
    row = table[table["arm"] == "a"].iloc[0]
    assert row["n"] == 8
    assert row["mean"] == pytest.approx(np.mean([1, 2, 3, 4, 2, 2.5, 4, 3.5]))
    with pytest.raises(ConfigError, match=r"--by 'colour'.*\['arm', 'x'\]"):
        summarize_points(synthetic_rows(), by=["colour"], kpis=["y"])


def test_paired_differences_and_their_variance_reduction_match_hand_computation():
    table = paired_differences(synthetic_rows(), ["y"], ["a", "b"])
    row = table[table["point"] == 0].iloc[0]
    diff = np.array([1.0, 1.1, 1.2, 1.3])
    assert row["difference"] == pytest.approx(diff.mean())
    a = np.array([1.0, 2.0, 3.0, 4.0])
    b = a + diff
    expected = 1 - np.var(diff, ddof=1) / (np.var(a, ddof=1) + np.var(b, ddof=1))
    assert row["variance_reduction"] == pytest.approx(expected)
    assert row["variance_reduction"] > 0.99


def test_sobol_indices_reproduce_the_ishigami_function():
    from SALib.test_functions import Ishigami

    spec = ExperimentSpec.model_validate(
        {
            "name": "ishigami",
            "scenario": "mm1-bts",
            "seed": 1,
            "design": {"kind": "saltelli", "samples": 1024},
            "factors": {
                n: {"key": "manufacturer.lines", "range": [-np.pi, np.pi]}
                for n in ("x1", "x2", "x3")
            },
        }
    )
    points = design_points(spec)
    x = np.array([[p["x1"], p["x2"], p["x3"]] for p in points])
    y = Ishigami.evaluate(x)
    rows = pd.DataFrame(
        {
            "point": range(len(y)),
            "arm": "base",
            "status": "ok",
            "f": y,
            "run_key": [str(i) for i in range(len(y))],
        }
    )
    manifest = {
        "factors": {n: {"range": [-np.pi, np.pi]} for n in ("x1", "x2", "x3")},
        "design": {"kind": "saltelli", "points": points},
        "arms": ["base"],
        "experiment_text": "[design]\nkind = 'saltelli'\n",
    }
    table = sobol_indices(rows, manifest, ["f"], seed=1).set_index("factor")
    # analytic values for a = 7, b = 0.1 (Ishigami and Homma 1990; SALib's test function)
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert abs(table.loc[name, "S1"] - s1) < 3 * table.loc[name, "S1_conf"] + 0.01
        assert abs(table.loc[name, "ST"] - st) < 3 * table.loc[name, "ST_conf"] + 0.01


# -- bad input, before any run -------------------------------------------------------------


@pytest.mark.parametrize(
    "change, pattern",
    [
        (
            ('key = "products.standard.base_stock"', 'key = "products.standard.basestock"'),
            r"products\.standard\.basestock.*did you mean",
        ),
        (('kind = "full_factorial"', 'kind = "grid"'), r"design\.kind = 'grid'"),
        (("levels = [0, 2, 4]", "range = [4, 4]"), r"range \[4.0, 4.0\] is empty"),
        (('kpis = ["fill_rate"', 'kpis = ["fil_rate"'), r"unknown KPI\(s\) \['fil_rate'\]"),
        (("[design]", 'colour = "red"\n[design]'), r"unknown key 'colour'"),
        (("replications = 3", "replications = 0"), r"replications = 0"),
    ],
)
def test_bad_experiment_input_fails_in_one_line_before_any_run(tmp_path, change, pattern):
    path = write(tmp_path, TINY.replace(*change))
    with pytest.raises(ConfigError, match=pattern) as err:
        sweep(path, folder=tmp_path / "res")
    assert "\n" not in str(err.value)
    assert not (tmp_path / "res").exists()


def test_cli_sweep_analyze_status_end_to_end(tmp_path, capsys):
    from btoagents.cli import main

    path = write(tmp_path, TINY)
    assert main(["sweep", str(path), "--executor", "serial", "--results", str(tmp_path)]) == 0
    assert "18 ok, 0 failed" in capsys.readouterr().out
    assert main(["analyze", str(tmp_path / "tiny"), "--kpi", "backorders"]) == 0
    out = capsys.readouterr().out
    assert "paired" in out and "variance_reduction" in out
    assert (tmp_path / "tiny" / "analysis" / "summary.csv").exists()
    assert main(["status", str(tmp_path / "tiny")]) == 0
    assert "18 ok, 0 failed, 0 missing (0 lost to dead workers, to run again) of 18" in (
        capsys.readouterr().out
    )
    assert main(["analyze", str(tmp_path / "tiny"), "--by", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: --by 'nope'")


def test_morris_design_is_analysed_with_salib(tmp_path):
    text = """
name = "morris"
scenario = "mm1-bto"
replications = 1
seed = 2
overrides = ["simulation.horizon=200", "simulation.warmup=20"]
kpis = ["lead_time_mean", "utilization"]
[design]
kind = "morris"
samples = 4
[factors.rate]
key = "products.standard.demand_rate"
range = [0.2, 0.6]
[factors.speed]
key = "manufacturer.service_rate"
range = [1.0, 2.0]
"""
    from btoagents.experiment.analysis import analyze

    sweep(write(tmp_path, text), folder=tmp_path / "res")
    tables = analyze(tmp_path / "res")
    morris = tables["morris"].set_index(["kpi", "factor"])
    assert len(morris) == 4
    # utilization = rate / speed: both factors matter, with opposite elementary effects
    assert morris.loc[("utilization", "rate"), "mu_star"] > 0.1
    assert morris.loc[("utilization", "speed"), "mu_star"] > 0.05


def test_runs_lost_to_dead_workers_run_again_and_keep_one_row(tmp_path, monkeypatch):
    from btoagents.experiment import executors

    path = write(tmp_path, TINY)
    calls = {"n": 0}
    real = executors.execute_run

    def dying(task):
        calls["n"] += 1
        if task.replication == 2:
            return executors._died_row(task, "simulated crash")
        return real(task)

    monkeypatch.setattr(executors, "execute_run", dying)
    first = sweep(path, folder=tmp_path / "res")
    assert first.failed == 6 and status(tmp_path / "res")["lost"] == 6
    monkeypatch.undo()
    again = sweep(path, folder=tmp_path / "res")
    assert again.ran == 6 and again.ok == 6
    rows = load_results(tmp_path / "res")
    assert len(rows) == 18 and rows["run_key"].is_unique and (rows["status"] == "ok").all()


def test_a_breakdown_kpi_a_run_lacks_is_nan_and_an_unknown_kpi_is_an_error():
    from btoagents.experiment.runs import select_kpis

    record = {"profit": 1.0, "bullwhip": 2.0, "bullwhip[plant]": 3.0}
    out = select_kpis(record, ("profit", "bullwhip[dealers]", "bullwhip[plant]"))
    assert out["profit"] == 1.0 and out["bullwhip[plant]"] == 3.0
    assert math.isnan(out["bullwhip[dealers]"])
    with pytest.raises(ConfigError, match="profitt"):
        select_kpis(record, ("profitt",))


def test_kpi_names_are_checked_from_the_catalogue_without_a_run(tmp_path, monkeypatch):
    """Preparing a sweep builds no model: requested KPI names are checked against the
    declared catalogue, and a breakdown of a known KPI is accepted."""
    import btoagents.model
    from btoagents.experiment.sweep import prepare

    def refuse(*args, **kwargs):
        raise AssertionError("prepare() built a model")

    monkeypatch.setattr(btoagents.model.SupplyChainModel, "__init__", refuse)
    path = tmp_path / "exp.toml"
    path.write_text(TINY.replace('kpis = ["fill_rate"', 'kpis = ["fill_rate[bto]", "fill_rate"'))
    assert prepare(path).spec.kpis[0] == "fill_rate[bto]"
    path.write_text(TINY.replace('kpis = ["fill_rate"', 'kpis = ["fil_rate"'))
    with pytest.raises(ConfigError, match=r"unknown KPI\(s\) \['fil_rate'\]"):
        prepare(path)
