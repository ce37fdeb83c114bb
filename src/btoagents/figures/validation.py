"""The paper's verification table, from a stored validation report's ``checks.csv``.

``btoagents validate`` (``make validate``: the full grid, into ``results/validation``)
writes one row per check: a case, a KPI, its closed-form value, the simulated mean with a
95% CI over independent replications, and z = (simulation - theory) / SE. The table here
groups the checks by family of cases; the macros say how many cases and checks there were,
how many passed, and whether the full grid or the quick subset was used.
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

#: family -> (what is checked, the closed form and its source as LaTeX)
FAMILIES: dict[str, tuple[str, str]] = {
    "mm1-bts": (
        "M/M/1 make-to-stock with base stock $S$",
        r"\citealp{buzacott1993,zipkin2000}",
    ),
    "mm1-bto": ("M/M/1 build to order (delay, its 95th percentile)", r"\citealp{kleinrock1975}"),
    "hybrid-fcfs": ("one BTS and one BTO product on one line, FCFS", "M/M/1 job mix"),
    "hybrid-bto_priority": ("the same, BTO orders first (non-preemptive)", r"\citealp{cobham1954}"),
    "hybrid-bto_preemptive": ("the same, preemptive-resume priority", r"\citealp{kleinrock1976}"),
    "mg1-bto": (
        "M/G/1 build to order, four service-time laws",
        r"Pollaczek--Khinchine; \citealp{kleinrock1975}",
    ),
    "palm": ("dealer base stock with a fixed transport time", r"Palm; \citealp{zipkin2000}"),
    "bullwhip": (
        "order-up-to with moving-average or smoothing forecast",
        r"\citealp{chen2000,chen2000es}",
    ),
    "little": (
        "sample-path Little's law for backlog and stock, five presets",
        r"\citealp{little1961,stidham1974}",
    ),
    "utilization": ("utilization under three disciplines", r"$\sum_i \lambda_i/\mu_i$"),
    "ato-decoupling": ("assemble to order with a component decoupling stock", "exact Markov chain"),
}


def load_checks(folder: str | Path) -> pd.DataFrame:
    """The ``checks.csv`` of a validation report folder."""
    path = Path(folder) / "checks.csv"
    checks = pd.read_csv(path)
    checks["passed"] = checks["passed"].astype(str).str.lower().isin(("true", "1"))
    return checks


def family_table(checks: pd.DataFrame) -> pd.DataFrame:
    """One row per family, in report order: cases, checks, KPIs, max |z|, passed."""
    rows = []
    for fam, part in checks.groupby("family", sort=False):
        z = part["z"].abs().replace(math.inf, math.nan)
        rows.append(
            {
                "family": fam,
                "cases": part["case"].nunique(),
                "checks": len(part),
                "kpis": part["kpi"].nunique(),
                "max_abs_z": float(z.max()) if z.notna().any() else math.nan,
                "passed": int(part["passed"].sum()),
                "confirmed": int(part["first_z"].notna().sum()) if "first_z" in part else 0,
            }
        )
    return pd.DataFrame(rows)


def _tex(text: str) -> str:
    return text.replace("_", r"\_")


def validation_table(checks: pd.DataFrame) -> str:
    """A LaTeX tabular (two columns wide): family, what it checks, the theory and its
    source, cases, checks, passed and the largest |z|."""
    table = family_table(checks)
    lines = [
        r"\begin{tabular}{@{}l>{\raggedright\arraybackslash}p{0.29\textwidth}"
        r">{\raggedright\arraybackslash}p{0.18\textwidth}rrrr@{}}",
        r"\toprule",
        r"family & special case & theory & cases & checks & passed & max $|z|$ \\",
        r"\midrule",
    ]
    for r in table.itertuples():
        what, source = FAMILIES.get(r.family, ("", ""))
        z = "--" if math.isnan(r.max_abs_z) else f"{r.max_abs_z:.2f}"
        lines.append(
            rf"\texttt{{{_tex(r.family)}}} & {what} & {source} & {r.cases} & {r.checks} & "
            rf"{r.passed} & {z} \\"
        )
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def validation_numbers(checks: pd.DataFrame, gen, full_cases: int, quick: bool) -> None:
    """Macros (prefix ``Validation``) and ``validation_table.tex``."""
    from btoagents.figures.numbers import value

    cases = checks["case"].nunique()
    passed = int(checks["passed"].sum())
    z = checks["z"].abs().replace(math.inf, math.nan)
    identities = checks["kpi"].astype(str).str.startswith("little")
    gen.add("ValidationCases", value(cases, 0), "validation cases in the stored report")
    gen.add("ValidationAllCases", value(full_cases, 0), "cases in the full grid")
    gen.add("ValidationChecks", value(len(checks), 0), "checks (case x KPI)")
    gen.add("ValidationPassed", value(passed, 0), "checks passed (|z| <= 3)")
    gen.add("ValidationFailed", value(len(checks) - passed, 0), "checks failed")
    gen.add("ValidationFamilies", value(checks["family"].nunique(), 0), "families")
    gen.add("ValidationMaxZ", value(float(z[~identities].max()), 2), "largest |z|")
    gen.add(
        "ValidationConfirmed",
        value(int(checks["first_z"].notna().sum()) if "first_z" in checks else 0, 0),
        "checks that needed the confirmation stage",
    )
    gen.add(
        "ValidationMinReplications",
        value(int(checks["replications"].min()), 0),
        "fewest replications behind a check",
    )
    scope = (
        "the quick subset of the validation grid"
        if quick or cases < full_cases
        else "the full validation grid"
    )
    gen.add("ValidationScope", scope, "which validation run the table shows")
    gen.table("validation_table.tex", validation_table(checks))
