"""Question 4: adaptive fulfillment policies against static assignments when demand shifts.

Reads the stored ``policy-fulfillment-shift`` results
(``experiments/policy_fulfillment_shift.toml``): dealer-network with every family's
popularity ranking reversed on day 240 (or never), and arms static hybrid, pure BTS, pure
BTO, classification, cost-based switching and a bandit.
``plot_adaptive`` draws profit per arm with and without the shift (a) and the finished
stock against the mean lead time of each arm under the shift (b); ``adaptive_numbers``
writes the macros the text quotes (paired differences against the static hybrid).
"""

from __future__ import annotations

import numpy as np

from btoagents.figures.arms import arm_estimate, arm_paired, arms_in_order, dot_ci
from btoagents.figures.frontier import THOUSAND
from btoagents.figures.stored import estimate

SHIFT = "shift_day"
BASE = "static-hybrid"


def _shift_levels(data) -> tuple[float, float]:
    """(the shift day inside the run, the day past it that means no shift)."""
    levels = data.levels(SHIFT)
    return min(levels), max(levels)


def plot_adaptive(data, out) -> list:
    """Profit per arm with and without the shift, and each arm's stock / lead-time point.

    Args:
        data: the stored ``policy-fulfillment-shift`` results.
        out: path stem; ``.pdf`` and ``.png`` are written.
    """
    from btoagents.figures import style

    arms = arms_in_order(data)
    shifted, never = _shift_levels(data)
    fig, axes = style.figure(2, 1, height=4.8)
    fig.subplots_adjust(hspace=0.62)
    colors = style.colors(len(arms))
    ax = axes[0, 0]
    x = np.arange(len(arms), dtype=float)
    for i, (day, label) in enumerate(((never, "no shift"), (shifted, f"shift on day {shifted:g}"))):
        est = [arm_estimate(data, "profit", arm, **{SHIFT: day}).scaled(THOUSAND) for arm in arms]
        dot_ci(
            ax,
            x + (i - 0.5) * 0.2,
            est,
            color=style.colors(2)[i],
            marker=style.MARKERS[i],
            markersize=3.5,
            label=label,
        )
    ax.set_xticks(x)
    ax.set_xticklabels(arms, rotation=25, ha="right")
    ax.set_ylabel("profit (10$^3$ CU/day)")
    ax.legend(loc="lower right")
    style.panel_label(ax, "a", "profit by policy")
    ax = axes[1, 0]
    for i, arm in enumerate(arms):
        lead = arm_estimate(data, "lead_time_mean", arm, **{SHIFT: shifted})
        stock = arm_estimate(data, "fg_inventory", arm, **{SHIFT: shifted})
        ax.errorbar(
            [lead.mean],
            [stock.mean],
            xerr=[[lead.mean - lead.ci_low], [lead.ci_high - lead.mean]],
            yerr=[[stock.mean - stock.ci_low], [stock.ci_high - stock.mean]],
            color=colors[i],
            marker=style.MARKERS[i % len(style.MARKERS)],
            markersize=4,
            capsize=1.5,
            elinewidth=0.7,
            ls="none",
            label=arm,
        )
    ax.set_xlabel("mean lead time (days)")
    ax.set_ylabel("finished-goods inventory (units)")
    ax.legend(loc="upper right", ncol=1)
    style.panel_label(ax, "b", f"stock against lead time, shift on day {shifted:g}")
    return style.save(fig, out)


def adaptive_numbers(data, gen) -> None:
    """Macros ``\\Adapt...``: what the shift costs the static hybrid and what each adaptive
    policy gains over it, with and without the shift (money in 10^3 CU per day)."""
    shifted, never = _shift_levels(data)
    note = "policy-fulfillment-shift"
    gen.add("AdaptShiftDay", f"\\ensuremath{{{shifted:g}}}", note)
    base_shift = data.rows[(data.rows["arm"] == BASE)]
    a = base_shift[np.isclose(base_shift[f"factor.{SHIFT}"], never)].set_index("replication")
    b = base_shift[np.isclose(base_shift[f"factor.{SHIFT}"], shifted)].set_index("replication")
    gen.add_ci(
        "AdaptStaticShiftLoss",
        estimate((a["profit"] - b["profit"]).dropna()),
        f"{note}: static hybrid, profit without minus with the shift (10^3 CU per day)",
        scale=THOUSAND,
    )
    gen.add_ci(
        "AdaptStaticProfit",
        arm_estimate(data, "profit", BASE, **{SHIFT: shifted}),
        f"{note}: 10^3 CU per day",
        scale=THOUSAND,
    )
    names = {
        "classification": "Classification",
        "cost": "Cost",
        "bandit": "Bandit",
        "pure-bto": "PureBto",
        "pure-bts": "PureBts",
    }
    for arm, tag in names.items():
        if arm not in set(data.rows["arm"]):
            continue
        for day, when in ((shifted, "Shift"), (never, "Steady")):
            gen.add_ci(
                f"Adapt{tag}ProfitDiff{when}",
                arm_paired(data, "profit", arm, BASE, **{SHIFT: day}),
                f"{note}: {arm} minus static hybrid, 10^3 CU per day, shift day {day:g}",
                scale=THOUSAND,
            )
        gen.add_ci(
            f"Adapt{tag}Stock",
            arm_estimate(data, "fg_inventory", arm, **{SHIFT: shifted}),
            f"{note}: finished units, {arm}, with the shift",
        )
        gen.add_ci(
            f"Adapt{tag}Lead",
            arm_estimate(data, "lead_time_mean", arm, **{SHIFT: shifted}),
            f"{note}: mean lead time (days), {arm}, with the shift",
        )
    gen.add_ci(
        "AdaptStaticStock", arm_estimate(data, "fg_inventory", BASE, **{SHIFT: shifted}), note
    )
    gen.add_ci(
        "AdaptStaticLead", arm_estimate(data, "lead_time_mean", BASE, **{SHIFT: shifted}), note
    )
