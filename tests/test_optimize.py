"""``btoagents optimize``: search files, a known Pareto front, the closed-form optimum of
M/M/1 make-to-stock, resuming after SIGKILL, and the folder read as a sweep's.

The synthetic front is a ZDT-like problem (Zitzler, Deb and Thiele, "Comparison of
multiobjective evolutionary algorithms: empirical results", Evolutionary Computation 8(2),
2000) computed by a KPI plugin from two lever values, so it is exact and every run is a
short mm1-bts: f1 = x, f2 = g (1 - sqrt(x / g)) with g = 1 + y, whose Pareto front is
y = 0, f2 = 1 - sqrt(f1) for f1 in [0, 1].
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from btoagents import theory
from btoagents.cli import main
from btoagents.experiment import ResultStore, load_results
from btoagents.experiment.analysis import analyze
from btoagents.experiment.progress import Progress
from btoagents.experiment.search import Search, optimize
from user_modules import user_module

search_module = importlib.import_module("btoagents.experiment.search")

#: the synthetic problem's KPI plugin (a user's module, imported from the working folder)
ZDT = """
import math

from pydantic import Field

from btoagents.config.section import Section


class Zdt:
    class Params(Section):
        x: float = Field(0.0, ge=0, le=1)
        y: float = Field(0.0, ge=0, le=1)

    names = {"f1": ("1", "first objective"), "f2": ("1", "second objective")}

    def __init__(self, params):
        self.x, self.y = params.x, params.y

    def record(self, kpis, chain):
        g = 1.0 + self.y
        return {"f1": self.x, "f2": g * (1.0 - math.sqrt(self.x / g))}
"""

FRONT = """
name = "zdt"
scenario = "mm1-bts"
replications = 1
seed = 3
overrides = ["simulation.horizon=20", "simulation.warmup=0",
             'kpis.plugins=["{module}:Zdt"]']
[levers.x]
key = "kpis.params.Zdt.x"
range = [0.0, 1.0]
step = 0.05
[levers.y]
key = "kpis.params.Zdt.y"
range = [0.0, 1.0]
step = 0.25
[objectives]
f1 = "minimize"
f2 = "minimize"
[search]
sampler = "tpe"
candidates = 40
"""

#: M/M/1 make-to-stock at rho = 0.8 with price = unit cost (profit = -cost), holding h = 1
#: per unit-day (holding_rate 365 a year of a unit cost of 1) and backorder b = 2.5 per
#: order-day: S* = 5 (theory.mm1_bts_optimal_base_stock)
MM1 = """
name = "mm1-base-stock"
scenario = "mm1-bts"
replications = {reps}
seed = 7
overrides = ["simulation.horizon={horizon}", "simulation.warmup=500",
             "products.standard.price=1.0", "products.standard.unit_cost=1.0",
             "costs.holding_rate=365.0", "costs.backorder_cost=2.5"]
