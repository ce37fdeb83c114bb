"""``btoagents discover``: PRIM recovers a planted box, the command reads a stored sweep and
writes its tables without touching the stored runs, and regret and satisficing match a
hand-computed table."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from btoagents.cli import main
from btoagents.errors import ConfigError
from btoagents.experiment.analysis import analyze
from btoagents.experiment.cases import point_means
from btoagents.experiment.discovery import DENSITY_THRESHOLD, choose, run_prim
from btoagents.experiment.robustness import PERCENTILE, regret_table
from btoagents.experiment.store import ResultStore, load_results

# -- PRIM on a planted box ----------------------------------------------------------------
# n cases uniform on [0, 1]^3; inside the box B = {a >= 0.5, b <= 0.4} (volume v = 0.2) a
# case is of interest with probability P_IN, outside with P_OUT; c is irrelevant.
N, P_IN, P_OUT, V = 1000, 0.95, 0.02, 0.2
T = 0.9  # density threshold of the chosen box
BOX = {"a": (0.5, 1.0), "b": (0.0, 0.4)}


@pytest.fixture(scope="module")
def planted() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(7)
    x = pd.DataFrame({k: rng.uniform(0, 1, N) for k in "abc"})
    inside = (x["a"] >= 0.5) & (x["b"] <= 0.4)
    y = np.where(inside, rng.uniform(size=N) < P_IN, rng.uniform(size=N) < P_OUT)
    return x, y


@pytest.fixture(scope="module")
def found(planted):
    x, y = planted
    return run_prim(x, y, threshold=T)


def test_prim_recovers_a_planted_box(found):
    """The chosen box's limits are B's within a tolerance derived from the construction.

    The chosen box is the first along the trajectory with density >= T. A box holding B
    and an extra volume e has density (P_IN v + P_OUT e) / (v + e), which is >= T' only if
    e / v <= (P_IN - T') / (T' - P_OUT). The box's density is estimated from about n v =
    200 cases, standard error sqrt(T (1 - T) / 200) = 0.021, so it may cross at T' = T - 3
    x 0.021; then e / v <= 0.14, i.e. an edge off by at most 0.14 of B's side when all the
    extra volume lies along one edge. The peel before may also cut into B by one peel,
    5% of the box's cases: 0.05 of a side. Tolerance: 0.19 of each side."""
    t_low = T - 3 * math.sqrt(T * (1 - T) / (N * V))
    tol = (P_IN - t_low) / (t_low - P_OUT) + 0.05
    limits = found.box_limits().set_index("factor")
    for name, (low, high) in BOX.items():
        side = high - low
        assert limits.loc[name, "restricted"]
        assert abs(limits.loc[name, "low"] - low) <= tol * side, (name, limits.loc[name])
        assert abs(limits.loc[name, "high"] - high) <= tol * side, (name, limits.loc[name])
    assert not limits.loc["c", "restricted"]  # the irrelevant factor is left alone
    # restricted factors first, each restriction far from noise (quasi-p-value)
    assert list(limits.index[:2]) == sorted(BOX, key=lambda f: limits.loc[f, "qp_value"])
    assert (limits.loc[list(BOX), "qp_value"] < 1e-6).all()
    assert (limits.loc[list(BOX), "excludes"] > 0).all() and limits.loc["c", "excludes"] == 0


def test_coverage_and_density_match_the_construction(planted, found):
    """Density >= T by the choice; coverage near B's expected coverage P_IN v / (P_IN v +
    P_OUT (1 - v)) = 0.92, at most one 5% peel and 3 standard errors (about 200 cases of
    interest) below it; and the numbers are the cases inside the reported limits."""
    x, y = planted
    stats = found.box_stats()
    expected = P_IN * V / (P_IN * V + P_OUT * (1 - V))
    se = math.sqrt(expected * (1 - expected) / y.sum())
    assert stats["density"] >= T
    assert expected * 0.95 - 3 * se <= stats["coverage"] <= 1
    limits = found.box_limits().set_index("factor")
    inside = np.ones(N, dtype=bool)
    for name in "abc":
        inside &= (x[name] >= limits.loc[name, "low"]) & (x[name] <= limits.loc[name, "high"])
    assert stats["cases"] == inside.sum() and stats["of_interest"] == y[inside].sum()
    assert stats["coverage"] == pytest.approx(y[inside].sum() / y.sum())
    assert stats["mass"] == pytest.approx(inside.mean())
    lo, hi = wilson_by_hand(stats["of_interest"], stats["cases"])
    assert stats["density_ci"] == [pytest.approx(lo), pytest.approx(hi)]


