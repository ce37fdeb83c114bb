"""The plugin registry: built-ins and researchers' own policies, named in a scenario.

A policy is named by a registered name (a built-in, or an installed entry point) or by an
import path ``package.module:Name``; its ``params`` are validated at load with the same
one-line errors as every key; it runs in a simulation and in a process-pool sweep; the
dashboard offers only registered policies.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import json
import sys
from pathlib import Path

import numpy as np
import pytest

from btoagents import plugins
from btoagents.config import load_scenario
from btoagents.config.policy_schema import (
    BanditConfig,
    ChaseParams,
    ClassificationConfig,
    CostSwitchConfig,
    PostponementConfig,
    PrebuildParams,
)
from btoagents.errors import ConfigError
from btoagents.experiment import load_results, sweep
from btoagents.experiment.runs import RunTask, execute_run
from btoagents.model import SupplyChainModel
from btoagents.plugins import NoParams, PolicyContext
from btoagents.policies.capacity import ChasePolicy, LevelPolicy, PrebuildPolicy, make_capacity
from btoagents.policies.fulfillment import (
    BanditPolicy,
    ClassificationPolicy,
    CostPolicy,
    PostponementPolicy,
    StaticPolicy,
    make_fulfillment,
)
from btoagents.viz.params import control_overrides, model_params, typed_overrides
from experiment_files import HOT, HOT_VS_STATIC
from user_modules import one_line
from user_modules import user_module as write_user_module

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def repo_on_path(monkeypatch):
    """The repository root on sys.path, for ``examples`` (pytest's console script does not
    put the working directory there)."""
    monkeypatch.syspath_prepend(str(REPO))


def stock_hot() -> type:
    """The example policy class, StockHot."""
    return importlib.import_module("examples.custom_policy").StockHot


#: a user's policy module: every switchable variant is built to order at every review
ALL_TO_ORDER = """
from pydantic import Field

from btoagents.config.section import Section
from btoagents.policies.protocol import Decision
from btoagents.vocabulary import Strategy


class AllToOrder:
    class Params(Section):
        threshold: float = Field(1.0, ge=0, description="orders, a made-up bound")

    def __init__(self, params, context):
        self.review_period = context.review_period
        self.params = params

    def review(self, state):
        return Decision(
            strategy={
                v: Strategy.BTO
                for v in range(state.n)
                if state.switchable[v] and state.strategy[v] != Strategy.BTO
            }
        )


class NoReview:
    def __init__(self, params, context):
        self.review_period = 7.0


class NoPeriod:
    def __init__(self, params, context):
        pass

    def review(self, state):
        return Decision()
