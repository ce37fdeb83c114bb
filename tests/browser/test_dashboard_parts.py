"""The dashboard's parts without a browser: controls, stepping, errors, picture, assets.

They run with the browser tests because they need the dashboard extra (solara).
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from btoagents.cli import main
from btoagents.config import preset_names

pytestmark = pytest.mark.browser

solara = pytest.importorskip("solara", reason="the dashboard extra is not installed")

from btoagents.config import load_scenario  # noqa: E402
from btoagents.viz.assets import PACKAGES, cdn_folder, missing_assets, required_assets  # noqa: E402
from btoagents.viz.chain import chain_svg  # noqa: E402
from btoagents.viz.model import DashboardModel  # noqa: E402
from btoagents.viz.params import defaults, model_params  # noqa: E402


def start(preset: str, **controls) -> DashboardModel:
    params = defaults(model_params(preset, load_scenario(preset)))
    params.update(controls)
    return DashboardModel(**params)


@pytest.mark.parametrize("preset", preset_names())
def test_untouched_controls_run_the_scenario_as_it_is(preset):
    m = start(preset)
    assert m.error is None
    assert m.settings == []
    scn = load_scenario(preset)
    assert m.chain.cfg.model_dump(exclude={"simulation"}) == scn.model_dump(exclude={"simulation"})
    assert m.chain.warmup == 0  # the dashboard counts KPIs from day 0


def test_moved_controls_become_the_scenario_keys_they_name():
    m = start(
        "dealer-network",
        demand_rate=76.0,
        amplitude=0.5,
        bto_share=0.2,
        lines=3,
        discipline="bto_priority",
        capacity_policy="chase",
    )
    assert m.error is None
    cfg = m.chain.cfg
    assert cfg.products["compact"].demand_rate == pytest.approx(44.0)
    assert cfg.products["van"].demand_rate == pytest.approx(8.0)
    assert (cfg.demand.process, cfg.demand.amplitude) == ("seasonal", 0.5)
    assert cfg.products["suv"].tail_share == 0.2
    assert cfg.products["van"].tail_share == 0.0  # not a build-to-stock family
    assert cfg.manufacturer.lines == 3
    assert cfg.manufacturer.discipline == "bto_priority"
    assert cfg.capacity.policy == "chase"
    assert "manufacturer.lines=3" in m.settings


@pytest.mark.parametrize(
    ("controls", "message"),
    [
        ({"demand_rate": 0.0}, "demand rates add up to 0"),
        ({"more": "products.suv.demand_rate=-2"}, "products.suv.demand_rate = -2"),
        ({"more": "manufacturer.servce_rate=3"}, "did you mean 'manufacturer.service_rate'"),
        (
            {"fulfillment_policy": "cost", "dealer_policy": "order_up_to"},
            "fulfillment.policy",
        ),
    ],
)
def test_a_bad_value_is_kept_as_a_one_line_error_and_nothing_runs(controls, message):
    m = start("dealer-network", **controls)
    assert m.chain is None
    assert message in m.error
    assert "\n" not in m.error
    assert not m.running
    m.step()  # a press of Step does nothing
    assert m.day == 0


def test_each_step_runs_step_days_and_the_run_stops_at_the_horizon():
    m = start("mm1-bts", step_days=7, more="simulation.horizon=20")
    days = []
    while m.running:
        m.step()
        days.append(m.day)
    assert days == [7, 14, 20]
    frame = m.datacollector.get_model_vars_dataframe()
    assert list(frame["day"]) == [0, 7, 14, 20]
    assert frame["lead time mean"].notna().iloc[-1]
    assert 0 <= frame["utilization (so far)"].iloc[-1] <= 1
    assert not math.isnan(frame["cumulative profit"].iloc[-1])


def test_an_overloaded_plant_is_a_warning_not_an_error():
    m = start("mm1-bto", demand_rate=1.6)
    assert m.error is None
    assert "offered load" in m.warning


def test_the_chain_picture_shows_every_echelon_with_stock_and_queues():
    m = start("dealer-network")
    m.step()
    svg = chain_svg(m.chain)
    for text in ("Supplier seats", "Supplier electronics", "Plant", "Dealer 1", "Dealer 8"):
        assert text in svg
    assert f"open orders {m.chain.open_final}" in svg
    plant_stock = sum(m.chain.manufacturer.finished.on_hand)
    assert f"finished stock {plant_stock}" in svg


def test_asset_versions_are_read_from_the_installed_solara():
    assets = required_assets()
    assert [a.name for a in assets] == [name for name, _ in PACKAGES]
    template = Path(solara.__file__).parent / "server" / "templates" / "solara.html.j2"
    text = template.read_text("utf-8")
    assert f"{assets[0].spec}/dist/" in text
    assert missing_assets(cdn_folder()) == [], "run `make dashboard`"


def test_dashboard_command_refuses_a_bad_scenario_in_one_line(capsys):
    assert main(["dashboard", "no-such-preset", "--port", "8765"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: unknown preset 'no-such-preset'")
    assert "\n" not in err
    assert main(["dashboard", "--port", "0"]) == 2


def _alerts(rc) -> list[str]:
    import ipyvuetify as v

    return ["".join(map(str, w.children)) for w in rc.find(v.Alert).widgets]


def test_an_error_escaping_the_page_is_one_line_and_the_page_starts_again():
    import ipyvuetify as v

    from btoagents.viz.app import Guarded

    path = "/srv/app/.venv/lib/python3.13/site-packages/matplotlib/ticker.py"

    @solara.component
    def Broken():
        def press() -> None:
            raise OverflowError(f"cannot convert float infinity to integer\n  File {path}")

        with solara.Column(), solara.Row():  # an event handler deep in the tree
            solara.Button("Press", on_click=press)

    _, rc = solara.render(Guarded(Broken), handle_error=False)
    try:
        assert _alerts(rc) == []
        rc.find(v.Btn, children=["Press"]).widget.click()
        alert = rc.find(v.Alert).widget
        assert "btoagents-error" in alert.class_
        assert _alerts(rc) == [
            "error: OverflowError (a number too large): cannot convert float infinity to integer"
        ]
        rc.find(v.Btn, children=["Start again"]).widget.click()
        assert _alerts(rc) == []
        rc.find(v.Btn, children=["Press"]).assert_single()
    finally:
        rc.close()


def test_an_error_while_drawing_the_page_is_one_line():
    from btoagents.viz.app import Guarded

    @solara.component
    def Deep():
        raise RecursionError("maximum recursion depth exceeded while calling a Python object")

    _, rc = solara.render(Guarded(Deep), handle_error=False)
    try:
        assert _alerts(rc) == [
            "error: RecursionError (too deeply nested): maximum recursion depth exceeded "
            "while calling a Python object"
        ]
    finally:
        rc.close()


def test_the_page_releases_its_model_when_its_session_closes(monkeypatch):
    import gc
    import weakref

    from btoagents.viz import app

    built: list[DashboardModel] = []

    class Recorded(DashboardModel):
        def __init__(self, **kwargs) -> None:
            super().__init__(**kwargs)
            built.append(self)

    monkeypatch.setattr(app, "DashboardModel", Recorded)
    _, rc = solara.render(app.Page(), handle_error=False)
    (model,) = built
    assert model.chain is not None and not model.released
    chain = weakref.ref(model.chain)
    rc.close()  # what solara does when the tab's session ends
    assert model.released and model.chain is None
    gc.collect()
    assert chain() is None
