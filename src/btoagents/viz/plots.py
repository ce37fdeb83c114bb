"""The dashboard's live plots: Mesa plot components over the DashboardModel's series.

Each plot draws columns of the model's ``DataCollector`` (see
:data:`btoagents.viz.model.SERIES`) against the step number.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from mesa.visualization import make_plot_component

#: (title, y-axis label, {series: colour}) of each plot, in page order.
PLOTS: tuple[tuple[str, str, dict[str, str]], ...] = (
    (
        "Finished stock per echelon",
        "units",
        {"plant": "tab:blue", "dealers": "tab:green", "in transit": "tab:gray"},
    ),
    (
        "BTO backlog",
        "orders",
        {"open orders": "tab:red", "plant queue": "tab:orange"},
    ),
    (
        "Lead time so far",
        "days",
        {"lead time mean": "tab:purple", "lead time p95": "tab:pink"},
    ),
    (
        "Utilization",
        "busy share of lines",
        {"utilization (step)": "tab:olive", "utilization (so far)": "tab:brown"},
    ),
    ("Cumulative profit", "currency", {"cumulative profit": "tab:cyan"}),
)


def _labeller(title: str, ylabel: str) -> Callable[[Any], None]:
    def post_process(ax: Any) -> None:
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.grid(True, alpha=0.3)

    return post_process


def plot_components() -> list[tuple[Callable[[Any], Any], int]]:
    """Mesa (component, page) pairs, one per entry of :data:`PLOTS`."""
    return [
        make_plot_component(series, post_process=_labeller(title, ylabel))
        for title, ylabel, series in PLOTS
    ]