"""

#: mm1-bts, short, every review and switch counted from day 0
SHORT = ["simulation.horizon=60", "simulation.warmup=0"]


@pytest.fixture
def user_module(tmp_path, monkeypatch):
    """A policy module ``my_policies_<test>`` in the working directory; its name."""
    yield from write_user_module(tmp_path, monkeypatch, ALL_TO_ORDER, "my_policies")


# -- the registry ---------------------------------------------------------------------------


def test_built_ins_are_registry_entries_with_their_parameter_models():
    assert plugins.names("fulfillment") == [
        "static",
        "classification",
        "cost",
        "bandit",
        "postponement",
    ]
    assert plugins.names("capacity") == ["level", "chase", "prebuild"]
    params = {
        ("fulfillment", "static"): NoParams,
        ("fulfillment", "classification"): ClassificationConfig,
        ("fulfillment", "cost"): CostSwitchConfig,
        ("fulfillment", "bandit"): BanditConfig,
        ("fulfillment", "postponement"): PostponementConfig,
        ("capacity", "level"): NoParams,
        ("capacity", "chase"): ChaseParams,
        ("capacity", "prebuild"): PrebuildParams,
    }
    for (kind, name), model in params.items():
        plugin = plugins.resolve(kind, name)
        assert plugin.builtin and plugin.kind == kind and plugin.name == name
        assert plugin.params is model
    assert list(ChaseParams.model_fields) == ["max_overtime_lines"]
    assert list(PrebuildParams.model_fields) == ["target_utilization"]


def test_make_fulfillment_and_make_capacity_build_what_the_registry_names():
    scn = load_scenario("dealer-network")
    built = {
        "static": StaticPolicy,
        "classification": ClassificationPolicy,
        "cost": CostPolicy,
        "bandit": BanditPolicy,
        "postponement": PostponementPolicy,
    }
    for name, cls in built.items():
        cfg = scn.fulfillment.model_copy(update={"policy": name})
        assert type(make_fulfillment(cfg, lambda: 0.5)) is cls
    capacity = {"level": LevelPolicy, "chase": ChasePolicy, "prebuild": PrebuildPolicy}
    for name, cls in capacity.items():
        cfg = scn.capacity.model_copy(update={"policy": name})
        assert type(make_capacity(cfg, 365.0)) is cls
    # the built-in's parameters are its old keys: a chase policy reads max_overtime_lines
    chase = load_scenario(
        "dealer-network", ["capacity.policy=chase", "capacity.max_overtime_lines=3"]
    )
    assert plugins.resolve("capacity", "chase").params_of(chase.capacity).max_overtime_lines == 3
    assert make_capacity(chase.capacity, 365.0).max_lines == 3


def test_an_import_path_builds_the_users_class_with_its_validated_params():
    scn = load_scenario(
        "dealer-network",
        [f"fulfillment.policy={HOT}", "fulfillment.params.threshold=4.5"],
    )
    assert scn.fulfillment.params == {"threshold": 4.5}  # plain values in the scenario
    policy = make_fulfillment(scn.fulfillment, lambda: 0.5)
    assert isinstance(policy, stock_hot())
    assert policy.threshold == 4.5 and policy.days == 30.0
    assert policy.review_period == scn.fulfillment.review_period


def test_a_users_module_in_the_working_directory_runs_in_a_simulation(user_module):
    assert plugins.is_import_path(f"{user_module}:AllToOrder")
    overrides = [*SHORT, f"fulfillment.policy={user_module}:AllToOrder"]
    scn = load_scenario("mm1-bts", [*overrides, "fulfillment.params.threshold=2"])
    kpis = SupplyChainModel(scn, seed=3).run()
    assert kpis["switches"] > 0 and kpis["bts_share"] == 0.0  # it left build to stock
    static = SupplyChainModel(load_scenario("mm1-bts", SHORT), seed=3).run()
    assert static["switches"] == 0 and static["bts_share"] == 1.0


def test_a_policy_without_its_own_review_period_reviews_at_the_sections(user_module):
    scn = load_scenario(
        "mm1-bts", [f"capacity.policy={user_module}:NoPeriod", "capacity.review_period=3"]
    )
    assert make_capacity(scn.capacity, 365.0).review_period == 3.0


def test_the_scenario_pickles_without_the_users_module(user_module):
    import pickle

    scn = load_scenario("mm1-bts", [f"fulfillment.policy={user_module}:AllToOrder"])
    data = pickle.dumps(scn)
    sys.modules.pop(user_module)
    assert user_module.encode() not in data.replace(f"{user_module}:".encode(), b"")
    assert pickle.loads(data).fulfillment.policy == f"{user_module}:AllToOrder"
    assert user_module not in sys.modules  # unpickling did not import it


# -- one-line errors ----------------------------------------------------------------------


def test_a_misspelt_param_is_one_line_with_a_did_you_mean():
    with pytest.raises(ConfigError) as exc:
        load_scenario(
            "dealer-network", [f"fulfillment.policy={HOT}", "fulfillment.params.treshold=3"]
        )
    assert one_line(exc) == (
        "dealer-network: unknown key 'fulfillment.params.treshold'; "
        "did you mean 'fulfillment.params.threshold'?"
    )


def test_a_param_out_of_bounds_names_the_key_value_and_bound():
    with pytest.raises(ConfigError) as exc:
        load_scenario("dealer-network", [f"fulfillment.policy={HOT}", "fulfillment.params.days=0"])
    msg = one_line(exc)
    assert msg.startswith("dealer-network: fulfillment.params.days = 0: ")
    assert "greater than 0" in msg and "days the orders are counted over" in msg
    with pytest.raises(ConfigError) as exc:
        load_scenario(
            "dealer-network", [f"fulfillment.policy={HOT}", "fulfillment.params.threshold=true"]
        )
    assert one_line(exc).endswith(
        "fulfillment.params.threshold = True: expected a number, not true/false"
    )


def test_an_unimportable_module_is_one_line_naming_the_policy_key(user_module):
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", ["fulfillment.policy=no_such_policies_module:Policy"])
    msg = one_line(exc)
    assert msg.startswith("mm1-bts: fulfillment.policy = 'no_such_policies_module:Policy': ")
    assert "cannot import module 'no_such_policies_module'" in msg


def test_a_missing_class_and_a_class_without_review_are_one_line_each(user_module):
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", [f"fulfillment.policy={user_module}:AllToOrdr"])
    assert one_line(exc).endswith("has no attribute 'AllToOrdr'; did you mean 'AllToOrder'?")
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", [f"capacity.policy={user_module}:NoReview"])
    assert one_line(exc) == (
        f"mm1-bts: capacity.policy = '{user_module}:NoReview': {user_module}:NoReview is not "
        "a capacity policy: it has no method review(state)"
    )


def test_a_module_that_raises_while_importing_is_one_line(tmp_path, monkeypatch):
    (tmp_path / "broken_policies_mod.py").write_text("raise RuntimeError('half written\\nmore')\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "path", list(sys.path))
    with pytest.raises(ConfigError) as exc:
        load_scenario("mm1-bts", ["fulfillment.policy=broken_policies_mod:X"])
    assert one_line(exc).endswith(
        "importing module 'broken_policies_mod' raised RuntimeError: half written"
    )
    sys.modules.pop("broken_policies_mod", None)


def test_unknown_names_and_params_of_built_ins_are_one_line():
    with pytest.raises(ConfigError) as exc:
        load_scenario("dealer-network", ["fulfillment.policy=clasification"])
    assert "did you mean 'classification'?" in one_line(exc)
    with pytest.raises(ConfigError) as exc:
        load_scenario("dealer-network", ["fulfillment.policy=cost", "fulfillment.params.x=1"])
    assert one_line(exc).startswith(
        "dealer-network: fulfillment.params: the built-in fulfillment policy 'cost' takes its "
        "parameters from [fulfillment.cost]"
    )


def test_existing_keys_of_the_built_ins_still_load():
    scn = load_scenario(
        "dealer-network",
        ["fulfillment.policy=classification", "fulfillment.classification.runner_rate=0.7"],
    )
    assert scn.fulfillment.classification.runner_rate == 0.7
    assert scn.fulfillment.params == {}


# -- installed plugins (entry points) -------------------------------------------------------


@pytest.fixture
def installed(monkeypatch):
    """StockHot registered as ``fulfillment.hot`` by a (fake) installed distribution, and
    one entry point that tries to shadow the built-in ``cost``."""
    eps = [
        importlib.metadata.EntryPoint("fulfillment.hot", HOT, plugins.GROUP),
        importlib.metadata.EntryPoint("fulfillment.cost", HOT, plugins.GROUP),
        importlib.metadata.EntryPoint("capacity.hot", HOT, plugins.GROUP),
    ]

    def entry_points(*, group=None, **kw):
        return [ep for ep in eps if group in (None, ep.group)]

    monkeypatch.setattr(importlib.metadata, "entry_points", entry_points)


def test_an_entry_point_plugin_is_registered_and_runs(installed):
    assert plugins.names("fulfillment")[-1] == "hot"
    assert plugins.names("fulfillment").count("cost") == 1  # a built-in is not shadowed
    assert type(plugins.resolve("fulfillment", "cost").factory).__name__ == "function"
    assert plugins.is_registered("fulfillment", "hot") and not plugins.is_registered(
        "fulfillment", HOT
    )
    scn = load_scenario(
        "mm1-bts", [*SHORT, "fulfillment.policy=hot", "fulfillment.params.threshold=1000"]
    )
    assert isinstance(make_fulfillment(scn.fulfillment, lambda: 0.5), stock_hot())
    kpis = SupplyChainModel(scn, seed=1).run()
    assert kpis["switches"] > 0 and kpis["bts_share"] == 0.0  # 0.8 orders/day is not hot
    [record] = plugins.describe(scn)
    assert record["spec"] == "hot" and record["module"] == "examples.custom_policy.stock_hot"


def test_the_dashboard_offers_registered_plugins_only(installed):
    scn = load_scenario("dealer-network")
    params = model_params("dealer-network", scn)
    assert params["fulfillment_policy"]["values"] == plugins.names("fulfillment")
    assert "hot" in params["fulfillment_policy"]["values"]
    assert params["capacity_policy"]["values"] == ["level", "chase", "prebuild", "hot"]
    assert typed_overrides("fulfillment.policy=hot; fulfillment.params.threshold=2") == [
        "fulfillment.policy=hot",
        "fulfillment.params.threshold=2",
    ]
    assert control_overrides(scn, {"fulfillment_policy": "hot"}) == ['fulfillment.policy="hot"']


# -- the dashboard never imports what a visitor names ------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        f"fulfillment.policy={HOT}",
        'manufacturer.lines=2; capacity.policy="os:system"',
        'fulfillment={policy="no_such_dashboard_mod:X"}',
        "fulfillment.policy=not_registered",
    ],
)
def test_dashboard_settings_naming_an_unregistered_policy_are_refused(text, monkeypatch):
    imported = []
    monkeypatch.setattr(plugins.registry, "import_object", lambda spec: imported.append(spec))
    with pytest.raises(ConfigError) as exc:
        typed_overrides(text)
    msg = one_line(exc)
    assert msg.startswith("settings: ") and "policy = " in msg
    if ":" in text.split("=", 1)[1]:
        assert "the dashboard never imports a module" in msg
    assert imported == []
    assert "no_such_dashboard_mod" not in sys.modules


def test_a_dashboard_control_set_to_an_import_path_is_refused():
    scn = load_scenario("dealer-network")
    with pytest.raises(ConfigError) as exc:
        control_overrides(scn, {"capacity_policy": HOT})
    assert one_line(exc).startswith(f"controls: capacity.policy = '{HOT}': an import path")


# -- provenance ----------------------------------------------------------------------------


def test_describe_names_each_plugin_that_is_not_built_in(user_module, tmp_path):
    assert plugins.describe(load_scenario("dealer-network", ["capacity.policy=chase"])) == []
    scn = load_scenario(
        "mm1-bts", [f"fulfillment.policy={HOT}", f"capacity.policy={user_module}:AllToOrder"]
    )
    hot, mine = plugins.describe(scn)
    source = REPO / "examples" / "custom_policy" / "stock_hot.py"
    assert hot == {
        "kind": "fulfillment",
        "spec": HOT,
        "module": "examples.custom_policy.stock_hot",
        "distribution": None,
        "version": None,
        "sha256": hashlib.sha256(source.read_bytes()).hexdigest(),
    }
    assert mine["kind"] == "capacity" and mine["module"] == user_module
    expected = hashlib.sha256((tmp_path / f"{user_module}.py").read_bytes()).hexdigest()
    assert (mine["distribution"], mine["sha256"]) == (None, expected)


def test_describe_gives_the_distribution_and_version_of_an_installed_module():
    # a class of btoagents itself stands for a plugin from an installed distribution
    scn = load_scenario(
        "mm1-bts", ["fulfillment.policy=btoagents.policies.fulfillment:PostponementPolicy"]
    )
    [record] = plugins.describe(scn)
    assert record["distribution"] == "btoagents"
    assert record["version"] == importlib.metadata.version("btoagents")


# -- sweeps: a worker process imports the plugin, or says in one line why not ----------------

EXPERIMENT = HOT_VS_STATIC.format(name="hot-vs-static")


def test_a_process_sweep_runs_an_arm_with_a_users_policy(tmp_path, monkeypatch):
    monkeypatch.chdir(REPO)  # spawned workers import examples.custom_policy from here
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    summary = sweep(path, executor="process", workers=2, folder=tmp_path / "res")
    assert (summary.ok, summary.failed) == (4, 0)
    rows = load_results(tmp_path / "res").sort_values(["arm", "replication"])
    hot, static = rows[rows["arm"] == "hot"], rows[rows["arm"] == "static"]
    assert (hot["switches"] > 0).all() and (static["switches"] == 0).all()
    assert not np.allclose(hot["fg_inventory"].to_numpy(), static["fg_inventory"].to_numpy())
    manifest = json.loads((tmp_path / "res" / "manifest.json").read_text())
    [record] = manifest["plugins"]
    source = REPO / "examples" / "custom_policy" / "stock_hot.py"
    assert record["kind"] == "fulfillment" and record["spec"] == HOT
    assert record["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest()


def test_a_worker_that_cannot_import_the_plugin_stores_one_line():
    scenario = load_scenario("mm1-bts", SHORT).model_dump(mode="json")
    scenario["fulfillment"]["policy"] = "policies_not_on_this_worker:Policy"
    task = RunTask("k", 0, "hot", 0, 1, scenario, ())
    row = execute_run(task)
    assert row["status"] == "failed"
    assert "\n" not in row["error"]
    assert row["error"].startswith(
        "ConfigError: run k: fulfillment.policy = 'policies_not_on_this_worker:Policy': "
        "cannot import module 'policies_not_on_this_worker'"
    )


def test_the_context_gives_review_period_from_the_section():
    scn = load_scenario("dealer-network")
    ctx = PolicyContext(scn.fulfillment, uniform=lambda: 0.5)
    assert ctx.review_period == scn.fulfillment.review_period and ctx.cycle is None
