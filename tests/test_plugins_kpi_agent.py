"""KPI and agent plugins, and capacity plugins that own the plant's overtime.

A KPI plugin from a user's module adds its KPIs to a run's record and to the catalogue; an
agent plugin (a subclass of a built-in agent) replaces the agents of its section; errors
are one line; the manifest's provenance names them; a sweep stores a plugin's KPI.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
import math
from pathlib import Path

import pytest

from btoagents import plugins
from btoagents.agents import Dealer, FinalCustomer, Manufacturer
from btoagents.config import load_scenario
from btoagents.errors import ConfigError
from btoagents.experiment import load_results, sweep
from btoagents.experiment.analysis import analyze
from btoagents.kpis.catalogue import KPI_TABLE, describe, kpi_names
from btoagents.model import SupplyChainModel
from user_modules import one_line, user_module

REPO = Path(__file__).resolve().parents[1]

#: a user's module of KPI plugins, agents and a capacity policy
USER_MODULE = '''
import math

from pydantic import Field

from btoagents.agents import Dealer, FinalCustomer, HardwareSupplier, Manufacturer
from btoagents.config.section import Section
from btoagents.policies.protocol import Decision


class ProfitPerOrder:
    class Params(Section):
        scale: float = Field(1.0, gt=0, description="a multiplier")

    names = {"profit_per_order": ("currency/order", "profit per final-customer order")}

    def __init__(self, params):
        self.scale = params.scale

    def record(self, kpis, chain):
        self.seen = dict(kpis)
        self.now = chain.cal.now
        return {"profit_per_order": self.scale * kpis["profit"] / kpis["orders_per_day"]}


class Unserved:
    after_drain = True
    names = {
        "unserved": ("share", "orders not served from stock at once"),
        "half_profit_per_order": ("currency/order", "half the other plugin's KPI"),
        "never": ("share", "a declared KPI it does not return"),
    }

    def record(self, kpis, chain):
        return {
            "unserved": 1.0 - kpis["fill_rate"],
            "half_profit_per_order": kpis["profit_per_order"] / 2,
        }


class SetsChain:
    names = {"tamper": ("share", "tries to change the chain")}

    def record(self, kpis, chain):
        chain.counting = True
        return {}


class Clash:
    names = {"profit": ("currency/day", "my own profit")}

    def record(self, kpis, chain):
        return {}


class BadName:
    names = {"turns[x]": ("turns", "a suffixed name")}

    def record(self, kpis, chain):
        return {}


class Undeclared:
    names = {"mine": ("units", "declared")}

    def record(self, kpis, chain):
        return {"mine": 1.0, "other": 2.0}


class NoNames:
    def record(self, kpis, chain):
        return {}


class EmptyDealer(Dealer):
    """Holds nothing: every stock target is 0."""

    def target(self, variant, units):
        return 0


class CountingCustomer(FinalCustomer):
    class Params(Section):
        patience: float = Field(1.0, gt=0, description="days")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.patience = self.base_patience = self.params.patience
        self.tries = 0

    def purchase(self, variant, attempt=0):
        self.tries += 1
        super().purchase(variant, attempt)


class SlowPlant(Manufacturer):
    pass


class SlowSupplier(HardwareSupplier):
    """Every delivery takes ``extra`` days more than the scenario's lead time."""

    class Params(Section):
        extra: float = Field(5.0, ge=0, description="days")

    def ship(self, transfer, component, stock, age):
        self.model.cal.after(self.params.extra, self.arrive, transfer)


class NotADealer:
    pass


class Overtime:
    controls_overtime = True

    class Params(Section):
        lines: int = Field(1, ge=0, description="overtime lines")

    def __init__(self, params, context):
        self.review_period = context.review_period
        self.lines = params.lines

    def review(self, state):
        return Decision(overtime_lines=self.lines)


class OvertimeUndeclared(Overtime):
    controls_overtime = False
