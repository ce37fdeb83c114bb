"""Question 2: how the BTO-share frontier moves with variety and shorter life cycles.

Reads the stored ``paper-variety`` results (``experiments/paper_variety.toml``): variants
per compact/SUV family x life cycle x BTO share at one capacity. ``plot_variety`` draws the
frontier (stock-side cost against mean lead time) for each number of variants at the
longest life cycle (a) and for each life cycle at the middle variety (b);
``variety_numbers`` writes the macros and the table of the most profitable share.
"""

from __future__ import annotations

import numpy as np

from btoagents.figures.frontier import THOUSAND

SHARE = "bto_share"
VARIANTS = "variants"
LIFE = "life_cycle"


def _curve(ax, data, table, where: dict, color, marker, ls, label) -> None:
    mask = np.ones(len(table), dtype=bool)
    for k, v in where.items():
        mask &= np.isclose(table[k].to_numpy(dtype=float), float(v))
    part = table[mask].sort_values(SHARE)
    x, y = part["lead_time_mean"], part["stock_cost"] * THOUSAND
    ax.errorbar(
        x,
        y,
        xerr=[x - part["lead_time_mean_lo"], part["lead_time_mean_hi"] - x],
        yerr=[y - part["stock_cost_lo"] * THOUSAND, part["stock_cost_hi"] * THOUSAND - y],
        color=color,
        marker=marker,
        ls=ls,
        markersize=3,
        capsize=1.5,
        elinewidth=0.7,
        label=label,
    )


