"""The validation report: a Markdown table and a picture of simulation against theory."""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from btoagents.report import fmt  # noqa: E402
from btoagents.validation.run import Z_LIMIT  # noqa: E402


def markdown_table(checks: pd.DataFrame) -> str:
    """One row per check: case, parameters, KPI, theory, simulation, 95% CI, z, pass."""
    lines = [
        "| case | parameters | KPI | theory | simulation | 95% CI | z | R | pass |",
        "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for r in checks.itertuples():
        ci = "n/a" if math.isnan(r.ci_low) else f"[{fmt(r.ci_low)}, {fmt(r.ci_high)}]"
        lines.append(
            f"| {r.family} | {r.params} | {r.kpi} | {fmt(r.theory)} | {fmt(r.simulation)} "
            f"| {ci} | {_z(r.z, r.first_z)} | {r.replications} "
            f"| {'yes' if r.passed else '**NO**'} |"
        )
    return "\n".join(lines)


def _z(z: float, first: float) -> str:
    """The z of a check; a confirmed one shows the first stage's z before it."""
    if math.isnan(first):
        return f"{z:+.2f}"
    return f"{first:+.2f} then {z:+.2f}"


def write_report(checks: pd.DataFrame, folder: str | Path, elapsed: float, quick: bool) -> Path:
    """Write ``report.md``, ``checks.csv`` and ``theory_vs_simulation.png`` into ``folder``."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    checks.to_csv(folder / "checks.csv", index=False)
    passed = int(checks["passed"].sum())
    cases = checks["case"].nunique()
    head = [
        "# btoagents validation report",
        "",
        f"{'Quick subset' if quick else 'Full grid'}: {cases} cases, {len(checks)} checks, "
        f"{passed} passed, {len(checks) - passed} failed; {elapsed:.0f} s.",
        "",
        f"Each check compares the mean over independent replications with theory: "
        f"z = (simulation - theory) / SE, passing when |z| <= {Z_LIMIT:g}. Identities "
        "(sample-path Little's law) pass when they hold to rounding. Closed forms and their "
        "sources: `btoagents.theory`; cases: `btoagents.validation.cases`. A check beyond "
        "3 SE is re-run on an independent sample with 4x the replications (R shows it) "
        "and must pass there too; its first z is shown before the confirmation's "
        f"({int(checks['first_z'].notna().sum())} checks needed one).",
        "",
        "![simulation against theory](theory_vs_simulation.png)",
        "",
    ]
    (folder / "report.md").write_text("\n".join(head) + markdown_table(checks) + "\n")
    plot_checks(checks, folder / "theory_vs_simulation.png")
    return folder / "report.md"


def plot_checks(checks: pd.DataFrame, out: Path) -> Path:
    """Simulated against theoretical values with 95% CI bars, one panel per KPI."""
    data = checks[checks["kpi"].map(lambda k: not k.startswith("little"))]
    kpis = list(dict.fromkeys(data["kpi"]))
    cols = min(4, max(1, len(kpis)))
    rows = math.ceil(len(kpis) / cols) or 1
    sns.set_theme(style="whitegrid", context="paper")
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 3.0 * rows), squeeze=False, dpi=120)
    palette = sns.color_palette("colorblind", 2)
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        part = data[data["kpi"] == kpi]
        err = [part["simulation"] - part["ci_low"], part["ci_high"] - part["simulation"]]
        colors = [palette[0] if p else palette[1] for p in part["passed"]]
        ax.errorbar(part["theory"], part["simulation"], yerr=err, fmt="none", ecolor="grey")
        ax.scatter(part["theory"], part["simulation"], c=colors, s=14, zorder=3)
        lo = min(part["theory"].min(), part["simulation"].min())
        hi = max(part["theory"].max(), part["simulation"].max())
        ax.plot([lo, hi], [lo, hi], color="black", lw=0.7, ls="--")
        ax.set_title(kpi)
        ax.set_xlabel("theory")
        ax.set_ylabel("simulation (95% CI)")
    for ax in list(axes.flat)[len(kpis) :]:
        ax.set_visible(False)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)
    return out
