"""The paper's figures: the quick build, figure functions on synthetic stored results, and
numbers.tex against values computed from stored results."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from btoagents.cli import main
from btoagents.config import load_scenario
from btoagents.experiment.store import ResultStore
from btoagents.figures.numbers import (
    Generated,
    ci,
    number,
    parse_ci,
    read_numbers,
    share,
)
from btoagents.figures.registry import FIGURES
from btoagents.figures.stored import Estimate, Stored, estimate
from btoagents.pipeline.quick import ROOT, shrink, thin
from btoagents.validation import quick_cases

PAPER = ROOT / "paper" / "paper.tex"
MACRO_PREFIXES = ("Frontier", "Variety", "Sobol", "Validation", "BuildScale", "Cap", "Adapt")


def t_interval(values) -> tuple[float, float]:
    """Mean and Student-t 95% half-width, computed here independently of the package."""
    x = np.asarray(values, dtype=float)
    half = stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean()), float(half)


def assert_macro(numbers: dict[str, str], name: str, mean: float, half: float | None = None):
    """The macro shows ``mean`` (and ``half``) to the precision it prints."""
    shown_mean, shown_half = parse_ci(numbers[name])
    text = numbers[name].replace("{,}", "")
    decimals = len(text.split(r"\pm")[0].strip(" }").split(".")[1]) if "." in text else 0
    tol = 0.5 * 10**-decimals + 1e-9
    assert abs(shown_mean - mean) <= tol, (name, numbers[name], mean)
    if half is not None:
        assert abs(shown_half - half) <= tol, (name, numbers[name], half)


# -- the quick build ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_build(tmp_path_factory):
    """`btoagents figures --quick` into a temporary results root and paper folder, once."""
    base = tmp_path_factory.mktemp("figures")
    results, figures = base / "results", base / "paper" / "figures"
    status = main(["figures", "--quick", "--results", str(results), "--out", str(figures)])
    return {
        "status": status,
        "results": results / "quick",
        "figures": figures,
        "generated": base / "paper" / "generated",
    }


def test_quick_build_writes_every_registered_figure_as_pdf_and_png(quick_build):
    assert quick_build["status"] == 0
    for fig in FIGURES:
        for ext in (".pdf", ".png"):
            path = quick_build["figures"] / f"{fig.name}{ext}"
            assert path.is_file() and path.stat().st_size > 5000, path
    assert (quick_build["figures"] / "frontier.pdf").read_bytes().startswith(b"%PDF")


def test_quick_build_keeps_its_results_apart_and_writes_the_tables(quick_build):
    results = quick_build["results"]
    for name in ("paper-frontier", "paper-variety", "paper-sensitivity"):
        assert (results / name / "manifest.json").is_file()
    assert (results / "validation" / "checks.csv").is_file()
    assert (results / "specs" / "paper_frontier.toml").is_file()
    for table in ("numbers.tex", "validation_table.tex", "variety_table.tex"):
        assert (quick_build["generated"] / table).is_file()


def test_quick_build_validates_every_quick_case_and_every_check_passes(quick_build):
    """The build's validation is ``btoagents validate --quick``: every case of the quick
    subset, each check passed, the report and its figure written."""
    folder = quick_build["results"] / "validation"
    report = (folder / "report.md").read_text()
    for case in quick_cases():
        assert case.params in report, case.name
    assert "**NO**" not in report
    assert (folder / "theory_vs_simulation.png").stat().st_size > 10_000
    checks = pd.read_csv(folder / "checks.csv")
    assert set(checks["case"]) == {c.name for c in quick_cases()}
    assert checks["passed"].all(), checks[~checks["passed"]]


def test_numbers_define_every_macro_the_paper_uses(quick_build):
    numbers = read_numbers(quick_build["generated"] / "numbers.tex")
    assert numbers["BuildScale"] == "quick"
    text = PAPER.read_text() + "".join(
        p.read_text() for p in sorted((PAPER.parent / "sections").glob("*.tex"))
    )
    used = set(re.findall(r"\\([A-Za-z]+)", text))
    wanted = {m for m in used if m.startswith(MACRO_PREFIXES)}
    assert wanted, "paper.tex quotes no generated number"
    assert wanted <= set(numbers), sorted(wanted - set(numbers))


def test_frontier_macros_equal_the_stored_results(quick_build):
    numbers = read_numbers(quick_build["generated"] / "numbers.tex")
    rows = pd.read_parquet(quick_build["results"] / "paper-frontier" / "parts")
    rows = rows[rows["status"] == "ok"]
    shares = sorted(rows["factor.bto_share"].unique())
    rates = sorted(rows["factor.service_rate"].unique())
    mid = rates[len(rates) // 2]

    def at(share_level, rate):
        return rows[
            (rows["factor.bto_share"] == share_level) & (rows["factor.service_rate"] == rate)
        ]

    assert_macro(numbers, "FrontierInvBts", *t_interval(at(shares[0], mid)["fg_inventory"]))
    assert_macro(numbers, "FrontierLeadBto", *t_interval(at(shares[-1], mid)["lead_time_mean"]))
    lost = at(shares[-1], mid)["lost_sales_rate"] * 100
    assert_macro(numbers, "FrontierLostBto", *t_interval(lost))
    stock = at(shares[0], mid)[["holding_cost", "discount_cost", "obsolescence_cost"]].sum(axis=1)
    assert_macro(numbers, "FrontierStockCostBts", *t_interval(stock / 1000))
    # the capacity effect is a paired difference by replication (common random numbers)
    tight = at(0.5, rates[0]).set_index("replication")["lead_time_mean"]
    loose = at(0.5, rates[-1]).set_index("replication")["lead_time_mean"]
    assert_macro(numbers, "FrontierCapLeadHalf", *t_interval((tight - loose).dropna()))
    profit = rows[rows["factor.service_rate"] == mid].groupby("factor.bto_share")["profit"].mean()
    assert numbers["FrontierBestShare"] == share(profit.idxmax())


def test_variety_and_validation_macros_equal_the_stored_results(quick_build):
    numbers = read_numbers(quick_build["generated"] / "numbers.tex")
    rows = pd.read_parquet(quick_build["results"] / "paper-variety" / "parts")
    rows = rows[rows["status"] == "ok"]
    high = rows["factor.variants"].max()
    longest = rows["factor.life_cycle"].max()
    part = rows[
        (rows["factor.variants"] == high)
        & (rows["factor.life_cycle"] == longest)
        & (rows["factor.bto_share"] == 0)
    ]
    stock = part[["holding_cost", "discount_cost", "obsolescence_cost"]].sum(axis=1) / 1000
    assert_macro(numbers, "VarietyStockCostBtsHighLong", *t_interval(stock))
    checks = pd.read_csv(quick_build["results"] / "validation" / "checks.csv")
    assert_macro(numbers, "ValidationChecks", len(checks))
    assert_macro(numbers, "ValidationPassed", int(checks["passed"].sum()))
    assert "quick subset" in numbers["ValidationScope"]


def test_sobol_macros_match_the_design(quick_build):
    numbers = read_numbers(quick_build["generated"] / "numbers.tex")
    stored = Stored.load(quick_build["results"] / "paper-sensitivity")
    factors = len(stored.factors())
    assert_macro(numbers, "SobolPoints", 8 * (factors + 2))
    assert_macro(numbers, "SobolFactors", factors)
    assert_macro(numbers, "SobolRuns", len(stored.rows))


# -- the quick shrink -----------------------------------------------------------------------


def test_quick_shrink_thins_levels_replications_horizon_and_samples():
    assert thin([0, 1, 2, 3, 4, 5, 6, 7, 8], 3) == [0, 4, 8]
    assert thin([1, 2], 3) == [1, 2]
    frontier = shrink(ROOT / "experiments" / "paper_frontier.toml")
    assert frontier["replications"] == 2
    assert frontier["factors"]["bto_share"]["levels"] == [0.0, 0.5, 1.0]
    assert frontier["overrides"][-2:] == ["simulation.warmup=30.0", "simulation.horizon=150.0"]
    sobol = shrink(ROOT / "experiments" / "paper_sensitivity.toml", {"design.samples": 4})
    assert sobol["design"]["samples"] == 4 and sobol["replications"] == 1


def test_every_registered_figure_names_an_existing_experiment_and_function():
    from btoagents.figures.build import load_function
    from btoagents.pipeline.quick import resolve

    names = [fig.name for fig in FIGURES]
    assert len(names) == len(set(names))
    for fig in FIGURES:
        assert resolve(fig.experiment).is_file(), fig.experiment
        assert callable(load_function(fig.plot))
        if fig.numbers:
            assert callable(load_function(fig.numbers))


def test_figures_package_imports_without_matplotlib():
    import subprocess
    import sys

    code = (
        "import sys, btoagents.cli, btoagents.figures, btoagents.figures.registry; "
        "print('matplotlib' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# -- numbers --------------------------------------------------------------------------------


def test_ci_macros_round_to_the_precision_of_the_half_width():
    assert ci(Estimate(1861.3, 1856.1, 1866.5, 20)) == r"\ensuremath{1{,}861 \pm 5}"
    assert ci(Estimate(0.0342, 0.0312, 0.0372, 20), scale=100) == r"\ensuremath{3.4 \pm 0.3}"
    assert ci(Estimate(182254.0, 180631.0, 183877.0, 20), scale=1e-3) == (
        r"\ensuremath{182.3 \pm 1.6}"
    )
    assert ci(Estimate(5.0, 5.0, 5.0, 1)) == r"\ensuremath{5.00}"
    assert ci(Estimate(0.0, 0.0, 0.0, 20)) == r"\ensuremath{0}"
    assert number(-0.0001, 2) == "0.00"
    assert parse_ci(r"\ensuremath{1{,}861.3 \pm 5.2}") == (1861.3, 5.2)


def test_generated_numbers_refuse_bad_or_repeated_names(tmp_path):
    gen = Generated()
    gen.add("GoodName", "1")
    with pytest.raises(ValueError):
        gen.add("Bad2", "1")
    with pytest.raises(ValueError):
        gen.add("GoodName", "2")
    gen.table("t.tex", "x\n")
    gen.write(tmp_path, "header")
    assert read_numbers(tmp_path / "numbers.tex") == {"GoodName": "1"}
    assert (tmp_path / "t.tex").read_text() == "x\n"


# -- figure functions on synthetic stored results --------------------------------------------


def synthetic_store(folder: Path, name: str, factors: dict, points: list[dict], kpis, reps=4):
    """A results folder as the sweep writes it, with KPIs from ``kpis(point, rng)``."""
    scenario = load_scenario("dealer-network").model_dump(mode="json")
    factor_specs = {
        n: {"key": f"x.{n}", "keys": [], "levels": [], "range": r, "integer": False}
        for n, r in factors.items()
    }
    text = f'name = "{name}"\n[design]\nkind = "saltelli"\nsamples = 8\nsecond_order = false\n'
    store = ResultStore(folder)
    store.open(
        {
            "name": name,
            "experiment_hash": "synthetic",
            "experiment_text": text,
            "scenario": scenario,
            "design": {"kind": "saltelli", "points": points},
            "factors": factor_specs,
            "arms": ["base"],
            "runs_total": len(points) * reps,
        }
    )
    rng = np.random.default_rng(1)
    rows = []
    for i, point in enumerate(points):
        for r in range(reps):
            rows.append(
                {
                    "run_key": f"{i}-{r}",
                    "point": i,
                    "arm": "base",
                    "replication": r,
                    "seed": r,
                    **{f"factor.{k}": v for k, v in point.items()},
                    "status": "ok",
                    "error": None,
                    "elapsed": 0.1,
                    **kpis(point, rng),
                }
            )
    store.write_rows(rows)
    return Stored.load(folder)


def chain_kpis(point, rng):
    s = point.get("bto_share", 0.5)
    n = point.get("variants", 20)
    life = point.get("life_cycle", 365.0)
    fg = 1800 * (1 - s) * (n / 20) ** 0.2 + rng.normal(0, 10)
    return {
        "fg_inventory": fg,
        "fill_rate": 0.88 * (1 - s),
        "stock_service_share": 0.88 * (1 - s),
        "dealer_inventory": 0.9 * fg,
        "holding_cost": 5.0 * fg,
        "discount_cost": 8.0 * fg,
        "obsolescence_cost": 8.0 * fg * 365 / life,
        "lead_time_mean": 3 + 28 * s**2 + rng.normal(0, 0.2),
        "lead_time_p95": 29 + 2 * s + rng.normal(0, 0.2),
        "lost_sales_rate": 0.001 + 0.12 * s**3 + abs(rng.normal(0, 0.002)),
        "utilization": 39.5 / (2 * point.get("service_rate", 23.5)) * (1 - 0.25 * s),
        "profit": 180000 + 30000 * s - 26000 * s**2 + rng.normal(0, 800),
    }


def test_frontier_figures_and_numbers_from_synthetic_results(tmp_path):
    from btoagents.figures.frontier import frontier_numbers, plot_frontier, plot_frontier_kpis

    points = [
        {"bto_share": s, "service_rate": r} for s in (0.0, 0.25, 0.5, 1.0) for r in (21.0, 28.0)
    ]
    data = synthetic_store(tmp_path / "res", "paper-frontier", {}, points, chain_kpis)
    for fn, stem in ((plot_frontier, "f"), (plot_frontier_kpis, "k")):
        paths = fn(data, tmp_path / "out" / stem)
        assert [p.suffix for p in paths] == [".pdf", ".png"]
        assert all(p.stat().st_size > 5000 for p in paths)
    gen = Generated()
    frontier_numbers(data, gen)
    numbers = {k: v for k, (v, _) in gen.macros.items()}
    fg = data.select(bto_share=0.0, service_rate=28.0)["fg_inventory"]
    assert_macro(numbers, "FrontierInvBts", *t_interval(fg))
    assert numbers["FrontierBestShare"] == share(0.5)  # 30 s - 26 s^2 peaks at 0.58
    assert_macro(numbers, "FrontierLoadTight", 39.5 / 42, None)


def test_paired_estimates_use_common_random_numbers(tmp_path):
    points = [{"bto_share": s, "service_rate": 23.5} for s in (0.0, 1.0)]
    data = synthetic_store(tmp_path / "res", "paper-frontier", {}, points, chain_kpis, reps=6)
    diff = data.paired("fg_inventory", {"bto_share": 1.0}, {"bto_share": 0.0})
    a = data.select(bto_share=1.0).set_index("replication")["fg_inventory"]
    b = data.select(bto_share=0.0).set_index("replication")["fg_inventory"]
    mean, half = t_interval(a - b)
    assert diff.mean == pytest.approx(mean) and diff.half_width == pytest.approx(half)
    assert estimate([1.0]).n == 1 and math.isnan(estimate([]).mean)


def test_variety_figure_and_table_from_synthetic_results(tmp_path):
    from btoagents.figures.variety import plot_variety, variety_numbers

    points = [
        {"variants": n, "life_cycle": life, "bto_share": s}
        for n in (8, 24, 40)
        for life in (365.0, 90.0)
        for s in (0.0, 0.5, 1.0)
    ]
    data = synthetic_store(tmp_path / "res", "paper-variety", {}, points, chain_kpis)
    paths = plot_variety(data, tmp_path / "out" / "variety")
    assert all(p.stat().st_size > 5000 for p in paths)
    gen = Generated()
    variety_numbers(data, gen)
    table = gen.tables["variety_table.tex"]
    assert table.count(r"\\") == 2 + 6  # two header lines, one row per variety x life cycle
    assert "VarietyBestShareHighShort" in gen.macros


def test_sobol_figure_and_numbers_from_a_synthetic_saltelli_design(tmp_path):
    from SALib.sample import sobol as saltelli

    from btoagents.figures.sensitivity import plot_sobol, sobol_numbers

    ranges = {"bto_share": [0.0, 1.0], "service_rate": [21.0, 31.0], "patience": [30.0, 90.0]}
    problem = {"num_vars": 3, "names": list(ranges), "bounds": list(ranges.values())}
    x = saltelli.sample(problem, 8, calc_second_order=False, seed=1)
    points = [dict(zip(ranges, map(float, row), strict=True)) for row in x]

    def kpis(point, rng):
        s, p = point["bto_share"], point["patience"]
        return {
            "profit": 1e5 * s + 2e2 * p + rng.normal(0, 10),
            "lead_time_mean": 30 * s + 0.01 * point["service_rate"] + rng.normal(0, 0.01),
        }

    data = synthetic_store(tmp_path / "res", "paper-sensitivity", ranges, points, kpis, reps=2)
    paths = plot_sobol(data, tmp_path / "out" / "sobol")
    assert all(p.stat().st_size > 5000 for p in paths)
    gen = Generated()
    sobol_numbers(data, gen)
    assert gen.macros["SobolProfitTopName"][0] == "the BTO share"
    assert gen.macros["SobolLeadTimeTopName"][0] == "the BTO share"
    assert_macro({k: v for k, (v, _) in gen.macros.items()}, "SobolPoints", len(points))
    again = Generated()
    sobol_numbers(data, again)
    assert again.macros == gen.macros  # bootstrap intervals are seeded: same stored runs, same text


def test_validation_table_groups_checks_by_family():
    from btoagents.figures.validation import family_table, validation_numbers, validation_table

    checks = pd.DataFrame(
        {
            "case": ["a (x)", "a (x)", "b (y)", "c (z)"],
            "family": ["mm1-bts", "mm1-bts", "palm", "little"],
            "kpi": ["fill_rate", "backorders", "fill_rate", "little_backlog"],
            "z": [0.5, -2.5, 3.4, 0.0],
            "passed": [True, True, False, True],
            "replications": [20, 20, 80, 3],
            "first_z": [math.nan, math.nan, 3.6, math.nan],
        }
    )
    table = family_table(checks)
    assert list(table["checks"]) == [2, 1, 1] and list(table["passed"]) == [2, 0, 1]
    assert table["max_abs_z"].iloc[0] == pytest.approx(2.5)
    tex = validation_table(checks)
    assert r"\texttt{mm1-bts}" in tex and r"\citealp{buzacott1993,zipkin2000}" in tex
    gen = Generated()
    validation_numbers(checks, gen, full_cases=10, quick=False)
    numbers = {k: v for k, (v, _) in gen.macros.items()}
    assert numbers["ValidationFailed"] == r"\ensuremath{1}"
    assert numbers["ValidationMaxZ"] == r"\ensuremath{3.40}"
    assert "quick subset" in numbers["ValidationScope"]  # 3 of 10 cases
