"""The inventory / lead-time frontier of fulfillment strategies, from stored results.

``plot_inventory_lead_time`` draws the demo's arms from its summary CSV. The paper's
question 1 (``experiments/paper_frontier.toml``): ``plot_frontier_kpis`` and
``plot_frontier`` draw the KPIs of the BTO-share x capacity grid with 95% CIs, and
``frontier_numbers`` defines the macros the text quotes.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402


def plot_inventory_lead_time(summary_csv: str | Path, out: str | Path) -> Path:
    """Finished-goods inventory against mean lead time per arm, with 95% CI bars.

    Args:
        summary_csv: a CSV with columns ``arm, kpi, mean, ci_low, ci_high`` (as written by
            ``btoagents demo``).
        out: the PNG to write.

    Returns:
        The path written.
    """
    df = pd.read_csv(summary_csv)
    wide = df.pivot(index="arm", columns="kpi", values=["mean", "ci_low", "ci_high"])
    arms = list(dict.fromkeys(df["arm"]))
    palette = sns.color_palette("colorblind", len(arms))
    sns.set_theme(style="whitegrid", context="paper")
    fig, ax = plt.subplots(figsize=(4.5, 3.4), dpi=150)
    for color, arm in zip(palette, arms, strict=True):
        x = wide.loc[arm, ("mean", "fg_inventory")]
        y = wide.loc[arm, ("mean", "lead_time_mean")]
        xerr = [
            [x - wide.loc[arm, ("ci_low", "fg_inventory")]],
            [wide.loc[arm, ("ci_high", "fg_inventory")] - x],
        ]
        yerr = [
            [y - wide.loc[arm, ("ci_low", "lead_time_mean")]],
            [wide.loc[arm, ("ci_high", "lead_time_mean")] - y],
        ]
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt="o", color=color, capsize=3, label=arm)
    ax.set_xlabel("finished-goods inventory (units, time average)")
    ax.set_ylabel("mean order-to-delivery lead time (days)")
    ax.set_title("Inventory vs lead time (95% CI)")
    ax.legend(frameon=True)
    fig.tight_layout()
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out)
    plt.close(fig)
    return out


# -- question 1: the BTO-share frontier at several capacities ---------------------------------

SHARE = "bto_share"
CAPACITY = "service_rate"
THOUSAND = 1e-3


def _capacities(data) -> list[float]:
    """Capacity levels, tightest (lowest service rate) first."""
    return data.levels(CAPACITY)


def _capacity_label(data, rate: float) -> str:
    lines = int(data.scenario["manufacturer"]["lines"])
    return f"{lines * rate:g}/day ({data.nominal_utilization(rate):.2f})"


def _band(ax, x, mean, lo, hi, color, marker, ls, label=None) -> None:
    ax.fill_between(x, lo, hi, color=color, alpha=0.22, lw=0)
    ax.plot(x, mean, color=color, marker=marker, ls=ls, label=label, markersize=3)


def plot_frontier_kpis(data, out) -> list:
    """Question 1, KPIs against the BTO share, one curve per plant capacity, 95% CI bands:
    finished goods, markdowns and write-offs, mean lead time, lost sales, utilization and
    profit.

    Args:
        data: the stored ``paper-frontier`` results (:class:`~btoagents.figures.stored.Stored`).
        out: path stem; ``.pdf`` and ``.png`` are written.
    """
    from btoagents.figures import style

    panels = [
        ("fg_inventory", 1.0, "finished goods", "units"),
        ("markdown_obsolescence", THOUSAND, "markdowns, write-offs", "10$^3$ CU/day"),
        ("lead_time_mean", 1.0, "mean lead time", "days"),
        ("lost_sales_rate", 100.0, "lost sales", "% of orders"),
        ("utilization", 100.0, "plant utilization", "% of capacity"),
        ("profit", THOUSAND, "profit", "10$^3$ CU/day"),
    ]
    table = data.summary([SHARE, CAPACITY], [p[0] for p in panels])
    caps = _capacities(data)
    colors = style.colors(len(caps))
    fig, axes = style.figure(3, 2, height=4.6, sharex=True)
    for k, (ax, (kpi, scale, title, unit)) in enumerate(zip(axes.flat, panels, strict=True)):
        for i, rate in enumerate(caps):
            part = table[np.isclose(table[CAPACITY], rate)].sort_values(SHARE)
            _band(
                ax,
                part[SHARE],
                part[kpi] * scale,
                part[f"{kpi}_lo"] * scale,
                part[f"{kpi}_hi"] * scale,
                colors[i],
                style.MARKERS[i % len(style.MARKERS)],
                style.LINESTYLES[i % len(style.LINESTYLES)],
                label=_capacity_label(data, rate),
            )
        ax.set_ylabel(unit)
        ax.set_xlim(-0.03, 1.03)
        style.panel_label(ax, "abcdef"[k], title)
    for ax in axes[-1]:
        ax.set_xlabel("BTO share of variants")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(
        handles,
        labels,
        title="plant capacity (nominal load)",
        loc="upper center",
        ncol=len(caps),
        bbox_to_anchor=(0.5, 1.0),
        frameon=False,
        columnspacing=0.8,
        handlelength=1.8,
    )
    fig.tight_layout(rect=(0, 0, 1, 0.93), h_pad=0.5, w_pad=0.8)
    return style.save(fig, out)


def _frontier_panel(ax, data, table, xkpi, ykpi, xscale, yscale, caps, colors, style) -> None:
    for i, rate in enumerate(caps):
        part = table[np.isclose(table[CAPACITY], rate)].sort_values(SHARE)
        x, y = part[xkpi] * xscale, part[ykpi] * yscale
        ax.errorbar(
            x,
            y,
            xerr=[x - part[f"{xkpi}_lo"] * xscale, part[f"{xkpi}_hi"] * xscale - x],
            yerr=[y - part[f"{ykpi}_lo"] * yscale, part[f"{ykpi}_hi"] * yscale - y],
            color=colors[i],
            marker=style.MARKERS[i % len(style.MARKERS)],
            ls=style.LINESTYLES[i % len(style.LINESTYLES)],
            markersize=3,
            capsize=1.5,
            elinewidth=0.7,
            label=_capacity_label(data, rate),
        )
    part = table[np.isclose(table[CAPACITY], caps[0])].sort_values(SHARE)
    n = len(part)
    for i, (share, x, y) in enumerate(zip(part[SHARE], part[xkpi], part[ykpi], strict=True)):
        if i % 2 and i != n - 2:
            continue  # every other share (and the last but one) is labelled
        ax.annotate(
            f"{share:g}",
            (x * xscale, y * yscale),
            textcoords="offset points",
            xytext=(4, 3),
            fontsize=6,
            color="0.25",
        )


def plot_frontier(data, out) -> list:
    """Question 1, the frontier itself, as the BTO share goes from 0 to 1 (point labels),
    one curve per plant capacity, 95% CI error bars in both directions: (a) stock-side cost
    (holding, markdowns and write-offs) against mean lead time; (b) finished goods against
    lost sales."""
    from btoagents.figures import style

    kpis = ["stock_cost", "lead_time_mean", "fg_inventory", "lost_sales_rate"]
    table = data.summary([SHARE, CAPACITY], kpis)
    caps = _capacities(data)
    colors = style.colors(len(caps))
    fig, axes = style.figure(2, 1, height=4.4)
    ax = axes[0, 0]
    _frontier_panel(
        ax, data, table, "lead_time_mean", "stock_cost", 1.0, THOUSAND, caps, colors, style
    )
    ax.set_xlabel("mean order-to-delivery lead time (days)")
    ax.set_ylabel("stock-side cost (10$^3$ CU/day)")
    ax.legend(title="plant capacity (nominal load)", loc="upper right", frameon=True)
    style.panel_label(ax, "a", "stock-side cost against lead time")
    ax = axes[1, 0]
    _frontier_panel(
        ax, data, table, "lost_sales_rate", "fg_inventory", 100.0, 1.0, caps, colors, style
    )
    ax.set_xlabel("lost sales (% of final-customer orders)")
    ax.set_ylabel("finished goods (units)")
    style.panel_label(ax, "b", "finished goods against lost sales")
    fig.tight_layout(h_pad=0.8)
    return style.save(fig, out)


def build_to_order_volume(data, share: float) -> float:
    """Share of compact and SUV demand falling on the least popular ``share`` of their
    variants (Zipf popularity as in :mod:`btoagents.products`)."""
    from btoagents.products import zipf_shares

    total = tail = 0.0
    for name in ("compact", "suv"):
        prod = data.scenario["products"][name]
        n = int(prod["variants"])
        shares = zipf_shares(n, float(prod["zipf_exponent"])) * float(prod["demand_rate"])
        k = round(share * n)
        total += shares.sum()
        tail += shares[n - k :].sum() if k else 0.0
    return tail / total


def nearest(levels: list[float], target: float) -> float:
    """The stored level closest to ``target``."""
    return min(levels, key=lambda x: abs(x - target))


def frontier_numbers(data, gen) -> None:
    """Macros for question 1 (prefix ``Frontier``): see the notes in numbers.tex."""
    from btoagents.figures.numbers import share, value

    caps = _capacities(data)
    tight, mid, loose = caps[0], caps[len(caps) // 2], caps[-1]
    shares = data.levels(SHARE)
    bts, bto, half = shares[0], shares[-1], nearest(shares, 0.5)
    lines = int(data.scenario["manufacturer"]["lines"])
    gen.add("FrontierReplications", value(data.replications(), 0), "replications per point")
    gen.add("FrontierPoints", value(len(shares) * len(caps), 0), "design points")
    gen.add("FrontierOffered", value(data.offered_load(), 1), "offered units/day")
    for role, rate in (("Tight", tight), ("Mid", mid), ("Loose", loose)):
        gen.add(f"FrontierCapacity{role}", value(lines * rate, 0), f"capacity {role}")
        gen.add(f"FrontierLoad{role}", value(data.nominal_utilization(rate), 2), "nominal load")
        for sname, s in (("Bts", bts), ("Bto", bto)):
            where = {SHARE: s, CAPACITY: rate}
            gen.add_ci(
                f"FrontierUtil{sname}{role}",
                data.estimate("utilization", **where),
                f"utilization at share {s}, service rate {rate}: percent",
                scale=100.0,
            )
    gen.add("FrontierHalfShare", share(half), "the middle BTO share")
    gen.add(
        "FrontierHalfVolume",
        value(100 * build_to_order_volume(data, half), 0),
        "percent of compact/SUV demand on the least popular half of the variants",
    )
    for sname, s in (("Bts", bts), ("Half", half), ("Bto", bto)):
        where = {SHARE: s, CAPACITY: mid}
        note = f"share {s}, service rate {mid}"
        gen.add_ci(f"FrontierInv{sname}", data.estimate("fg_inventory", **where), f"{note}: units")
        gen.add_ci(
            f"FrontierStockCost{sname}",
            data.estimate("stock_cost", **where),
            f"{note}: holding + markdown + write-off, 10^3 CU/day",
            scale=THOUSAND,
        )
        gen.add_ci(
            f"FrontierMarkObs{sname}",
            data.estimate("markdown_obsolescence", **where),
            f"{note}: markdown + write-off, 10^3 CU/day",
            scale=THOUSAND,
        )
        gen.add_ci(f"FrontierLead{sname}", data.estimate("lead_time_mean", **where), note)
        gen.add_ci(f"FrontierLeadP{sname}", data.estimate("lead_time_p95", **where), note)
        gen.add_ci(
            f"FrontierLost{sname}",
            data.estimate("lost_sales_rate", **where),
            f"{note}: percent",
            scale=100.0,
        )
        gen.add_ci(
            f"FrontierProfit{sname}",
            data.estimate("profit", **where),
            f"{note}: 10^3 CU/day",
            scale=THOUSAND,
        )
    # the most profitable share at the middle capacity, and its gain over pure BTS (paired)
    table = data.summary([SHARE, CAPACITY], ["profit"])
    part = table[np.isclose(table[CAPACITY], mid)]
    best = float(part.loc[part["profit"].idxmax(), SHARE])
    gen.add("FrontierBestShare", share(best), f"share with the highest mean profit at {mid}")
    at_best = {SHARE: best, CAPACITY: mid}
    gen.add_ci(
        "FrontierFillBest",
        data.estimate("stock_service_share", **at_best),
        "orders served from stock at the best share: percent",
        scale=100.0,
    )
    gen.add_ci(
        "FrontierStockCostBest",
        data.estimate("stock_cost", **at_best),
        "stock-side cost at the best share: 10^3 CU/day",
        scale=THOUSAND,
    )
    gen.add_ci("FrontierLeadBest", data.estimate("lead_time_mean", **at_best), "days")
    gen.add_ci(
        "FrontierLostBest",
        data.estimate("lost_sales_rate", **at_best),
        "lost sales at the best share: percent",
        scale=100.0,
    )
    gen.add(
        "FrontierBestVolume",
        value(100 * (1 - build_to_order_volume(data, best)), 0),
        "percent of compact/SUV demand on the variants stocked at the best share",
    )
    gen.add_ci(
        "FrontierBestGainBts",
        data.paired("profit", {SHARE: best, CAPACITY: mid}, {SHARE: bts, CAPACITY: mid}),
        "profit at the best share minus pure BTS, paired, 10^3 CU/day",
        scale=THOUSAND,
    )
    gen.add_ci(
        "FrontierBestGainBto",
        data.paired("profit", {SHARE: best, CAPACITY: mid}, {SHARE: bto, CAPACITY: mid}),
        "profit at the best share minus pure BTO, paired, 10^3 CU/day",
        scale=THOUSAND,
    )
    # what capacity changes: tight minus loose, paired, at the middle share
    for kpi, name, scale in (
        ("lead_time_mean", "FrontierCapLeadHalf", 1.0),
        ("lost_sales_rate", "FrontierCapLostHalf", 100.0),
        ("profit", "FrontierCapProfitHalf", THOUSAND),
    ):
        gen.add_ci(
            name,
            data.paired(kpi, {SHARE: half, CAPACITY: tight}, {SHARE: half, CAPACITY: loose}),
            f"{kpi} at service rate {tight} minus {loose}, share {half}, paired (x{scale:g})",
            scale=scale,
        )