def plot_variety(data, out) -> list:
    """Frontiers for each variety (a) and each life cycle (b), with 95% CI error bars.

    Args:
        data: the stored ``paper-variety`` results.
        out: path stem; ``.pdf`` and ``.png`` are written.
    """
    from btoagents.figures import style

    table = data.summary([VARIANTS, LIFE, SHARE], ["stock_cost", "lead_time_mean"])
    variants, lives = data.levels(VARIANTS), data.levels(LIFE)
    longest, middle = max(lives), variants[len(variants) // 2]
    fig, axes = style.figure(2, 1, height=4.3, sharex=True)
    vans = int(data.scenario["products"].get("van", {}).get("variants", 0))
    ax = axes[0, 0]
    colors = style.colors(len(variants))
    for i, n in enumerate(variants):
        _curve(
            ax,
            data,
            table,
            {VARIANTS: n, LIFE: longest},
            colors[i],
            style.MARKERS[i % len(style.MARKERS)],
            style.LINESTYLES[i % len(style.LINESTYLES)],
            f"{n:g} per family ({2 * n + vans:g} in all)",
        )
    ax.set_ylabel("stock-side cost (10$^3$ CU/day)")
    ax.legend(title="variants per compact/SUV family", loc="upper right")
    style.panel_label(ax, "a", f"variety (life cycle {longest:g} days)")
    ax = axes[1, 0]
    order = sorted(lives, reverse=True)
    colors = style.colors(len(order) + len(variants))[len(variants) :]
    for i, life in enumerate(order):
        _curve(
            ax,
            data,
            table,
            {VARIANTS: middle, LIFE: life},
            colors[i],
            style.MARKERS[(i + 3) % len(style.MARKERS)],
            style.LINESTYLES[i % len(style.LINESTYLES)],
            f"{life:g} days",
        )
    ax.set_ylabel("stock-side cost (10$^3$ CU/day)")
    ax.set_xlabel("mean order-to-delivery lead time (days)")
    ax.legend(title="life cycle", loc="upper right")
    style.panel_label(ax, "b", f"life cycle ({middle:g} variants per family)")
    fig.tight_layout(h_pad=0.6)
    return style.save(fig, out)


def best_shares(data) -> list[dict]:
    """Per (variants, life cycle): the BTO share with the highest mean profit, its profit,
    and its paired gains over pure BTS and pure BTO (Estimates)."""
    from btoagents.figures.stored import Estimate

    table = data.summary([VARIANTS, LIFE, SHARE], ["profit", "stock_cost"])
    shares = data.levels(SHARE)
    out = []
    for n in data.levels(VARIANTS):
        for life in sorted(data.levels(LIFE), reverse=True):
            part = table[np.isclose(table[VARIANTS], n) & np.isclose(table[LIFE], life)]
            row = part.loc[part["profit"].idxmax()]
            best = float(row[SHARE])
            at = {VARIANTS: n, LIFE: life}
            bts = part[np.isclose(part[SHARE], shares[0])].iloc[0]
            out.append(
                {
                    "variants": n,
                    "life_cycle": life,
                    "best_share": best,
                    "profit": Estimate(
                        row["profit"], row["profit_lo"], row["profit_hi"], int(row["n"])
                    ),
                    "stock_cost_bts": Estimate(
                        bts["stock_cost"], bts["stock_cost_lo"], bts["stock_cost_hi"], int(bts["n"])
                    ),
                    "gain_bts": data.paired(
                        "profit", {**at, SHARE: best}, {**at, SHARE: shares[0]}
                    ),
                    "gain_bto": data.paired(
                        "profit", {**at, SHARE: best}, {**at, SHARE: shares[-1]}
                    ),
                }
            )
    return out


def variety_table(data) -> str:
    """The LaTeX tabular of :func:`best_shares` (10^3 CU/day, 95% CI half-widths)."""
    from btoagents.figures.numbers import ci, number, share

    vans = int(data.scenario["products"].get("van", {}).get("variants", 0))
    lines = [
        r"\begin{tabular}{@{}rrrrr@{}}",
        r"\toprule",
        r"variants & life & stock-side cost & best & profit gain \\",
        r"(all) & cycle (d) & at BTS & share & over BTS \\",
        r"\midrule",
    ]
    for r in best_shares(data):
        n = r["variants"]
        lines.append(
            f"{number(2 * n + vans, 0)} & {number(r['life_cycle'], 0)} & "
            f"{ci(r['stock_cost_bts'], THOUSAND, decimals=1)} & {share(r['best_share'])} & "
            f"{ci(r['gain_bts'], THOUSAND, decimals=1)} \\\\"
        )
    lines += [r"\bottomrule", r"\end{tabular}"]
    return "\n".join(lines) + "\n"


def variety_numbers(data, gen) -> None:
    """Macros for question 2 (prefix ``Variety``) and ``variety_table.tex``."""
    from btoagents.figures.numbers import share, value

    variants, lives = data.levels(VARIANTS), data.levels(LIFE)
    shares = data.levels(SHARE)
    low, mid, high = variants[0], variants[len(variants) // 2], variants[-1]
    short, longest = min(lives), max(lives)
    vans = int(data.scenario["products"].get("van", {}).get("variants", 0))
    gen.add("VarietyReplications", value(data.replications(), 0), "replications per point")
    gen.add(
        "VarietyCapacity",
        value(
            int(data.scenario["manufacturer"]["lines"])
            * float(data.scenario["manufacturer"]["service_rate"]),
            0,
        ),
        "units/day",
    )
    for role, n in (("Low", low), ("Mid", mid), ("High", high)):
        gen.add(f"Variety{role}", value(n, 0), "variants per compact/SUV family")
        gen.add(f"Variety{role}All", value(2 * n + vans, 0), "variants in all")
    gen.add("VarietyLifeLong", value(longest, 0), "days")
    gen.add("VarietyLifeShort", value(short, 0), "days")
    bts, bto = shares[0], shares[-1]
    for role, n, life in (
        ("LowLong", low, longest),
        ("HighLong", high, longest),
        ("MidLong", mid, longest),
        ("MidShort", mid, short),
        ("HighShort", high, short),
    ):
        at = {VARIANTS: n, LIFE: life}
        gen.add_ci(
            f"VarietyStockCostBts{role}",
            data.estimate("stock_cost", **at, **{SHARE: bts}),
            f"stock-side cost, pure BTS, {n} variants, life {life}: 10^3 CU/day",
            scale=THOUSAND,
        )
        gen.add_ci(
            f"VarietyInvBts{role}",
            data.estimate("fg_inventory", **at, **{SHARE: bts}),
            f"finished goods, pure BTS, {n} variants, life {life}: units",
        )
        gen.add_ci(
            f"VarietyLeadBto{role}",
            data.estimate("lead_time_mean", **at, **{SHARE: bto}),
            f"mean lead time, pure BTO, {n} variants, life {life}: days",
        )
    rows = {(r["variants"], r["life_cycle"]): r for r in best_shares(data)}
    for role, n, life in (
        ("LowLong", low, longest),
        ("HighLong", high, longest),
        ("MidLong", mid, longest),
        ("MidShort", mid, short),
        ("HighShort", high, short),
    ):
        r = rows[(n, life)]
        gen.add(f"VarietyBestShare{role}", share(r["best_share"]), f"best share {n}, {life}")
        gen.add_ci(
            f"VarietyGainBts{role}",
            r["gain_bts"],
            f"profit at the best share minus pure BTS, {n} variants, life {life}: 10^3 CU/day",
            scale=THOUSAND,
        )
    gen.table("variety_table.tex", variety_table(data))
