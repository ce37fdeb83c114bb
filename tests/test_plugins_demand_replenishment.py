"""Demand-management and replenishment plugins: subclasses of the built-in rules.

A scenario names a demand manager (``demand_management.policy``) or a periodic review rule
(``forecast.rule``) from a user's module; it changes a short run as its rule says while
units and orders still balance (the model's audit); its ``params`` are validated with
did-you-mean errors; a class that is not a subclass is refused in one line; the built-ins
are registry entries; the manifest's provenance and the dashboard's refusal cover both
kinds.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import math
import sys
from pathlib import Path

import pytest

from btoagents import plugins
from btoagents.config import load_scenario
from btoagents.errors import ConfigError
from btoagents.model import SupplyChainModel
from btoagents.plugins import NoParams
from btoagents.policies.demand_management import DemandManager
from btoagents.policies.replenishment import PeriodicReview
from btoagents.viz.params import typed_overrides
from btoagents.vocabulary import Admission
from user_modules import one_line, user_module

REPO = Path(__file__).resolve().parents[1]

#: a user's module: demand managers and periodic review rules
USER_MODULE = '''
from pydantic import Field

from btoagents.config.section import Section
from btoagents.policies.demand_management import DemandManager
from btoagents.policies.replenishment import PeriodicReview
from btoagents.vocabulary import Admission


class BusyPlantRejects(DemandManager):
    """Refuse every request while more than ``queue`` jobs wait at the plant."""

    class Params(Section):
        queue: int = Field(3, ge=0, description="jobs waiting at most")

    def admit(self, quote, attempt):
        if self.chain.plant.workcenter.waiting > self.params.queue:
            return Admission.REJECT
        return super().admit(quote, attempt)


class SameRules(DemandManager):
    """Overrides nothing: the built-in rules, applied to every request that would wait."""


class Scaled(PeriodicReview):
    """Order up to ``factor`` times the built-in level."""

    class Params(Section):
        factor: float = Field(2.0, gt=0, description="times the built-in level")

    def level(self, sp, item, forecast):
        return self.params.factor * super().level(sp, item, forecast)


class NotAManager:
    def admit(self, quote, attempt):
        return Admission.ACCEPT
'''

SHORT = ["simulation.horizon=240", "simulation.warmup=40"]
#: a busy build-to-order line (rho 0.94): long queues at times
BUSY = [*SHORT, "manufacturer.service_rate=0.85"]
#: dealers replenished by periodic order-up-to (no statistical safety stock: level P * F)
PERIODIC = [*SHORT, "dealers.policy=order_up_to", "forecast.safety_factor=0"]


@pytest.fixture(autouse=True)
def repo_on_path(monkeypatch):
    """The repository root on sys.path, for ``examples``."""
    monkeypatch.syspath_prepend(str(REPO))


@pytest.fixture
def mod(tmp_path, monkeypatch):
    """The user's module ``my_rules_<test>`` in the working directory; its name."""
    yield from user_module(tmp_path, monkeypatch, USER_MODULE, "my_rules")


def same(a: dict[str, float], b: dict[str, float]) -> bool:
    """Equal records, NaN equal to NaN."""
    return a.keys() == b.keys() and all(
        a[k] == b[k] or (math.isnan(a[k]) and math.isnan(b[k])) for k in a
    )


# -- the built-ins -----------------------------------------------------------------------------


def test_the_built_in_rules_are_registry_entries_and_the_defaults():
    assert plugins.names("demand_management") == ["standard"]
    assert plugins.names("replenishment") == ["order_up_to"]
    standard = plugins.resolve("demand_management", "standard")
    rule = plugins.resolve("replenishment", "order_up_to")
    assert standard.builtin and standard.factory is DemandManager
    assert rule.builtin and rule.factory is PeriodicReview
    assert standard.params is rule.params is NoParams
    assert plugins.kind_of("demand_management").key == "demand_management.policy"
    assert plugins.kind_of("replenishment").key == "forecast.rule"
    scn = load_scenario("mm1-bto")
    assert (scn.demand_management.policy, scn.forecast.rule) == ("standard", "order_up_to")
    model = SupplyChainModel(scn, seed=1)
    assert model.dm is None  # no key departs from plain quoting
    assert type(model.periodic_review) is PeriodicReview
    model = SupplyChainModel(load_scenario("mm1-bto", ["demand_management.acceptance=reject"]))
    assert type(model.dm) is DemandManager and model.dm.chain is model


