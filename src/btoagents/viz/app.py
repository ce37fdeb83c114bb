"""The dashboard page: Mesa's SolaraViz around a DashboardModel, one per browser session.

``solara run btoagents.viz.app`` (what ``btoagents dashboard`` starts) renders :func:`Page`
once per browser session (solara's virtual kernel). The model lives in that session's
state (a reactive created inside the component), never at module level, so two visitors
each steer their own run. The scenario comes from ``BTOAGENTS_DASHBOARD_SCENARIO``
(default ``dealer-network``), which ``btoagents dashboard SCENARIO`` sets.
"""

from __future__ import annotations

import os
from typing import Any

import solara
from mesa.visualization import SolaraViz

from btoagents.config import load_scenario
from btoagents.errors import BtoagentsError
from btoagents.viz.chain import ChainPicture
from btoagents.viz.model import DashboardModel
from btoagents.viz.params import defaults, model_params
from btoagents.viz.plots import plot_components
from btoagents.viz.summary import Summary

SCENARIO_ENV = "BTOAGENTS_DASHBOARD_SCENARIO"
DEFAULT_SCENARIO = "dealer-network"


def scenario_source() -> str:
    """The scenario the dashboard shows (a preset name or TOML path)."""
    return os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO


def page_params(source: str) -> tuple[dict[str, Any] | None, str | None]:
    """(model_params, None) for ``source``, or (None, one-line error)."""
    try:
        return model_params(source, load_scenario(source)), None
    except BtoagentsError as exc:
        return None, str(exc)


PLOTS = plot_components()


@solara.component
def Page() -> None:
    """One visitor's dashboard: controls, play/step/reset, summary, chain and plots.

    The summary and the chain picture span the page above SolaraViz's grid of plots.
    """
    source = scenario_source()
    params, error = solara.use_memo(lambda: page_params(source), [source])
    initial = solara.use_memo(
        lambda: DashboardModel(**defaults(params)) if params is not None else None, [source]
    )
    model = solara.use_reactive(initial)
    if params is None or model.value is None:
        solara.Error(f"error: {error}")
        return
    with solara.Column(style={"padding": "12px"}):
        with solara.Columns([1, 2]):
            Summary(model.value)
            ChainPicture(model.value)
        SolaraViz(
            model,
            components=PLOTS,
            model_params=params,
            name=f"btoagents dashboard: {source}",
            play_interval=150,
        )