def test_trajectory_is_the_workbench_trajectory(planted, found):
    """Every box's coverage, density and mass, counted from the limits we report, equal
    those the EMA Workbench's PRIM computes from its own indices; so do the quasi-p-values
    of restrictions on one side only (the Workbench drops one side of a limit at a time)."""
    from btoagents.experiment.discovery import _find_box

    x, y = planted
    box = _find_box(x, y.astype(bool), 0.05, 0.05, 0.05)
    traj = box.peeling_trajectory
    theirs = traj[["coverage", "density", "mass"]].to_numpy(dtype=float)
    ours = found.trajectory[["coverage", "density", "mass"]].to_numpy(dtype=float)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-12)
    assert found.trajectory["cases"].tolist() == traj["n"].tolist()
    assert found.trajectory["restricted"].tolist() == traj["res_dim"].tolist()
    one_sided = 0
    for i, qp in enumerate(box.p_values):
        limits = found.box_limits(i).set_index("factor")
        for factor, (low, high) in qp.items():
            if min(low, high) == -1 and max(low, high) >= 0:  # -1: that side unrestricted
                assert limits.loc[factor, "qp_value"] == pytest.approx(max(low, high))
                one_sided += 1
    assert one_sided > 10


def test_box_choice():
    traj = pd.DataFrame({"density": [0.3, 0.6, 0.85, 0.9], "coverage": [1, 0.9, 0.8, 0.5]})
    assert choose(traj, 0.8)[0] == 2  # highest coverage with density >= 0.8
    tied = pd.DataFrame({"density": [0.3, 0.82, 0.9, 0.95], "coverage": [1, 0.9, 0.9, 0.6]})
    assert choose(tied, 0.8)[0] == 2  # of equal coverage, the denser
    assert choose(traj, 0.95) == (3, "the densest box: no box reaches density 0.95")
    assert choose(traj, 0.8, box=1) == (1, "picked by --box")
    with pytest.raises(ConfigError, match="--box = 4: the trajectory has boxes 0 to 3"):
        choose(traj, 0.8, box=4)


def test_nothing_to_discover():
    x = pd.DataFrame({"a": np.linspace(0, 1, 20)})
    with pytest.raises(ConfigError, match="none of the 20 cases are of interest"):
        run_prim(x, np.zeros(20, dtype=bool))
    with pytest.raises(ConfigError, match="all of the 20 cases"):
        run_prim(x, np.ones(20, dtype=bool))


def test_categorical_factor_is_peeled_by_level():
    """A string factor is peeled level by level, a boolean one too; a factor with a single
    level (which the Workbench leaves out) is reported unrestricted."""
    rng = np.random.default_rng(3)
    x = pd.DataFrame(
        {
            "mode": rng.choice(["air", "sea", "rail"], 300),
            "u": rng.uniform(size=300),
            "flag": rng.uniform(size=300) < 0.5,
            "fixed": ["one"] * 300,
        }
    )
    y = (x["mode"] == "air").to_numpy() & x["flag"].to_numpy() & (rng.uniform(size=300) < 0.9)
    limits = run_prim(x, y).box_limits().set_index("factor")
    assert limits.loc["mode", "levels"] == ["air"] and limits.loc["mode", "restricted"]
    assert limits.loc["flag", "levels"] == ["True"] and limits.loc["flag", "restricted"]
    assert limits.loc["fixed", "levels"] == ["one"] and not limits.loc["fixed", "restricted"]