'''

SHORT = ["simulation.horizon=90", "simulation.warmup=10"]


@pytest.fixture(autouse=True)
def repo_on_path(monkeypatch):
    """The repository root on sys.path, for ``examples``."""
    monkeypatch.syspath_prepend(str(REPO))


@pytest.fixture
def mod(tmp_path, monkeypatch):
    """The user's module ``my_plugins_<test>`` in the working directory; its name."""
    yield from user_module(tmp_path, monkeypatch, USER_MODULE, "my_plugins")


def kpi_plugins(*specs: str) -> str:
    return "kpis.plugins=[" + ", ".join(f'"{s}"' for s in specs) + "]"


# -- KPI plugins -------------------------------------------------------------------------------


def test_a_kpi_plugin_joins_the_record_with_its_value_and_the_catalogue(mod):
    scn = load_scenario(
        "dealer-network",
        [*SHORT, kpi_plugins(f"{mod}:ProfitPerOrder", f"{mod}:Unserved")],
    )
    names = kpi_names(scn)
    assert names[-4:] == ["profit_per_order", "unserved", "half_profit_per_order", "never"]
    assert describe("unserved", scn) == ("share", "orders not served from stock at once")
    model = SupplyChainModel(scn, seed=5)
    kpis = model.run()
    assert list(kpis)[-4:] == names[-4:] and set(kpis) <= set(names)
    assert kpis["profit_per_order"] == pytest.approx(kpis["profit"] / kpis["orders_per_day"])
    assert kpis["unserved"] == pytest.approx(1.0 - kpis["fill_rate"])
    assert kpis["half_profit_per_order"] == pytest.approx(kpis["profit_per_order"] / 2)
    assert math.isnan(kpis["never"])
    # called once, when the window closed at the horizon: without the order KPIs
    [first, second] = model.kpi_plugins
    assert first.obj.now == 90.0 and "fill_rate" not in first.obj.seen
    assert first.obj.seen["profit"] == kpis["profit"]
    assert second.after_drain
    # the built-in KPIs are those of a run without plugins
    plain = SupplyChainModel(load_scenario("dealer-network", SHORT), seed=5).run()
    assert {k: v for k, v in kpis.items() if k in plain} == pytest.approx(plain, nan_ok=True)


def test_kpi_plugin_params_are_validated_with_a_did_you_mean(mod):
    spec = f"{mod}:ProfitPerOrder"
    scn = load_scenario(
        "mm1-bts", [*SHORT, kpi_plugins(spec), "kpis.params.ProfitPerOrder.scale=2"]
    )
    assert scn.kpis.params == {"ProfitPerOrder": {"scale": 2}}
    kpis = SupplyChainModel(scn, seed=1).run()
    assert kpis["profit_per_order"] == pytest.approx(2 * kpis["profit"] / kpis["orders_per_day"])
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", [kpi_plugins(spec), "kpis.params.ProfitPerOrder.scal=2"])
    assert one_line(exc) == (
        "mm1-bts: unknown key 'kpis.params.ProfitPerOrder.scal'; "
        "did you mean 'kpis.params.ProfitPerOrder.scale'?"
    )
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", [kpi_plugins(spec), "kpis.params.ProfitPerOrdr.scale=2"])
    assert "did you mean 'kpis.params.ProfitPerOrder'?" in one_line(exc)
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", [kpi_plugins(spec), "kpis.params.ProfitPerOrder.scale=0"])
    assert "kpis.params.ProfitPerOrder.scale = 0: " in one_line(exc)


@pytest.mark.parametrize(
    ("cls", "end"),
    [
        ("Clash", "declares the KPI 'profit', which is a built-in KPI; choose another name"),
        ("BadName", "declares the KPI name 'turns[x]': expected an identifier"),
        ("NoNames", "is not a KPI plugin: it needs names = {'kpi_name': ('unit', "),
        ("EmptyDealer", "is not a KPI plugin: it has no method record(kpis, chain)"),
        ("ProfitPerOrdr", "has no attribute 'ProfitPerOrdr'; did you mean 'ProfitPerOrder'?"),
    ],
)
def test_a_bad_kpi_plugin_is_refused_at_load_in_one_line(mod, cls, end):
    assert "profit" in KPI_TABLE
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", [kpi_plugins(f"{mod}:{cls}")])
    msg = one_line(exc)
    assert msg.startswith("mm1-bts: kpis.plugins")
    assert end in msg


def test_an_unknown_registered_kpi_name_and_a_duplicate_are_one_line(mod):
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", [kpi_plugins("stock-turns")])
    assert "unknown KPI plugin 'stock-turns'" in one_line(exc)
    spec = f"{mod}:ProfitPerOrder"
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", [kpi_plugins(spec, spec)])
    assert "share the short name 'ProfitPerOrder'" in one_line(exc)


def test_an_undeclared_value_fails_the_run_in_one_line(mod):
    scn = load_scenario("mm1-bts", [*SHORT, kpi_plugins(f"{mod}:Undeclared")])
    with pytest.raises(plugins.PluginError) as exc:
        SupplyChainModel(scn, seed=1).run()
    assert one_line(exc).endswith("returned 'other', which it does not declare in names (mine)")


def test_a_kpi_plugin_cannot_set_the_chains_attributes(mod):
    scn = load_scenario("mm1-bts", [*SHORT, kpi_plugins(f"{mod}:SetsChain")])
    model = SupplyChainModel(scn, seed=1)
    with pytest.raises(AttributeError, match="cannot set chain.counting"):
        model.run()
    assert model.counting is False


def test_a_kpi_plugin_can_be_an_installed_entry_point(monkeypatch):
    ep = importlib.metadata.EntryPoint("kpi.turns", "examples.custom_kpi:StockTurns", plugins.GROUP)
    monkeypatch.setattr(
        importlib.metadata,
        "entry_points",
        lambda *, group=None, **kw: [ep] if group in (None, ep.group) else [],
    )
    assert plugins.names("kpi") == ["turns"]
    scn = load_scenario(
        "dealer-network", [*SHORT, kpi_plugins("turns"), "kpis.params.turns.components=true"]
    )
    assert kpi_names(scn)[-2:] == ["stock_turns", "stock_days"]
    assert SupplyChainModel(scn, seed=1).run()["stock_turns"] > 0
    [record] = plugins.describe(scn)
    assert (record["kind"], record["spec"]) == ("kpi", "turns")


# -- agent plugins -----------------------------------------------------------------------------


def test_the_built_in_agents_are_the_registered_defaults():
    assert plugins.names("dealer") == ["dealer"]
    assert plugins.names("customer") == ["customer"]
    assert plugins.names("manufacturer") == ["manufacturer"]
    assert plugins.names("supplier") == ["supplier"]
    assert plugins.resolve("dealer", "dealer").factory is Dealer
    scn = load_scenario("dealer-network")
    assert (scn.dealers.agent, scn.customers.agent, scn.manufacturer.agent) == (
        "dealer",
        "customer",
        "manufacturer",
    )
    model = SupplyChainModel(scn, seed=1)
    model.cal.run_until(5.0)  # customers of a purchase cycle's population are built when met
    assert type(model.manufacturer) is Manufacturer
    assert {type(d) for d in model.dealers} == {Dealer}
    assert {type(c) for c in model.customers} == {FinalCustomer}


def test_a_dealer_subclass_changes_what_the_dealers_hold(mod):
    scn = load_scenario("dealer-network", [*SHORT, f"dealers.agent={mod}:EmptyDealer"])
    model = SupplyChainModel(scn, seed=2)
    assert {type(d).__name__ for d in model.dealers} == {"EmptyDealer"}
    assert all(sum(d.stock.base) == 0 for d in model.dealers)
    kpis = model.run()  # the model's audit raises if units or orders do not balance
    plain = SupplyChainModel(load_scenario("dealer-network", SHORT), seed=2).run()
    assert kpis["dealer_inventory"] == 0.0 < plain["dealer_inventory"]
    assert kpis["fill_rate"] < plain["fill_rate"]


def test_a_customer_subclass_with_params_changes_the_customers(mod):
    over = [*SHORT, f"customers.agent={mod}:CountingCustomer", "customers.params.patience=0.25"]
    model = SupplyChainModel(load_scenario("mm1-bts", over), seed=3)
    assert {c.patience for c in model.customers} == {0.25}
    kpis = model.run()
    assert sum(c.tries for c in model.customers) > 0
    plain = SupplyChainModel(load_scenario("mm1-bts", SHORT), seed=3).run()
    assert kpis["lost_sales_rate"] > plain["lost_sales_rate"]


def test_a_manufacturer_subclass_is_built(mod):
    scn = load_scenario("mm1-bts", [*SHORT, f"manufacturer.agent={mod}:SlowPlant"])
    model = SupplyChainModel(scn, seed=1)
    assert type(model.manufacturer).__name__ == "SlowPlant" and model.plant is model.manufacturer
    model.run()


def test_a_supplier_subclass_replaces_every_supplier(mod):
    scn = load_scenario("ato-decoupling", [*SHORT, f"supplier.agent={mod}:SlowSupplier"])
    model = SupplyChainModel(scn, seed=1)
    assert {type(s).__name__ for s in model.suppliers} == {"SlowSupplier"}
    assert {s.params.extra for s in model.suppliers} == {5.0}
    kpis = model.run()
    plain = SupplyChainModel(load_scenario("ato-decoupling", SHORT), seed=1).run()
    assert kpis["orders_awaiting_components"] > plain["orders_awaiting_components"]


def test_an_agent_that_is_not_a_subclass_is_refused_in_one_line(mod):
    with pytest.raises(ConfigError) as exc:
        load_scenario("dealer-network", [f"dealers.agent={mod}:NotADealer"])
    assert one_line(exc) == (
        f"dealer-network: dealers.agent = '{mod}:NotADealer': {mod}:NotADealer is not a "
        "dealer agent: it must subclass btoagents.agents.dealer.Dealer"
    )
    with pytest.raises(ConfigError) as exc:
        load_scenario("dealer-network", [f"customers.agent={mod}:EmptyDealer"])
    assert one_line(exc).endswith("must subclass btoagents.agents.customer.FinalCustomer")


def test_agent_params_typos_and_built_in_params_are_one_line(mod):
    with pytest.raises(ConfigError) as exc:
        load_scenario(
            "mm1-bts",
            [f"customers.agent={mod}:CountingCustomer", "customers.params.patients=2"],
        )
    assert one_line(exc) == (
        "mm1-bts: unknown key 'customers.params.patients'; "
        "did you mean 'customers.params.patience'?"
    )
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", ["dealers.params.max_units=2"])
    assert one_line(exc).startswith(
        "mm1-bts: dealers.params: the built-in dealer agent 'dealer' takes no parameters"
    )
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", ["dealers.agent=delaer"])
    assert "did you mean 'dealer'?" in one_line(exc)


# -- capacity plugins that own the overtime ----------------------------------------------------


def test_a_capacity_plugin_returning_overtime_lines_opens_them(mod):
    base = [*SHORT, "manufacturer.overtime_cost=1", "capacity.params.lines=2"]
    scn = load_scenario("mm1-bts", [*base, f"capacity.policy={mod}:Overtime"])
    model = SupplyChainModel(scn, seed=1)
    wc = model.manufacturer.workcenter
    assert (wc.overtime_lines, wc.overtime_threshold) == (0, 1)  # it owns the overtime
    kpis = model.run()
    assert wc.overtime_lines == 2 and kpis["overtime_cost"] > 0
    level = SupplyChainModel(load_scenario("mm1-bts", SHORT), seed=1).run()
    assert kpis["backorders"] < level["backorders"]
    # without controls_overtime the lines open only at the scenario's threshold
    scn = load_scenario("mm1-bts", [*base, f"capacity.policy={mod}:OvertimeUndeclared"])
    model = SupplyChainModel(scn, seed=1)
    model.run()
    wc = model.manufacturer.workcenter
    assert wc.overtime_lines == 2
    assert wc.overtime_threshold == scn.manufacturer.overtime_threshold == 10


def test_a_policy_plugin_is_adaptive_and_reviewed(mod):
    scn = load_scenario("mm1-bts", [*SHORT, f"capacity.policy={mod}:Overtime"])
    model = SupplyChainModel(scn, seed=1)
    assert model.reviewer is not None and model.reviewer.reviewed
    assert not model.reviewer.adaptive and model.ledger is None
    scn = load_scenario("mm1-bts", SHORT)
    assert SupplyChainModel(scn, seed=1).reviewer is None


# -- provenance and sweeps ----------------------------------------------------------------------


def test_describe_covers_kpi_and_agent_plugins(mod, tmp_path):
    assert plugins.describe(load_scenario("dealer-network")) == []
    scn = load_scenario(
        "dealer-network",
        [
            kpi_plugins("examples.custom_kpi:StockTurns", f"{mod}:ProfitPerOrder"),
            f"dealers.agent={mod}:EmptyDealer",
            f"customers.agent={mod}:CountingCustomer",
            f"supplier.agent={mod}:SlowSupplier",
        ],
    )
    records = plugins.describe(scn)
    assert [(r["kind"], r["spec"]) for r in records] == [
        ("kpi", "examples.custom_kpi:StockTurns"),
        ("kpi", f"{mod}:ProfitPerOrder"),
        ("dealer", f"{mod}:EmptyDealer"),
        ("customer", f"{mod}:CountingCustomer"),
        ("supplier", f"{mod}:SlowSupplier"),
    ]
    source = REPO / "examples" / "custom_kpi" / "stock_turns.py"
    assert records[0]["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()
    mine = hashlib.sha256((tmp_path / f"{mod}.py").read_bytes()).hexdigest()
    assert {r["sha256"] for r in records[1:]} == {mine}


EXPERIMENT = """
name = "stock-turns"
scenario = "dealer-network"
replications = 2
seed = 3
overrides = [
    "simulation.horizon=90",
    "simulation.warmup=10",
    'kpis.plugins=["examples.custom_kpi:StockTurns"]',
]
kpis = ["stock_turns", "fg_inventory"]
[design]
kind = "full_factorial"
[factors.cover]
key = "dealers.days_of_supply"
levels = [30.0, 60.0]
"""


def test_a_serial_sweep_stores_a_kpi_plugins_column(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    summary = sweep(path, executor="serial", folder=tmp_path / "res")
    assert (summary.ok, summary.failed) == (4, 0)
    rows = load_results(tmp_path / "res")
    assert "stock_turns" in rows.columns and (rows["stock_turns"] > 0).all()
    assert rows.groupby("factor.cover")["stock_turns"].mean().is_monotonic_decreasing
    summary = analyze(tmp_path / "res", kpis=["stock_turns"])["summary"]
    assert list(summary["kpi"]) == ["stock_turns", "stock_turns"]
    assert summary["mean"].tolist() == pytest.approx(
        rows.groupby("factor.cover")["stock_turns"].mean().tolist()
    )
    manifest = json.loads((tmp_path / "res" / "manifest.json").read_text())
    assert [(r["kind"], r["spec"]) for r in manifest["plugins"]] == [
        ("kpi", "examples.custom_kpi:StockTurns")
    ]


def test_one_kpi_plugin_may_be_named_without_a_list():
    scn = load_scenario("mm1-bts", ["kpis.plugins=examples.custom_kpi:StockTurns"])
    assert scn.kpis.plugins == ["examples.custom_kpi:StockTurns"]