def test_the_built_ins_take_their_parameters_from_their_sections_keys():
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bto", ["demand_management.params.queue=2"])
    assert one_line(exc) == (
        "mm1-bto: demand_management.params: the built-in demand manager 'standard' takes its "
        "parameters from the other keys of [demand_management]; demand_management.params is "
        "for a demand manager that is not built in"
    )
    with pytest.raises(ConfigError) as exc:
        load_scenario("bullwhip", ["forecast.params.factor=2"])
    assert "the built-in replenishment rule 'order_up_to' takes its parameters" in one_line(exc)


# -- demand managers ---------------------------------------------------------------------------


def test_a_demand_manager_plugin_refuses_requests_while_the_plant_is_busy(mod):
    scn = load_scenario("mm1-bto", [*BUSY, f"demand_management.policy={mod}:BusyPlantRejects"])
    model = SupplyChainModel(scn, seed=3)
    assert type(model.dm).__name__ == "BusyPlantRejects" and model.dm.params.queue == 3
    assert model.dm.chain is model
    kpis = model.run()  # the model's audit raises if units or orders do not balance
    plain = SupplyChainModel(load_scenario("mm1-bto", BUSY), seed=3).run()
    assert plain["rejected_rate"] == 0 < kpis["rejected_rate"]
    assert kpis["lost_sales_rate"] == kpis["rejected_rate"]  # patient customers otherwise
    assert kpis["lead_time_mean"] < plain["lead_time_mean"]
    # a larger queue bound refuses less
    loose = [*BUSY, f"demand_management.policy={mod}:BusyPlantRejects"]
    loose.append("demand_management.params.queue=12")
    assert (
        0
        < SupplyChainModel(load_scenario("mm1-bto", loose), seed=3).run()["rejected_rate"]
        < kpis["rejected_rate"]
    )


def test_a_demand_manager_plugin_is_always_built_and_keeps_the_built_in_rules(mod):
    scn = load_scenario("dealer-network", [*SHORT, f"demand_management.policy={mod}:SameRules"])
    model = SupplyChainModel(scn, seed=2)
    assert type(model.dm).__name__ == "SameRules"  # built with every key at its default
    kpis = model.run()
    assert model.dm.max_accepted_quote > 0  # it was consulted
    assert same(kpis, SupplyChainModel(load_scenario("dealer-network", SHORT), seed=2).run())
    # the scenario's own keys still drive the inherited rules
    rules = ["demand_management.acceptance=reject", "demand_management.promise=5"]
    mine = load_scenario("mm1-bto", [*BUSY, *rules, f"demand_management.policy={mod}:SameRules"])
    assert mine.demand_management.promise == 5
    assert same(
        SupplyChainModel(mine, seed=4).run(),
        SupplyChainModel(load_scenario("mm1-bto", [*BUSY, *rules]), seed=4).run(),
    )


def test_demand_manager_params_typos_and_bounds_are_one_line(mod):
    spec = f"demand_management.policy={mod}:BusyPlantRejects"
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bto", [spec, "demand_management.params.queu=2"])
    assert one_line(exc) == (
        "mm1-bto: unknown key 'demand_management.params.queu'; "
        "did you mean 'demand_management.params.queue'?"
    )
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bto", [spec, "demand_management.params.queue=-1"])
    assert "demand_management.params.queue = -1: " in one_line(exc)
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bto", ["demand_management.policy=standart"])
    assert "unknown demand manager 'standart'; did you mean 'standard'?" in one_line(exc)


