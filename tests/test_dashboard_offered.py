"""Plugins the dashboard's operator offers with ``--plugin``: selectable by visitors, checked
before the server starts, and no door for other import paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from btoagents import plugins
from btoagents.config import load_scenario
from btoagents.errors import BtoagentsError, ConfigError
from btoagents.viz import offered
from btoagents.viz.params import control_overrides, model_params, typed_overrides

REPO = Path(__file__).resolve().parents[1]
HOT = "examples.custom_policy:StockHot"


@pytest.fixture
def hot_offered(monkeypatch):
    monkeypatch.chdir(REPO)
    env = offered.to_env(offered.parse([f"fulfillment={HOT}"]))
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return HOT


def test_an_offered_plugin_is_in_the_selector_and_runs(hot_offered):
    scn = load_scenario("dealer-network")
    values = model_params("dealer-network", scn)["fulfillment_policy"]["values"]
    assert values == [*plugins.names("fulfillment"), HOT]
    assert HOT not in model_params("dealer-network", scn)["capacity_policy"]["values"]
    overrides = control_overrides(scn, {"fulfillment_policy": HOT})
    assert overrides == [f'fulfillment.policy="{HOT}"']
    assert load_scenario("dealer-network", overrides).fulfillment.policy == HOT
    assert typed_overrides(f"fulfillment.policy={HOT}") == [f"fulfillment.policy={HOT}"]


def test_offering_one_plugin_lets_no_other_import_path_through(hot_offered, monkeypatch):
    imported = []
    monkeypatch.setattr(plugins.registry, "import_object", lambda spec: imported.append(spec))
    for text in ("fulfillment.policy=no_such_offered_mod:X", f"capacity.policy={HOT}"):
        with pytest.raises(ConfigError, match="the dashboard never imports a module"):
            typed_overrides(text)
    assert imported == []
    assert "no_such_offered_mod" not in sys.modules


def test_nothing_is_offered_without_the_option(monkeypatch):
    monkeypatch.delenv(offered.ENV, raising=False)
    assert offered.offered("fulfillment") == []
    with pytest.raises(ConfigError, match="an import path"):
        typed_overrides(f"fulfillment.policy={HOT}")


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("fulfilment=x:Y", "expected KIND=SPEC with KIND one of"),
        (HOT, "expected KIND=SPEC"),
        ("fulfillment=no_such_offered_mod:X", "cannot import module 'no_such_offered_mod'"),
    ],
)
def test_a_bad_plugin_option_is_one_line(item, message, monkeypatch):
    monkeypatch.chdir(REPO)
    with pytest.raises(BtoagentsError, match=message) as exc:
        offered.parse([item])
    assert "\n" not in str(exc.value)


def test_the_dashboard_refuses_a_bad_plugin_before_serving(tmp_path):
    """The command ends with one error line and status 2; it never starts the server."""
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "btoagents"),
            "dashboard",
            "--port",
            "1",
            "--plugin",
            "fulfillment=no_such_offered_mod:X",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "--plugin" in lines[0] and "no_such_offered_mod" in lines[0]


def test_every_policy_kind_has_a_selector_offering_registered_and_offered_plugins(monkeypatch):
    monkeypatch.chdir(REPO)
    items = [
        "demand_management=examples.custom_demand:WeeklyQuotes",
        "replenishment=examples.custom_replenishment:PoissonSafetyStock",
    ]
    for key, value in offered.to_env(offered.parse(items)).items():
        monkeypatch.setenv(key, value)
    scn = load_scenario("dealer-network")
    params = model_params("dealer-network", scn)
    assert params["demand_policy"]["values"] == [
        *plugins.names("demand_management"),
        "examples.custom_demand:WeeklyQuotes",
    ]
    assert params["review_rule"]["values"][-1] == "examples.custom_replenishment:PoissonSafetyStock"
    moved = {
        "demand_policy": "examples.custom_demand:WeeklyQuotes",
        "review_rule": "examples.custom_replenishment:PoissonSafetyStock",
    }
    overrides = control_overrides(scn, moved)
    assert overrides == [
        'demand_management.policy="examples.custom_demand:WeeklyQuotes"',
        'forecast.rule="examples.custom_replenishment:PoissonSafetyStock"',
    ]
    loaded = load_scenario("dealer-network", overrides)
    assert loaded.demand_management.policy == moved["demand_policy"]
    assert loaded.forecast.rule == moved["review_rule"]
    untouched = {"demand_policy": "standard", "review_rule": "order_up_to"}
    assert control_overrides(scn, untouched) == []
