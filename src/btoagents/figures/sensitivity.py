"""Question 5: global sensitivity (Sobol indices) of profit and lead time.

Reads the stored ``paper-sensitivity`` results (``experiments/paper_sensitivity.toml``, a
Saltelli design) and computes first-order (S1) and total-order (ST) Sobol indices with
SALib's bootstrap 95% intervals on the replication-mean output of each design point
(:func:`btoagents.experiment.analysis.sobol_indices`; Sobol 2001, Saltelli 2002 and
Saltelli et al. 2010, SALib: Herman and Usher 2017).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

KPIS = ("profit", "lead_time_mean")
KPI_TITLES = {"profit": "profit", "lead_time_mean": "mean lead time"}
LABELS = {
    "bto_share": "BTO share",
    "service_rate": "plant capacity",
    "days_of_supply": "dealer stock (days)",
    "patience": "customer patience",
    "release_days": "order bank (days)",
    "life_cycle": "life cycle",
    "variants": "variants",
}


#: names in running text
NAMES = {
    "bto_share": "the BTO share",
    "service_rate": "plant capacity",
    "days_of_supply": "dealer days of supply",
    "patience": "customer patience",
    "release_days": "the order-bank delay",
    "life_cycle": "the life cycle",
    "variants": "the number of variants",
}


def name(factor: str) -> str:
    return NAMES.get(factor, factor.replace("_", " "))


def label(factor: str) -> str:
    return LABELS.get(factor, factor.replace("_", " "))


def camel(factor: str) -> str:
    """``bto_share`` -> ``BtoShare`` (letters only, for macro names)."""
    return "".join(p.capitalize() for p in factor.split("_") if p.isalpha())


def indices(data, kpis=KPIS) -> pd.DataFrame:
    """S1, S1_conf, ST, ST_conf per KPI and factor (the first arm), clipped to [0, 1]
    for display only by the plot; values here are SALib's."""
    from btoagents.experiment.analysis import sobol_indices

    table = sobol_indices(data.rows, data.manifest, list(kpis))  # seeded bootstrap
    arm = data.manifest["arms"][0]
    return table[table["arm"] == arm].reset_index(drop=True)


def plot_sobol(data, out) -> list:
    """First- and total-order Sobol indices of profit (a) and mean lead time (b), with 95%
    bootstrap intervals, factors sorted by the total index of profit."""
    from btoagents.figures import style

    table = indices(data)
    factors = list(table[table["kpi"] == KPIS[0]].sort_values("ST", ascending=True)["factor"])
    fig, axes = style.figure(1, 2, height=2.4, sharey=True)
    colors = style.colors(2)
    y = np.arange(len(factors))
    h = 0.38
    top = float(np.nanmax(table["ST"] + table["ST_conf"]))
    for k, (ax, kpi) in enumerate(zip(axes.flat, KPIS, strict=True)):
        part = table[table["kpi"] == kpi].set_index("factor").reindex(factors)
        for j, (idx, name) in enumerate((("S1", "first order $S_1$"), ("ST", "total $S_T$"))):
            ax.barh(
                y + (0.5 - j) * h,
                part[idx].clip(lower=0),
                height=h,
                xerr=part[f"{idx}_conf"],
                color=colors[j],
                error_kw={"elinewidth": 0.7, "capsize": 1.5, "ecolor": "0.2"},
                label=name,
            )
        ax.set_xlim(0, min(1.5, max(1.0, top * 1.05)))
        ax.set_xlabel("Sobol index")
        ax.grid(axis="y", visible=False)
        style.panel_label(ax, "ab"[k], KPI_TITLES.get(kpi, kpi))
    axes[0, 0].set_yticks(y, [label(f) for f in factors])
    axes[0, 0].legend(loc="lower right", frameon=True)
    fig.tight_layout(w_pad=0.6)
    return style.save(fig, out)


def sobol_numbers(data, gen) -> None:
    """Macros for question 5 (prefix ``Sobol``)."""
    from btoagents.experiment.designs import DesignRecord
    from btoagents.figures.numbers import value
    from btoagents.figures.stored import Estimate

    table = indices(data)
    design = DesignRecord.from_manifest(data.manifest)  # the sweep's record, not the TOML
    gen.add("SobolFactors", value(len(data.factors()), 0), "factors")
    gen.add("SobolSamples", value(design.settings.get("samples", 0), 0), "base N")
    gen.add("SobolPoints", value(len(design.points), 0), "design points")
    gen.add("SobolReplications", value(data.replications(), 0), "replications per point")
    gen.add("SobolRuns", value(len(data.rows), 0), "runs")
    for kpi in KPIS:
        part = table[table["kpi"] == kpi].sort_values("ST", ascending=False)
        key = camel(kpi.replace("_mean", ""))
        for r in part.itertuples():
            for idx in ("S", "ST"):
                col = "S1" if idx == "S" else "ST"
                mean, conf = float(getattr(r, col)), float(getattr(r, f"{col}_conf"))
                gen.add_ci(
                    f"Sobol{key}{'First' if idx == 'S' else 'Total'}{camel(r.factor)}",
                    Estimate(mean, mean - conf, mean + conf, 2),
                    f"{col} of {kpi} for {r.factor} (SALib bootstrap 95% CI)",
                    decimals=2,
                )
        top = part.iloc[0]
        gen.add(f"Sobol{key}TopName", name(str(top["factor"])), f"largest ST of {kpi}")
        second = part.iloc[1] if len(part) > 1 else top
        gen.add(f"Sobol{key}SecondName", name(str(second["factor"])), f"second ST of {kpi}")
        gen.add(
            f"Sobol{key}SumFirst",
            value(float(part["S1"].clip(lower=0).sum()), 2),
            f"sum of S1 of {kpi} (1 minus it: the share due to interactions and noise)",
        )
