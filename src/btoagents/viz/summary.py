"""The KPI card: where the run is, its main KPIs so far, its settings, and any error."""

from __future__ import annotations

import math
from html import escape

import solara
from mesa.visualization.utils import update_counter

from btoagents.viz.params import describe


def _num(x: float | None, digits: int = 2) -> str:
    if x is None or math.isnan(x):
        return "n/a"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    return f"{x:.{digits}f}"


def _share(x: float | None) -> str:
    return "n/a" if x is None or math.isnan(x) else f"{x:.1%}"


def kpi_rows(k: dict[str, float]) -> list[tuple[str, str]]:
    """(label, value) rows of the card from a DashboardModel's ``kpis``."""
    get = k.get
    return [
        ("Orders arrived", _num(get("arrived"), 0)),
        ("Orders delivered", _num(get("delivered"), 0)),
        ("Open orders (backlog)", _num(get("open orders"), 0)),
        ("Lost sales", _num(get("lost"), 0)),
        ("Fill rate of stocked demand so far", _share(get("fill rate"))),
        ("Orders served from stock so far", _share(get("served from stock"))),
        ("Lead time mean so far (days)", _num(get("lead time mean"))),
        ("Lead time p95 so far (days)", _num(get("lead time p95"))),
        ("Utilization so far", _share(get("utilization (so far)"))),
        ("Finished stock now", _num((get("plant") or 0.0) + (get("dealers") or 0.0), 0)),
        ("Profit so far", _num(get("cumulative profit"), 0)),
    ]


def kpi_table(k: dict[str, float]) -> str:
    """The KPI rows as an HTML table (class ``btoagents-kpis``)."""
    rows = "".join(
        f'<tr><th style="text-align:left;font-weight:normal;padding-right:1em">{escape(a)}'
        f'</th><td data-kpi="{escape(a)}" style="text-align:right">{escape(b)}</td></tr>'
        for a, b in kpi_rows(k)
    )
    return f'<table class="btoagents-kpis" style="border-collapse:collapse">{rows}</table>'


@solara.component
def Summary(model) -> None:
    """Day, KPIs so far, settings and errors of a :class:`~btoagents.viz.model.DashboardModel`."""
    update_counter.get()  # Mesa's signal that the model stepped: render again
    chain = model.chain  # read once: a closing session may drop it meanwhile
    with solara.Column(gap="4px"):
        if model.error:
            solara.Error(f"error: {model.error}", classes=["btoagents-error"])
            solara.Text("Change the setting and press Reset.")
        if model.warning:
            solara.Warning(model.warning)
        if chain is not None:
            state = "running" if model.running else "stopped at the horizon"
            if model.error:
                state = "stopped"
            solara.Text(
                f"{model.preset}: day {chain.cal.now:g} of {chain.horizon:g} "
                f"({model.step_days:g} days per step, {state})",
                classes=["btoagents-day"],
            )
            solara.HTML(tag="div", unsafe_innerHTML=kpi_table(model.kpis))
        small = {"font-size": "0.85em", "color": "#666"}
        if chain is not None:
            solara.Text(f"Model: {describe(chain.cfg)}", style=small)
        settings = "; ".join(model.settings) if model.settings else "as in the scenario"
        solara.Text(f"Settings: {settings}", style=small, classes=["btoagents-settings"])
        solara.Text("Moved a control? Press Reset to start a run with it.", style=small)
