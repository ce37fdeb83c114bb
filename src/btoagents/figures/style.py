"""One look for every paper figure: column width, small fonts, seaborn's colour-blind palette,
PDF (vector, embedded TrueType fonts) and PNG (300 dpi) side by side."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

#: Width of one column of a two-column paper (inches).
COLUMN = 3.4
PALETTE = "colorblind"
MARKERS = ("o", "s", "^", "D", "v", "P")
LINESTYLES = ("-", "--", ":", "-.")
CI_ALPHA = 0.22


def apply() -> None:
    """Set seaborn's theme and the font sizes readable at column width."""
    sns.set_theme(style="whitegrid", context="paper", palette=PALETTE)
    plt.rcParams.update(
        {
            "font.size": 7.5,
            "axes.titlesize": 7.5,
            "axes.labelsize": 7.5,
            "xtick.labelsize": 7,
            "ytick.labelsize": 7,
            "legend.fontsize": 6.5,
            "legend.title_fontsize": 6.5,
            "lines.linewidth": 1.2,
            "lines.markersize": 3.5,
            "axes.linewidth": 0.6,
            "grid.linewidth": 0.4,
            "pdf.fonttype": 42,
            "ps.fonttype": 42,
            "savefig.bbox": "tight",
            "savefig.pad_inches": 0.02,
        }
    )


def colors(n: int) -> list[tuple[float, float, float]]:
    """``n`` colours of the colour-blind-safe palette."""
    return sns.color_palette(PALETTE, max(n, 1))[:n]


def figure(rows: int = 1, cols: int = 1, height: float = 2.4, **kw):
    """A column-wide figure with a grid of axes (``squeeze=False``)."""
    apply()
    return plt.subplots(rows, cols, figsize=(COLUMN, height), squeeze=False, **kw)


def panel_label(ax, label: str, title: str = "") -> None:
    """Title a panel ``(a) title`` at its top left, outside the data area."""
    ax.set_title(f"({label}) {title}".rstrip(), loc="left", fontsize=7.5, pad=3)


def save(fig, stem: str | Path) -> list[Path]:
    """Write ``stem.pdf`` and ``stem.png``; close the figure. Returns both paths."""
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for ext, kw in ((".pdf", {}), (".png", {"dpi": 300})):
        path = stem.with_suffix(ext)
        fig.savefig(path, **kw)
        out.append(path)
    plt.close(fig)
    return out
