"""The inventory / lead-time frontier of fulfillment strategies, from a stored summary."""

from __future__ import annotations

from pathlib import Path

import matplotlib

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
