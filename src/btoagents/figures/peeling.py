"""The coverage-density trade-off of a PRIM peeling trajectory (``btoagents discover``).

Each box of the trajectory is a point at (coverage, density), coloured by its number of
restricted factors; the chosen box is ringed and labelled, and the density threshold is a
dashed line. Read from right to left it is the peeling: coverage falls as density rises
(Bryant and Lempert, "Thinking inside the box", Technological Forecasting and Social
Change 77(1), 2010, choose a box on this curve).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from btoagents.figures import style


def plot_tradeoff(
    trajectory: pd.DataFrame, chosen: int, threshold: float, title: str, out: str | Path
) -> Path:
    """Draw the trade-off of ``trajectory`` (columns ``coverage``, ``density``,
    ``restricted``, as :class:`~btoagents.experiment.discovery.Discovery` has it) and write
    it to ``out`` as a PNG (200 dpi); returns the path."""
    import matplotlib as mpl
    import matplotlib.pyplot as plt

    fig, axes = style.figure(height=2.8)
    ax = axes[0][0]
    dims = trajectory["restricted"].to_numpy(dtype=int)
    top = max(int(dims.max()), 1)
    cmap = mpl.colormaps["viridis"].resampled(top + 1)
    norm = mpl.colors.BoundaryNorm(np.arange(-0.5, top + 1.5), cmap.N)
    ax.plot(trajectory["coverage"], trajectory["density"], color="0.75", lw=0.6, zorder=1)
    points = ax.scatter(
        trajectory["coverage"], trajectory["density"], c=dims, cmap=cmap, norm=norm, s=9, zorder=2
    )
    pick = trajectory.iloc[chosen]
    ax.scatter(
        [pick["coverage"]], [pick["density"]], s=60, facecolors="none", edgecolors="k", lw=0.9
    )
    ax.annotate(
        f"box {chosen}: coverage {pick['coverage']:.2f}, density {pick['density']:.2f}",
        (pick["coverage"], pick["density"]),
        xytext=(-8, -4),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=6.5,
    )
    ax.axhline(threshold, color="0.4", ls="--", lw=0.7)
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("coverage (share of all cases of interest)")
    ax.set_ylabel("density (share of the box of interest)")
    ax.set_title(title, fontsize=7)
    bar = fig.colorbar(points, ax=ax, ticks=range(top + 1))
    bar.set_label("restricted factors")
    out = Path(out).with_suffix(".png")
    try:
        fig.savefig(out, dpi=200)
    finally:
        plt.close(fig)
    return out