def test_integer_factor_limits_are_integers():
    """An integer factor pasted back to a midpoint between two values (which the Workbench
    cannot write into integer limits under pandas 3: it raises a TypeError) is reported at
    the integer keeping the same cases, so every box holds the cases the Workbench counts.
    Cases of interest: k <= 20 of k in 0..39 and u < 0.6 (90% of them), plus 5% noise."""
    from btoagents.experiment.discovery import _find_box

    rng = np.random.default_rng(1)
    x = pd.DataFrame({"k": rng.integers(0, 40, 300), "u": rng.uniform(size=300)})
    inside = (x["k"] <= 20).to_numpy() & (x["u"] < 0.6).to_numpy()
    y = inside & (rng.uniform(size=300) < 0.9) | (rng.uniform(size=300) < 0.05)
    box = _find_box(x, y, 0.05, 0.05, 0.05)
    pasted = box.box_lims[-1]  # the last step pastes k's high end back to 16.5
    assert (pasted.loc[0, "k"], pasted.loc[1, "k"]) == (0, 16.5)
    found = run_prim(x, y)
    assert found.box_limits(len(box.box_lims) - 1).set_index("factor").loc["k", "high"] == 16
    assert found.trajectory["cases"].tolist() == box.peeling_trajectory["n"].tolist()
    k = found.limits[found.limits["factor"] == "k"]
    assert (k["low"] == k["low"].round()).all() and (k["high"] == k["high"].round()).all()
    chosen = found.box_limits().set_index("factor").loc["k"]
    assert chosen["restricted"] and chosen["high"] < 39


# -- the command on a stored sweep ------------------------------------------------------
ARMS = ("static", "adaptive")


def store_sweep(folder: Path, points: int = 60, reps: int = 2) -> Path:
    """A results folder written through ResultStore: an LHS-like design over capacity and
    season, two arms, ``reps`` replications. Lost sales are high where capacity < 0.4 and
    season > 0.5 (the adaptive arm's 0.02 lower everywhere), plus replication noise."""
    rng = np.random.default_rng(11)
    cap, season = rng.uniform(0, 1, points), rng.uniform(0, 1, points)
    store = ResultStore(folder)
    store.open(
        {
            "name": folder.name,
            "experiment_hash": "synthetic",
            "design": {"kind": "latin_hypercube", "points": []},
            "arms": list(ARMS),
            "runs_total": points * len(ARMS) * reps,
        }
    )
    rows = []
    for p in range(points):
        bad = cap[p] < 0.4 and season[p] > 0.5
        for r in range(reps):
            noise = 0.004 * rng.standard_normal()
            for arm in ARMS:
                lost = (0.09 if bad else 0.02) - (0.02 if arm == "adaptive" else 0) + noise
                rows.append(
                    {
                        "run_key": f"{p}-{arm}-{r}",
                        "point": p,
                        "arm": arm,
                        "replication": r,
                        "seed": r,
                        "factor.capacity": cap[p],
                        "factor.season": season[p],
                        "status": "ok",
                        "error": None,
                        "elapsed": 0.1,
                        "lost_sales_rate": lost,
                        "profit": 100 - 500 * lost,
                    }
                )
    store.write_rows(rows)
    return folder


@pytest.fixture(scope="module")
def sweep_folder(tmp_path_factory) -> Path:
    return store_sweep(tmp_path_factory.mktemp("runs") / "lhs")


def test_discover_command_writes_tables_and_figure(sweep_folder, capsys):
    before = load_results(sweep_folder)
    args = ["discover", str(sweep_folder), "--kpi", "lost_sales_rate", "--above", "0.05"]
    assert main([*args, "--arm", "static"]) == 0
    shown = capsys.readouterr().out
    assert "peeling trajectory" in shown and "capacity" in shown
    out = sweep_folder / "discover" / "lost_sales_rate-above-0.05-static"
    limits = pd.read_csv(out / "limits.csv").set_index("factor")
    assert limits.loc["capacity", "high"] == pytest.approx(0.4, abs=0.1)
    assert limits.loc["season", "low"] == pytest.approx(0.5, abs=0.1)
    trajectory = pd.read_csv(out / "trajectory.csv")
    assert {"coverage", "density", "mass", "restricted"} <= set(trajectory.columns)
    # standard JSON: no NaN or Infinity tokens
    summary = json.loads((out / "discover.json").read_text(), parse_constant=pytest.fail)
    assert summary["box"]["density"] >= DENSITY_THRESHOLD and summary["runs"] == 120
    assert (out / "tradeoff.png").stat().st_size > 1000
    cases = pd.read_csv(out / "cases.csv")
    assert len(cases) == 60 and set(cases["runs"]) == {2}
    # the stored runs are untouched and the analysis still reads the folder
    pd.testing.assert_frame_equal(load_results(sweep_folder), before)
    assert "summary" in analyze(sweep_folder)


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--kpi", "nope", "--above", "1", "--arm", "static"], "--kpi 'nope': not a stored KPI"),
        (["--kpi", "profit", "--above", "1", "--arm", "x"], "--arm 'x': not a stored arm"),
        (["--kpi", "profit", "--above", "1"], "--arm: the runs hold several arms"),
        (["--kpi", "profit", "--above", "1e9", "--arm", "static"], "none of the 60 cases"),
        (["--kpi", "profit", "--below", "nan", "--robust"], "--below = nan: expected a finite"),
        (["--kpi", "profit", "--below", "1", "--robust", "--arm", "static"], "--arm: not used"),
    ],
)
def test_bad_input_is_one_line(sweep_folder, capsys, extra, message):
    status = main(["discover", str(sweep_folder), *extra])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1 and err.startswith("error: ")
    assert message in err