def test_a_demand_manager_that_is_not_a_subclass_is_refused_in_one_line(mod):
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bto", [f"demand_management.policy={mod}:NotAManager"])
    assert one_line(exc) == (
        f"mm1-bto: demand_management.policy = '{mod}:NotAManager': {mod}:NotAManager is not "
        "a demand manager: it must subclass "
        "btoagents.policies.demand_management.DemandManager"
    )
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bto", [f"demand_management.policy={mod}:Scaled"])
    assert one_line(exc).endswith(
        "must subclass btoagents.policies.demand_management.DemandManager"
    )


def test_the_admission_rules_can_be_driven_by_hand(mod):
    cls = plugins.resolve("demand_management", f"{mod}:BusyPlantRejects").factory

    class Plant:  # the chain as the rule reads it: a plant with a queue
        def __init__(self, waiting: int) -> None:
            self.workcenter = self
            self.waiting = waiting

    class Chain:
        def __init__(self, waiting: int) -> None:
            self.plant = Plant(waiting)

    cfg = load_scenario("mm1-bto").demand_management
    params = cls.Params(queue=2)
    assert cls(cfg, params, Chain(2)).admit(100.0, 0) is Admission.ACCEPT
    assert cls(cfg, params, Chain(3)).admit(0.0, 0) is Admission.REJECT


# -- periodic review rules ---------------------------------------------------------------------


def test_a_review_rule_plugin_changes_the_dealers_stock(mod):
    scn = load_scenario("dealer-network", [*PERIODIC, f"forecast.rule={mod}:Scaled"])
    model = SupplyChainModel(scn, seed=2)
    plain_model = SupplyChainModel(load_scenario("dealer-network", PERIODIC), seed=2)
    assert type(model.periodic_review).__name__ == "Scaled"
    mine, plain_sp = model.dealers[0].stock, plain_model.dealers[0].stock
    stocked = [i for i, p in enumerate(mine.periodic) if p]
    assert stocked
    for i in stocked:  # initial targets: twice the built-in's L * F (no fixed safety stock)
        lead_demand = mine.lead_periods[i] * mine.forecast.level[i]
        assert (plain_sp.base[i], mine.base[i]) == (round(lead_demand), round(2 * lead_demand))
    kpis = model.run()  # the model's audit raises if units or orders do not balance
    plain = plain_model.run()
    assert kpis["dealer_inventory"] > 1.5 * plain["dealer_inventory"]
    # factor 1: the built-in rule, to the last digit
    one = [*PERIODIC, f"forecast.rule={mod}:Scaled", "forecast.params.factor=1"]
    assert same(SupplyChainModel(load_scenario("dealer-network", one), seed=2).run(), plain)


def test_a_review_rule_plugin_changes_the_bullwhip_of_the_component_stage(mod):
    short = ["simulation.horizon=300", "simulation.warmup=50"]
    rule = [*short, f"forecast.rule={mod}:Scaled", "forecast.params.factor=1.5"]
    kpis = SupplyChainModel(load_scenario("bullwhip", rule), seed=1).run()
    plain = SupplyChainModel(load_scenario("bullwhip", short), seed=1).run()
    assert kpis["bullwhip"] != plain["bullwhip"]
    assert kpis["component_inventory"] > plain["component_inventory"]


def test_review_rule_params_and_non_subclasses_are_one_line(mod):
    with pytest.raises(ConfigError) as exc:
        load_scenario("bullwhip", [f"forecast.rule={mod}:Scaled", "forecast.params.facter=2"])
    assert one_line(exc) == (
        "bullwhip: unknown key 'forecast.params.facter'; did you mean 'forecast.params.factor'?"
    )
    with pytest.raises(ConfigError) as exc:
        load_scenario("bullwhip", [f"forecast.rule={mod}:SameRules"])
    assert one_line(exc) == (
        f"bullwhip: forecast.rule = '{mod}:SameRules': {mod}:SameRules is not a replenishment "
        "rule: it must subclass btoagents.policies.replenishment.PeriodicReview"
    )
    with pytest.raises(ConfigError) as exc:
        load_scenario("bullwhip", ["forecast.rule=order-up-to"])
    assert "did you mean 'order_up_to'?" in one_line(exc)


