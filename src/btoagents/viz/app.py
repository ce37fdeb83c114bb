"""The dashboard page: Mesa's SolaraViz around a DashboardModel, one per browser session.

``solara run btoagents.viz.app`` (what ``btoagents dashboard`` starts) renders :func:`Page`
once per browser session (solara's virtual kernel). The model lives in that session's
state (a reactive created inside the component), never at module level, so two visitors
each steer their own run. The scenario comes from ``BTOAGENTS_DASHBOARD_SCENARIO``
(default ``dealer-network``), which ``btoagents dashboard SCENARIO`` sets.

A model is released (its chain dropped) as soon as its session replaces it (Reset) or
ends (the tab closed), and any error that escapes the page's parts shows as one line
(class ``btoagents-error``) instead of a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import solara
from mesa.visualization import SolaraViz

from btoagents.config import load_scenario
from btoagents.viz.chain import ChainPicture
from btoagents.viz.messages import one_line
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
    except Exception as exc:
        return None, one_line(exc)


def first_model(params: dict[str, Any] | None) -> DashboardModel | None:
    """The model the page starts with (the controls' defaults), or None without params."""
    return DashboardModel(**defaults(params)) if params is not None else None


PLOTS = plot_components()


@solara.component
def ErrorLine(message: str) -> None:
    """One line of error in the page (class ``btoagents-error``)."""
    solara.Error(f"error: {message}", classes=["btoagents-error"])


@solara.component
def Guarded(child: Callable[[], Any]) -> None:
    """Render ``child()``; if it or anything in it raises, show the error as one line and a
    button that starts the child afresh."""
    exc, clear = solara.use_exception()
    attempt, set_attempt = solara.use_state(0)
    if exc is not None:

        def again() -> None:
            set_attempt(attempt + 1)
            clear()

        ErrorLine(one_line(exc))
        solara.Button("Start again", on_click=again, color="primary")
        return
    child().key(f"attempt-{attempt}")


@solara.component
def Dashboard() -> None:
    """One visitor's dashboard: controls, play/step/reset, summary, chain and plots.

    The summary and the chain picture span the page above SolaraViz's grid of plots.
    """
    source = scenario_source()
    params, error = solara.use_memo(lambda: page_params(source), [source])
    initial = solara.use_memo(lambda: first_model(params), [source])
    model = solara.use_reactive(initial)

    def own() -> Callable[[], None] | None:
        # the model in the page now is released when Reset replaces it or the session ends
        current = model.value
        return current.release if current is not None else None

    solara.use_effect(own, [model.value])
    if params is None or model.value is None:
        ErrorLine(error or "the dashboard could not start")
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


@solara.component
def Page() -> None:
    """The page solara serves: the dashboard, guarded so that an error is one line."""
    Guarded(Dashboard)