def test_missing_folder_and_stored_out_are_refused(sweep_folder, tmp_path, capsys):
    args = ["--kpi", "profit", "--above", "1", "--arm", "static"]
    assert main(["discover", str(tmp_path / "missing"), *args]) == 2
    assert "no such results folder" in capsys.readouterr().err
    parts = sorted((sweep_folder / "parts").iterdir())
    assert main(["discover", str(sweep_folder), *args, "--out", str(sweep_folder / "parts")]) == 2
    assert "inside the stored results" in capsys.readouterr().err
    assert sorted((sweep_folder / "parts").iterdir()) == parts


def test_cli_defaults_are_the_modules():
    from btoagents.cli.parser import build_parser

    args = build_parser().parse_args(["discover", "r", "--kpi", "k", "--above", "1"])
    assert args.threshold == DENSITY_THRESHOLD and args.percentile == PERCENTILE


# -- robustness: regret and satisficing on a hand-built table ---------------------------
# point means (larger is better) of arms A, B, C in scenarios 0, 1, 2
TABLE = {"A": [10.0, 5.0, 8.0], "B": [7.0, 9.0, 8.0], "C": [9.0, 6.0, 3.0]}


def hand_rows() -> pd.DataFrame:
    """Two replications per scenario and arm, mean +- 1, so the point means are TABLE's."""
    rows = []
    for arm, values in TABLE.items():
        for s, v in enumerate(values):
            for r, d in enumerate((-1.0, 1.0)):
                rows.append(
                    {"point": s, "arm": arm, "replication": r, "status": "ok",
                     "factor.u": s / 2, "kpi": v + d}
                )  # fmt: skip
    return pd.DataFrame(rows)