[levers.S]
key = "products.standard.base_stock"
range = [0, 20]
integer = true
[objectives]
profit = "maximize"
[search]
candidates = {candidates}
"""


@pytest.fixture
def zdt_module(tmp_path, monkeypatch):
    yield from user_module(tmp_path, monkeypatch, ZDT, "zdt")


def write(tmp_path: Path, text: str, name: str = "search.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


# -- a known front -----------------------------------------------------------------------


def test_the_front_of_a_known_problem_is_non_dominated_and_on_the_true_front(tmp_path, zdt_module):
    """Multi-objective TPE, 40 candidates on a 21 x 5 grid: every returned point is one
    of the 21 grid points of the true front (y = 0), and none is dominated."""
    path = write(tmp_path, FRONT.format(module=zdt_module))
    result = optimize(path, results_root=tmp_path / "results")
    table, front = result.candidates, result.result
    assert result.trials == 40 and len(table) >= 25  # repeats are told, not run
    f = table[["f1", "f2"]].to_numpy()
    for f1, f2 in front[["f1", "f2"]].to_numpy():
        # no evaluated candidate dominates a front point
        assert not np.any(np.all(f <= (f1, f2), axis=1) & np.any(f < (f1, f2), axis=1))
        assert f2 == pytest.approx(1 - np.sqrt(f1), abs=1e-12)  # on the true front
    # and every candidate that is not on the returned front is dominated by one that is
    off = table[~table["point"].isin(front["point"])][["f1", "f2"]].to_numpy()
    g = front[["f1", "f2"]].to_numpy()
    for p in off:
        assert np.any(np.all(g <= p, axis=1) & np.any(g < p, axis=1))
    assert len(front) >= 8 and front["f1"].max() - front["f1"].min() >= 0.8
    written = json.loads((result.files[-1]).read_text())
    assert len(written["front"]) == len(front)


def test_the_sampler_is_told_each_candidates_constraint_values_and_the_best_is_feasible(
    tmp_path, zdt_module
):
    """Minimise f1 subject to f2 <= 0.5: the unconstrained optimum (x = 0, f2 = 1 + y) is
    infeasible. Every told trial carries its violation f2 - 0.5 in the journal (what TPE's
    constraints_func read when it was told), and the best candidate is the feasible one of
    least f1."""
    import optuna
    from optuna.storages import JournalStorage
    from optuna.storages.journal import JournalFileBackend

    text = FRONT.format(module=zdt_module).replace('f2 = "minimize"\n', "")
    text = text.replace("candidates = 40", "candidates = 15")
    text = text.replace("seed = 3\n", 'seed = 3\nconstraints = ["f2 <= 0.5"]\n')
    result = optimize(write(tmp_path, text), results_root=tmp_path / "results")
    table = result.candidates
    feasible = table[table["f2"] <= 0.5]
    assert len(feasible) and (table["f2"] > 0.5).any()  # both kinds were evaluated
    best = result.result.iloc[0]
    assert best["f2"] <= 0.5 and best["f1"] == feasible["f1"].min()
    journal = tmp_path / "results" / "zdt" / "optuna.journal"
    storage = JournalStorage(JournalFileBackend(str(journal)))
    study = optuna.load_study(study_name="search", storage=storage)
    told = [t for t in study.trials if t.state == optuna.trial.TrialState.COMPLETE]
    assert len(told) == 15
    by_x = dict(zip(zip(table["x"], table["y"], strict=True), table["f2"], strict=True))
    for trial in told:
        f2 = by_x[(trial.params["x"], trial.params["y"])]
        assert list(trial.constraints.values()) == pytest.approx([f2 - 0.5], abs=1e-12)


def test_start_candidates_are_asked_first_and_once_however_often_the_search_resumes(
    tmp_path, zdt_module, monkeypatch
):
    """Two start candidates (one on the true front, one far from it) are the first two
    trials; continuing the search with a larger budget does not ask them again."""
    text = FRONT.format(module=zdt_module).replace("candidates = 40", "candidates = 4")
    text += "start = [{x = 0.25, y = 0}, {x = 1, y = 1.0}]\n"  # ints given for float levers
    path = write(tmp_path, text)
    totals = []

    class Recorded(Progress):
        def __init__(self, total, *args, **kwargs):
            totals.append(total)
            super().__init__(total, *args, **kwargs)

    monkeypatch.setattr(search_module, "Progress", Recorded)
    first = optimize(path, results_root=tmp_path / "results")
    assert totals == [4]  # the runs the budget allows: the starts are in it, not on top
    table = first.candidates.sort_values("point")
    assert first.trials == 4
    assert table[["x", "y"]].iloc[:2].to_numpy().tolist() == [[0.25, 0.0], [1.0, 1.0]]
    assert table["f2"].iloc[0] == pytest.approx(0.5, abs=1e-12)  # 1 - sqrt(0.25), y = 0
    path.write_text(text.replace("candidates = 4", "candidates = 7"))
    more = optimize(path, results_root=tmp_path / "results")
    assert more.trials == 7 and more.ran_now == 3  # three new candidates, starts not again
    starts = more.candidates[more.candidates["x"].isin([0.25, 1.0])]
    assert len(starts[(starts["x"] == 0.25) & (starts["y"] == 0.0)]) == 1


def test_a_search_folder_reads_as_a_sweep_folder(tmp_path, zdt_module, capsys):
    text = FRONT.format(module=zdt_module).replace("candidates = 40", "candidates = 6")
    path = write(tmp_path, text)
    args = ["optimize", str(path), "--executor", "serial", "--results", str(tmp_path / "results")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "zdt: 6 candidates asked" in out and "Pareto front" in out
    folder = tmp_path / "results" / "zdt"
    rows = load_results(folder)
    assert {"factor.x", "factor.y", "f1", "f2", "point", "replication"} <= set(rows.columns)
    front = pd.read_csv(folder / "optimize" / "front.csv")
    assert set(front["point"]) <= set(rows["point"])
    tables = analyze(folder)
    summary = tables["summary"]
    assert {"x", "y", "kpi", "mean", "ci_low"} <= set(summary.columns)
    assert set(summary["point"]) == set(rows["point"])
    # the Parquet parts are plain files any Parquet reader (DuckDB, pyarrow) can read
    parts = pd.concat(pq.read_table(p).to_pandas() for p in ResultStore(folder).part_files())
    assert parts["run_key"].is_unique
    glob = (folder / "parts" / "*.parquet").as_posix()
    query = f"SELECT run_key, point, f1 FROM read_parquet('{glob}', union_by_name=true)"
    queried = duckdb.sql(query).df().set_index("run_key").sort_index()
    assert list(queried.index) == sorted(rows["run_key"])
    assert queried["f1"].tolist() == rows.set_index("run_key").sort_index()["f1"].tolist()


def test_a_larger_budget_continues_a_search_and_a_lost_journal_is_rebuilt(tmp_path, zdt_module):
    text = FRONT.format(module=zdt_module).replace("candidates = 40", "candidates = 40\nruns = 3")
    path = write(tmp_path, text)
    folder = tmp_path / "results" / "zdt"
    first = optimize(path, results_root=tmp_path / "results")
    assert first.runs_stored == 3 and len(first.candidates) == 3  # a budget of runs
    # the budget is not part of the search's identity: a larger one continues it
    path.write_text(text.replace("runs = 3", "runs = 5"))
    more = optimize(path, results_root=tmp_path / "results")
    assert more.runs_stored == 5 and more.ran_now == 2
    assert set(first.candidates["point"]) < set(more.candidates["point"])
    # a lost journal: the stored candidates are told again, then the search goes on
    (folder / "optuna.journal").unlink()
    path.write_text(text.replace("candidates = 40\nruns = 3", "candidates = 8"))
    rebuilt = optimize(path, results_root=tmp_path / "results")
    assert rebuilt.trials == 8  # the 5 stored candidates told again, 3 asked
    assert rebuilt.ran_now == rebuilt.runs_stored - 5 <= 3
    assert raw_parts(folder)["run_key"].is_unique


# -- bad search files ----------------------------------------------------------------------


BAD = [
    ("[levers.S]\nkey = 'products.standard.base_stock'\nrnage = [0, 3]", "rnage"),
    ("[levers.S]\nkey = 'products.standard.base_stok'\nrange = [0, 3]", "base_stok"),
    ("[levers.S]\nkey = 'products.standard.base_stock'\nrange = [3, 3]", "levers.S"),
    ("[levers.S]\nkey = 'products.standard.base_stock'\nrange = [0, 3]\nchoices = [1]", "levers.S"),
    (
        "[levers.S]\nkey = 'products.standard.base_stock'\nrange = [-2, 3]\ninteger = true",
        "levers.S",
    ),
]


@pytest.mark.parametrize(("levers", "named"), BAD)
def test_a_bad_lever_is_one_error_line_naming_it(tmp_path, capsys, levers, named):
    text = f"""name = "bad"\nscenario = "mm1-bts"\n{levers}\n[objectives]\nprofit = "maximize"\n"""
    status = main(["optimize", str(write(tmp_path, text)), "--results", str(tmp_path)])
    out, err = capsys.readouterr()
    assert status == 2 and out == ""
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert named in err
    assert not (tmp_path / "bad").exists()  # nothing ran, no folder made


@pytest.mark.parametrize(
    ("tail", "named"),
    [
        ('[objectives]\nprofit = "maximise"', "objectives.profit"),
        ('[objectives]\nproffit = "maximize"', "proffit"),
        (
            'constraints = ["lost_sales_rate < 0.03"]\n[objectives]\nprofit = "maximize"',
            "constraints",
        ),
        (
            '[objectives]\nprofit = "maximize"\nfill_rate = "maximize"\n[search]\nsampler = "gp"',
            "search.sampler",
        ),
        ('[objectives]\nprofit = "maximize"\n[search]\nsampler = "cmaes"', "search.sampler"),
        ('[objectives]\nprofit = "maximize"\n[search]\ncandidates = 0', "search.candidates"),
        ('[objectives]\nprofit = "maximize"\n[serch]\ncandidates = 3', "serch"),
        ('[objectives]\nprofit = "maximize"\n[search]\nstart = [{T = 2}]', "unknown lever 'T'"),
        ('[objectives]\nprofit = "maximize"\n[search]\nstart = [{}]', "no value for the lever"),
        ('[objectives]\nprofit = "maximize"\n[search]\nstart = [{S = 4}]', "outside the range"),
        ('[objectives]\nprofit = "maximize"\n[search]\nstart = [{S = 1.5}]', "not a whole"),
        (
            '[objectives]\nprofit = "maximize"\n[search]\ncandidates = 1\n'
            "start = [{S = 1}, {S = 2}]",
            "exceed the budget",
        ),
    ],
)
def test_bad_objectives_constraints_and_budgets_are_one_error_line(tmp_path, capsys, tail, named):
    lever = "[levers.S]\nkey = 'products.standard.base_stock'\nrange = [0, 3]\ninteger = true\n"
    text = f'name = "bad"\nscenario = "mm1-bts"\n{tail.split("[objectives]")[0]}{lever}'
    text += "[objectives]" + tail.split("[objectives]")[1]
    status = main(["optimize", str(write(tmp_path, text)), "--results", str(tmp_path)])
    out, err = capsys.readouterr()
    assert status == 2 and out == "", err
    assert len(err.splitlines()) == 1 and err.startswith("error: "), err
    assert named in err


EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"


@pytest.mark.parametrize(
    ("command", "file", "says"),
    [
        ("sweep", "optimize_dealer_network_profit", "a [levers] section makes this a search file"),
        ("select", "optimize_dealer_network_front", "run it with `btoagents optimize FILE`"),
        ("optimize", "select_dealer_network", "run it with `btoagents select FILE`"),
        ("optimize", "paper_variety", "no [levers] or [objectives] section; a designed"),
    ],
)
def test_each_command_given_anothers_file_names_the_command_that_runs_it(
    tmp_path, capsys, command, file, says
):
    path = EXPERIMENTS / f"{file}.toml"
    assert main([command, str(path), "--results", str(tmp_path / "results")]) == 2
    out, err = capsys.readouterr()
    assert out == "" and len(err.splitlines()) == 1 and says in err, err
    assert not (tmp_path / "results").exists()  # refused before any run


# -- M/M/1 make-to-stock: the closed-form optimum -------------------------------------------


@pytest.mark.slow
def test_the_search_finds_the_closed_form_optimal_base_stock(tmp_path):
    """The cost h E[(S - N)+] + b E[(N - S)+] is minimised at the smallest S with
    P(N >= S + 1) <= h / (h + b) = 0.286: S* = 5 (rho = 0.8). Under common random numbers
    every S sees the same queue N (production answers demand whatever S is), so the
    simulated optimum is the same rule on the empirical P(N >= k). It misses S* by more
    than 1 only if P(N >= 4) (0.41) or P(N >= 7) (0.21) is estimated on the wrong side of
    0.286; over 4 replications of 4,500 days their standard errors are about 0.02 and 0.014
    (0.04 and 0.027 per replication, measured), so either error needs 5 or more standard
    errors."""
    s_star = theory.mm1_bts_optimal_base_stock(0.8, 1.0, 1.0, 2.5)
    assert s_star == 5
    text = MM1.format(reps=4, horizon=5000, candidates=20)
    result = optimize(write(tmp_path, text), results_root=tmp_path / "results")
    best = int(result.result["S"].iloc[0])
    assert abs(best - s_star) <= 1
    # the objective's CI is that of the candidate's cost, and the runner-up is paired
    assert result.result["profit_low"].iloc[0] < result.result["profit"].iloc[0]
    assert result.paired is not None and result.paired["difference"] >= 0


# -- SIGKILL and resume ---------------------------------------------------------------------


def raw_parts(folder: Path) -> pd.DataFrame:
    """Every stored row of every part, duplicates included."""
    parts = ResultStore(folder).part_files()
    return pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)


def test_an_interrupted_search_tells_its_stored_candidate_and_asks_no_more_than_its_budget(
    tmp_path, zdt_module, monkeypatch
):
    """Interrupted after the third candidate's run is stored but before it is told: the
    resumed search tells it from the stored run and runs nothing twice."""
    text = FRONT.format(module=zdt_module).replace("candidates = 40", "candidates = 8")
    path = write(tmp_path, text)
    folder = tmp_path / "results" / "zdt"
    told = Search.stored
    calls = []

    def stop_before_the_third(self, rows):
        calls.append(len(rows))
        if len(calls) == 3:
            raise KeyboardInterrupt
        told(self, rows)

    monkeypatch.setattr(Search, "stored", stop_before_the_third)
    with pytest.raises(KeyboardInterrupt):
        optimize(path, results_root=tmp_path / "results")
    monkeypatch.setattr(Search, "stored", told)
    before = raw_parts(folder)
    assert len(before) == 3
    result = optimize(path, results_root=tmp_path / "results")
    after = raw_parts(folder)
    assert after["run_key"].is_unique
    assert result.trials == 8
    assert result.ran_now == len(after) - 3  # the third candidate was told, not run again
    assert set(before["point"]) <= set(result.candidates["point"])


@pytest.mark.slow
def test_a_search_killed_with_sigkill_resumes_without_storing_a_run_twice(tmp_path):
    text = MM1.format(reps=2, horizon=4000, candidates=14)
    path = write(tmp_path, text)
    results = tmp_path / "results"
    folder = results / "mm1-base-stock"
    cmd = [
        sys.executable,
        "-m",
        "btoagents.cli",
        "optimize",
        str(path),
        "--executor",
        "serial",
        "--results",
        str(results),
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 180
        while len(ResultStore(folder).part_files()) < 2:  # two candidates stored
            assert proc.poll() is None, "the search ended before it was killed"
            assert time.monotonic() < deadline, "no part file within 180 s"
            time.sleep(0.01)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    before = raw_parts(folder)
    asked = (folder / "optuna.journal").read_text().count('"op_code":')  # journal kept
    assert 0 < len(before) < 14 * 2 and asked > 0
    result = optimize(path, results_root=results)
    after = raw_parts(folder)
    assert after["run_key"].is_unique  # no run stored twice
    assert result.trials == 14  # the same budget in all
    assert result.ran_now == len(after) - len(before)  # the stored runs were not run again
    # what was stored before the kill is still there, and counted among the candidates
    assert set(before["run_key"]) <= set(after["run_key"])
    assert set(before["point"]) <= set(result.candidates["point"])