# -- entry points, provenance, dashboard -------------------------------------------------------


def test_both_kinds_can_be_installed_entry_points(monkeypatch):
    eps = [
        importlib.metadata.EntryPoint(
            "demand_management.weekly", "examples.custom_demand:WeeklyQuotes", plugins.GROUP
        ),
        importlib.metadata.EntryPoint(
            "replenishment.poisson",
            "examples.custom_replenishment:PoissonSafetyStock",
            plugins.GROUP,
        ),
    ]
    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        lambda *, group=None, **kw: [ep for ep in eps if group in (None, ep.group)],
    )
    assert plugins.names("demand_management") == ["standard", "weekly"]
    assert plugins.names("replenishment") == ["order_up_to", "poisson"]
    scn = load_scenario(
        "dealer-network",
        [
            *PERIODIC,
            "demand_management.policy=weekly",
            "demand_management.params.max_weeks=4",
            "forecast.rule=poisson",
        ],
    )
    model = SupplyChainModel(scn, seed=1)
    assert type(model.dm).__name__ == "WeeklyQuotes" and model.dm.params.max_weeks == 4
    assert type(model.periodic_review).__name__ == "PoissonSafetyStock"
    model.run()
    assert [(r["kind"], r["spec"]) for r in plugins.describe(scn)] == [
        ("demand_management", "weekly"),
        ("replenishment", "poisson"),
    ]
    # the dashboard accepts the registered names
    assert typed_overrides("forecast.rule=poisson; demand_management.policy=weekly") == [
        "forecast.rule=poisson",
        "demand_management.policy=weekly",
    ]


def test_describe_reports_both_kinds_with_their_source(mod, tmp_path):
    scn = load_scenario(
        "dealer-network",
        [
            f"demand_management.policy={mod}:BusyPlantRejects",
            "forecast.rule=examples.custom_replenishment:PoissonSafetyStock",
            "dealers.agent=examples.custom_agent:CappedDealer",
        ],
    )
    records = plugins.describe(scn)
    assert [(r["kind"], r["spec"]) for r in records] == [
        ("demand_management", f"{mod}:BusyPlantRejects"),
        ("replenishment", "examples.custom_replenishment:PoissonSafetyStock"),
        ("dealer", "examples.custom_agent:CappedDealer"),
    ]
    mine = hashlib.sha256((tmp_path / f"{mod}.py").read_bytes()).hexdigest()
    assert records[0]["module"] == mod and records[0]["sha256"] == mine
    source = REPO / "examples" / "custom_replenishment" / "poisson_safety.py"
    assert records[1]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    assert plugins.describe(load_scenario("dealer-network", ["forecast.rule=order_up_to"])) == []


@pytest.mark.parametrize(
    "text",
    [
        "demand_management.policy=examples.custom_demand:WeeklyQuotes",
        'forecast={rule="no_such_dashboard_rule:X"}',
        "forecast.rule=not_registered",
        "demand_management.policy=weekly",
    ],
)
def test_the_dashboard_refuses_unregistered_rules(text, monkeypatch):
    imported = []
    monkeypatch.setattr(plugins.registry, "import_object", lambda spec: imported.append(spec))
    with pytest.raises(ConfigError) as exc:
        typed_overrides(text)
    msg = one_line(exc)
    assert msg.startswith(("settings: demand_management.policy = ", "settings: forecast.rule = "))
    assert msg.endswith(("offered: standard", "offered: order_up_to"))
    assert imported == []
    assert "no_such_dashboard_rule" not in sys.modules
    assert typed_overrides("forecast.rule=order_up_to") == ["forecast.rule=order_up_to"]