def wilson_by_hand(k: int, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return centre - half, centre + half


def test_regret_and_satisficing_larger_is_better():
    summary, regrets = regret_table(point_means(hand_rows(), "kpi"), "kpi", True, 7.5)
    got = summary.set_index("arm")
    # best per scenario 10, 9, 8: regrets A 0,4,0; B 3,0,0; C 1,3,5
    assert got["regret_max"].to_dict() == {"A": 4.0, "B": 3.0, "C": 5.0}
    assert got["regret_mean"].to_dict() == pytest.approx({"A": 4 / 3, "B": 1.0, "C": 3.0})
    assert got.loc["A", "regret_p90"] == pytest.approx(3.2)  # 0, 0, 4 at 90%: 0.8 x 4
    assert got["best_share"].to_dict() == pytest.approx({"A": 2 / 3, "B": 2 / 3, "C": 0})
    assert got["satisficing"].to_dict() == pytest.approx({"A": 2 / 3, "B": 2 / 3, "C": 1 / 3})
    lo, hi = wilson_by_hand(1, 3)
    assert (got.loc["C", "satisficing_ci_low"], got.loc["C", "satisficing_ci_high"]) == (
        pytest.approx(lo),
        pytest.approx(hi),
    )
    assert len(regrets) == 9 and regrets["regret"].min() == 0


def test_regret_smaller_is_better():
    summary, _ = regret_table(point_means(hand_rows(), "kpi"), "kpi", False, 7.5)
    got = summary.set_index("arm")
    # best per scenario 7, 5, 3: regrets A 3,0,5; B 0,4,5; C 2,1,0
    assert got["regret_max"].to_dict() == {"A": 5.0, "B": 5.0, "C": 2.0}
    assert got["regret_mean"].to_dict() == pytest.approx({"A": 8 / 3, "B": 3.0, "C": 1.0})
    assert got["satisficing"].to_dict() == pytest.approx({"A": 1 / 3, "B": 1 / 3, "C": 2 / 3})


def test_robust_command(sweep_folder, capsys):
    args = ["discover", str(sweep_folder), "--kpi", "lost_sales_rate", "--below", "0.05"]
    assert main([*args, "--robust"]) == 0
    out = sweep_folder / "discover" / "robust-lost_sales_rate-below-0.05"
    table = pd.read_csv(out / "robustness.csv").set_index("arm")
    # adaptive is 0.02 lower (better) in every scenario: never any regret, static 0.02
    assert table.loc["adaptive", "regret_max"] == pytest.approx(0, abs=1e-12)
    assert table.loc["static", "regret_mean"] == pytest.approx(0.02)
    # both meet 5% outside the planted region only
    cases = pd.read_csv(
        sweep_folder / "discover" / "lost_sales_rate-above-0.05-static" / "cases.csv"
    )
    good = 1 - cases["of_interest"].mean()
    assert table["satisficing"].to_dict() == pytest.approx({"static": good, "adaptive": good})
    assert len(pd.read_csv(out / "regrets.csv")) == 120
    assert "adaptive" in capsys.readouterr().out


# -- the command on a sweep run by the real harness ---------------------------------------
LHS_MM1 = """
name = "mm1-lhs"
scenario = "mm1-bts"
replications = 2
seed = 9
overrides = ["simulation.horizon=400", "simulation.warmup=40"]
kpis = ["fill_rate", "backorders"]
[design]
kind = "latin_hypercube"
samples = 16
[factors.S]
key = "products.standard.base_stock"
range = [0, 12]
integer = true
[factors.mu]
key = "manufacturer.service_rate"
range = [0.9, 1.6]
"""


def test_discover_on_a_real_sweep(tmp_path, capsys):
    """An LHS sweep of mm1-bts by the harness: the fill rate 1 - rho^S of a make-to-stock
    M/M/1 queue falls short of 0.8 at a small base stock S, so the box bounds S from above,
    at an integer (the harness stores S as an integer factor)."""
    from btoagents.experiment.sweep import sweep

    path = tmp_path / "lhs.toml"
    path.write_text(LHS_MM1)
    folder = sweep(path, executor="serial", results_root=tmp_path).folder
    capsys.readouterr()
    args = ["discover", str(folder), "--kpi", "fill_rate", "--below", "0.8"]
    assert main(args) == 0
    out = folder / "discover" / "fill_rate-below-0.8"
    limits = pd.read_csv(out / "limits.csv").set_index("factor")
    high = limits.loc["S", "high"]
    assert limits.loc["S", "restricted"] and high < 12 and high == int(high)
    assert "summary" in analyze(folder) and len(load_results(folder)) == 32


def test_point_means_leave_out_a_factor_with_gaps_and_need_two_arms_for_regret():
    rows = hand_rows().assign(**{"factor.v": lambda f: f["point"].where(f["point"] > 0)})
    means = point_means(rows, "kpi")
    assert means.inputs == ["u"] and means.dropped == ["v"]
    assert len(means.frame) == 9 and set(means.frame["runs"]) == {2}
    one = point_means(rows[rows["arm"] == "A"], "kpi")
    with pytest.raises(ConfigError, match="--robust compares arms; the runs hold one arm"):
        regret_table(one, "kpi", True, 0.0)


def test_the_dealer_network_ensemble_file():
    """The shipped scenario-discovery experiment: an LHS ensemble over seasonality and line
    rate, with the optimiser's best static hybrid first among its arms."""
    from btoagents.experiment.spec import load_experiment

    root = Path(__file__).resolve().parents[1]
    spec = load_experiment(root / "experiments" / "discover_dealer_network.toml")[0]
    assert spec.design.kind == "latin_hypercube"
    assert {f.key for f in spec.factors.values()} == {
        "demand.amplitude",
        "manufacturer.service_rate",
    }
    assert list(spec.arms)[0] == "best-static-hybrid"
