"""Question 3: capacity exposure under seasonal demand, and what each remedy recovers.

Reads the stored ``policy-capacity-season`` results
(``experiments/policy_capacity_season.toml``): school-library-fixtures at two seasonal
amplitudes, with arms level capacity (the static hybrid), pure ATO shelving, pure BTS, chase
(overtime), seasonal pre-build and slot booking.
``plot_capacity`` draws the p95 lead time (a) and the standard deviation of weekly
utilization (b) per arm and amplitude; ``capacity_numbers`` writes the macros the text
quotes (paired differences against level capacity at the larger amplitude).
"""

from __future__ import annotations

import numpy as np

from btoagents.figures.arms import arm_estimate, arm_paired, arms_in_order, dot_ci

AMPLITUDE = "amplitude"
BASE = "level"


def plot_capacity(data, out) -> list:
    """p95 lead time and utilization variability per arm, one colour per amplitude.

    Args:
        data: the stored ``policy-capacity-season`` results.
        out: path stem; ``.pdf`` and ``.png`` are written.
    """
    from btoagents.figures import style

    arms = arms_in_order(data)
    amps = data.levels(AMPLITUDE)
    fig, axes = style.figure(2, 1, height=3.9, sharex=True)
    colors = style.colors(len(amps))
    x = np.arange(len(arms), dtype=float)
    width = 0.18
    panels = (
        ("lead_time_p95", "p95 lead time (days)", "a", "exposure: lead time"),
        ("utilization_sd", "sd of weekly utilization", "b", "exposure: load swings"),
    )
    for row, (kpi, label, tag, title) in enumerate(panels):
        ax = axes[row, 0]
        for i, amp in enumerate(amps):
            est = [arm_estimate(data, kpi, arm, **{AMPLITUDE: amp}) for arm in arms]
            dot_ci(
                ax,
                x + (i - (len(amps) - 1) / 2) * width,
                est,
                color=colors[i],
                marker=style.MARKERS[i % len(style.MARKERS)],
                markersize=3.5,
                label=f"amplitude {amp:g}",
            )
        ax.set_ylabel(label)
        style.panel_label(ax, tag, title)
    axes[0, 0].legend(title="seasonal swing", loc="upper center")
    axes[1, 0].set_xticks(x)
    axes[1, 0].set_xticklabels(arms, rotation=30, ha="right")
    axes[1, 0].set_xlabel("policy arm (10 replications each, 95% CI)")
    return style.save(fig, out)


def capacity_numbers(data, gen) -> None:
    """Macros ``\\Cap...``: level capacity's exposure and each remedy's recovery and cost."""
    amp = max(data.levels(AMPLITUDE))
    where = {AMPLITUDE: amp}
    note = f"policy-capacity-season, amplitude {amp:g}"
    gen.add("CapAmplitude", f"\\ensuremath{{{amp:g}}}", note)
    gen.add_ci("CapLevelPninetyfive", arm_estimate(data, "lead_time_p95", BASE, **where), note)
    gen.add_ci("CapLevelUtilSd", arm_estimate(data, "utilization_sd", BASE, **where), note)
    names = {"chase": "Chase", "prebuild": "Prebuild", "slots": "Slots", "pure-bts": "PureBts"}
    for arm, tag in names.items():
        if arm not in set(data.rows["arm"]):
            continue
        gen.add_ci(f"Cap{tag}Pninetyfive", arm_estimate(data, "lead_time_p95", arm, **where), note)
        gen.add_ci(
            f"Cap{tag}PninetyfiveDiff",
            arm_paired(data, "lead_time_p95", arm, BASE, **where),
            f"{note}: {arm} minus level",
        )
        gen.add_ci(
            f"Cap{tag}UtilSdDiff",
            arm_paired(data, "utilization_sd", arm, BASE, **where),
            f"{note}: {arm} minus level",
        )
        gen.add_ci(
            f"Cap{tag}ProfitDiff",
            arm_paired(data, "profit", arm, BASE, **where),
            f"{note}: {arm} minus level, per day",
        )
    gen.add_ci(
        "CapPrebuildStockDiff",
        arm_paired(data, "fg_inventory", "prebuild", BASE, **where),
        f"{note}: finished units, prebuild minus level",
    )
