"""Input integrity: entities are declared, not created by a typo; every value has a domain;
a run too large for its budget is refused before it starts; TOML is size- and depth-checked
before it is parsed. Every refusal is one ConfigError line naming the key or file."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib
import warnings
from pathlib import Path

import pytest

from btoagents import ConfigError, load_scenario
from btoagents.cli import main
from btoagents.config import budget, preset_names
from btoagents.config.budget import check_budget, estimate
from btoagents.config.limits import MAX_TOML_BYTES, MAX_TOML_DEPTH
from btoagents.experiment import sweep
from btoagents.experiment.spec import load_experiment
from btoagents.model import SupplyChainModel

FLATPACK = """\
name = "furniture"
[simulation]
horizon = 200.0
warmup = 20.0
replications = 2
[products.flatpack]
strategy = "bts"
demand_rate = 0.4
base_stock = 2
"""

TINY_EXPERIMENT = """\
name = "{name}"
scenario = "dealer-network"
replications = 2
seed = 3
overrides = ["simulation.horizon=80", "simulation.warmup=10"]
[design]
kind = "full_factorial"
[factors.share]
keys = ["products.compact.tail_share", "{key}"]
levels = [0.0, 1.0]
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def refusal(source, overrides=(), add=()) -> str:
    """The one-line ConfigError message of loading ``source`` with ``overrides``."""
    with pytest.raises(ConfigError) as info:
        load_scenario(source, list(overrides), add=list(add))
    msg = str(info.value)
    assert msg and "\n" not in msg and "Traceback" not in msg
    return msg


def cli(args: list[str], capsys) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of ``btoagents ARGS`` run in this process."""
    status = main(args)
    out, err = capsys.readouterr()
    return status, out, err


@pytest.fixture
def no_model(monkeypatch):
    """Building a model fails the test: a refusal must come before any simulation work."""

    def built(self, *args, **kwargs):
        raise AssertionError("a model was built before the input was refused")

    monkeypatch.setattr(SupplyChainModel, "__init__", built)


def refuse_to_parse(text: str) -> None:
    raise AssertionError("the TOML was parsed before its size was checked")


def one_error_line(err: str) -> str:
    lines = [line for line in err.strip().splitlines() if not line.startswith("warning:")]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


# --- entities are declared, not created by a typo ----------------------------------------


def test_misspelt_family_in_set_is_refused_with_did_you_mean_through_the_cli(tmp_path, capsys):
    path = write(tmp_path, FLATPACK)
    item = "products.flatpak.base_stock=3"
    status, out, err = cli(["run", str(path), "--set", item, "-r", "1"], capsys)
    assert status == 2 and out == ""
    line = one_error_line(err)
    assert f"--set {item!r}" in line
    assert "unknown product 'flatpak'" in line
    assert "did you mean 'flatpack'?" in line
    assert "--add products.flatpak" in line


def test_misspelt_family_is_refused_by_the_installed_command(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "btoagents.cli", "run", "dealer-network"]
        + ["--set", "products.compct.tail_share=0.5"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    line = one_error_line(result.stderr)
    assert "unknown product 'compct'" in line and "did you mean 'compact'?" in line


@pytest.mark.parametrize(
    "item, word, close",
    [
        ("suppliers.seat.service_rate=3", "supplier 'seat'", "seats"),
        ("components.seat-sets.unit_cost=1", "component 'seat-sets'", "seat-set"),
        ("intermediaries.flet.rate=1", "intermediary 'flet'", "fleet"),
        ("products.suvv.variants=2", "product 'suvv'", "suv"),
    ],
)
def test_every_table_of_named_entities_refuses_an_undeclared_name(item, word, close):
    msg = refusal("dealer-network", [item])
    assert msg.startswith(f"--set {item!r}: unknown {word}")
    assert f"did you mean {close!r}?" in msg


def test_entities_of_a_table_the_scenario_lacks_are_refused():
    msg = refusal("mm1-bts", ["suppliers.acme.lead_time=3"])
    assert "unknown supplier 'acme'" in msg and "none declared" in msg


def test_an_inline_table_cannot_create_an_entity_either():
    msg = refusal("mm1-bts", ["products={standrd={base_stock=3}}"])
    assert "unknown product 'standrd'" in msg and "did you mean 'standard'?" in msg


def test_a_set_through_a_scenario_object_obeys_the_same_rule():
    base = load_scenario("mm1-bts")
    msg = refusal(base, ["products.standrd.base_stock=3"])
    assert "unknown product 'standrd'" in msg and "did you mean 'standard'?" in msg


def test_keys_of_declared_entities_are_still_set():
    scn = load_scenario("dealer-network", ["products.compact.tail_share=0.5"])
    assert scn.products["compact"].tail_share == 0.5
    assert list(scn.products) == ["compact", "suv", "van"]


def test_add_declares_a_new_family_that_set_then_configures(tmp_path, capsys):
    path = write(tmp_path, FLATPACK)
    args = ["run", str(path), "--add", "products.flatpak", "-r", "1", "--json"]
    args += ["--set", "products.flatpak.demand_rate=0.2", "--breakdown"]
    status, out, err = cli(args, capsys)
    assert status == 0, err
    assert json.loads(out)["replications"] == 1
    scn = load_scenario(path, ["products.flatpak.demand_rate=0.2"], add=["products.flatpak"])
    assert list(scn.products) == ["flatpack", "flatpak"]
    assert scn.products["flatpak"].demand_rate == 0.2
    assert scn.products["flatpak"].strategy == "bto"  # the schema's default


def test_add_works_on_a_scenario_object_and_for_suppliers():
    scn = load_scenario(
        load_scenario("mm1-bts"), ["suppliers.acme.lead_time=3"], add=["suppliers.acme"]
    )
    assert scn.supplier_names() == ["acme"]
    assert scn.suppliers["acme"].lead_time == 3.0


@pytest.mark.parametrize(
    "item, expected",
    [
        ("products.standard", "is already declared"),
        ("product.flatpack", "TABLE one of products, suppliers, components, intermediaries"),
        ("flatpack", "TABLE one of"),
        ("products.", "a name of letters"),
        ("products.a b", "a name of letters"),
    ],
)
def test_bad_add_is_refused(item, expected):
    msg = refusal("mm1-bts", add=[item])
    assert msg.startswith(f"--add {item!r}: ")
    assert expected in msg


def test_sweep_refuses_a_misspelt_entity_in_a_factor_before_any_run(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(SupplyChainModel, "run", lambda self: ran.append(1))
    path = write(
        tmp_path, TINY_EXPERIMENT.format(name="typo", key="products.svu.tail_share"), "e.toml"
    )
    results = tmp_path / "results"
    with pytest.raises(ConfigError) as info:
        sweep(path, executor="serial", results_root=results)
    msg = str(info.value)
    assert "\n" not in msg
    assert msg.startswith(f"{path}: --set 'products.svu.tail_share=0.0': unknown product 'svu'")
    assert "did you mean 'suv'?" in msg
    assert ran == []
    assert not (results / "typo").exists()


def test_an_experiment_declares_a_new_family_with_add(tmp_path):
    text = TINY_EXPERIMENT.format(name="added", key="products.minivan.tail_share")
    with pytest.raises(ConfigError, match="unknown product 'minivan'"):
        sweep(write(tmp_path, text, "e.toml"), executor="serial", results_root=tmp_path / "r")
    text = text.replace("seed = 3\n", 'seed = 3\nadd = ["products.minivan"]\n').replace(
        'overrides = ["simulation', 'overrides = ["products.minivan.demand_rate=3", "simulation'
    )
    summary = sweep(write(tmp_path, text, "e.toml"), executor="serial", results_root=tmp_path / "r")
    assert (summary.ok, summary.failed) == (4, 0)
    manifest = json.loads((tmp_path / "r" / "added" / "manifest.json").read_text())
    assert manifest["scenario"]["products"]["minivan"]["demand_rate"] == 3


def test_sweep_force_lifts_the_budget_as_force_true_in_the_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(budget, "MAX_EVENTS", 1_000)
    path = write(tmp_path, TINY_EXPERIMENT.format(name="forced", key="products.suv.tail_share"))
    args = ["sweep", str(path), "--executor", "serial", "--results", str(tmp_path / "r")]
    status, _, err = cli(args, capsys)
    assert status == 2 and "force = true" in one_error_line(err)
    assert not (tmp_path / "r" / "forced").exists()
    status, _, err = cli([*args, "--force"], capsys)
    assert status == 0, err
    # --force changes no result, so the stored experiment is the same one: a rerun skips all
    status, out, _ = cli([*args, "--force"], capsys)
    assert status == 0 and "4 already stored" in out


def test_sweep_and_demo_replications_beyond_their_domain_are_refused(tmp_path, capsys):
    path = write(tmp_path, TINY_EXPERIMENT.format(name="reps", key="products.suv.tail_share"))
    for args in (
        ["sweep", str(path), "--executor", "serial", "-r", "1000000000"],
        ["demo", "-r", "0"],
    ):
        status, _, err = cli(
            [*args, "--results" if args[0] == "sweep" else "--out", str(tmp_path / "o")], capsys
        )
        assert status == 2 and "--replications = " in one_error_line(err)
    assert not (tmp_path / "o").exists()


def test_sweep_refuses_a_misspelt_entity_in_an_arm(tmp_path):
    text = TINY_EXPERIMENT.format(name="arm", key="products.suv.tail_share")
    text += '[arms.a]\noverrides = []\n[arms.b]\noverrides = ["intermediaries.flet.rate=1"]\n'
    path = write(tmp_path, text, "e.toml")
    with pytest.raises(ConfigError, match=r"unknown intermediary 'flet'.*did you mean 'fleet'"):
        sweep(path, executor="serial", results_root=tmp_path / "results")
    assert not (tmp_path / "results" / "arm").exists()


def test_the_dashboards_typed_settings_obey_the_same_rule():
    from btoagents.viz.model import DashboardModel

    model = DashboardModel(preset="mm1-bts", more="products.standrd.base_stock=3")
    assert model.chain is None
    assert "unknown product 'standrd'" in model.error
    assert "did you mean 'standard'?" in model.error
    ok = DashboardModel(preset="mm1-bts", more="products.standard.base_stock=3")
    assert ok.error is None and ok.chain.cfg.products["standard"].base_stock == 3


# --- every value has a domain -------------------------------------------------------------


@pytest.mark.parametrize(
    "item, expected",
    [
        ("products.standard.demand_rate=true", "expected a number, not true/false"),
        ("manufacturer.lines=true", "expected an integer, not true/false"),
        ("customers.switch_discount=[false, 0.2]", "expected a number, not true/false"),
        ("manufacturer.lines=2.0", "expected an integer"),
        ("customers.count=1e8", "expected an integer"),
    ],
)
def test_booleans_and_decimals_are_not_accepted_as_numbers(item, expected):
    msg = refusal("mm1-bts", [item])
    assert msg.startswith("mm1-bts: ")
    assert item.split("=")[0] in msg
    assert expected in msg


def test_a_boolean_rate_in_a_file_names_the_file_and_key(tmp_path):
    path = write(tmp_path, FLATPACK.replace("demand_rate = 0.4", "demand_rate = true"))
    msg = refusal(path)
    assert msg.startswith(f"{path}: products.flatpack.demand_rate = True: ")


def test_an_integer_is_still_a_valid_float():
    scn = load_scenario("mm1-bts", ["manufacturer.service_rate=2", "simulation.horizon=5000"])
    assert scn.manufacturer.service_rate == 2.0
    assert isinstance(scn.manufacturer.service_rate, float)
    assert scn.simulation.horizon == 5000.0


@pytest.mark.parametrize(
    "item",
    [
        "products.standard.demand_rate=1e308",
        "supplier.lead_time=9223372036854775807",
        "simulation.horizon=1e308",
        "products.standard.life_cycle=1e-308",
        "products.standard.base_stock=1000000000",
        "dealers.count=10000000",
        "products.standard.variants=100000000",
        "customers.count=100000000",
        "simulation.replications=1000000000",
        "demand.period=1e-308",
        "demand_management.slot_days=1e-308",
        "customers.switch_discount=[0.1, 1e308]",
        "fulfillment.bandit.cover_days=[1e308]",
    ],
)
def test_values_that_would_overflow_or_exhaust_memory_are_refused_at_once(item, no_model):
    msg = refusal("mm1-bts", [item])
    assert item.split("=")[0] in msg


@pytest.mark.parametrize("where", ["set", "file"])
def test_an_integer_too_long_for_python_to_read_is_one_line(tmp_path, where):
    digits = "9" * 5000
    if where == "set":
        msg = refusal("mm1-bts", [f"manufacturer.lines={digits}"])
    else:
        path = write(tmp_path, f'name = "x"\n[manufacturer]\nlines = {digits}\n')
        msg = refusal(path)
        assert msg.startswith(f"{path}: ")
    assert "5000 digits" in msg


@pytest.mark.parametrize("command", ["run", "sweep", "experiment-scenario"])
def test_a_path_too_long_to_look_up_is_one_error_line(tmp_path, capsys, command):
    long = "x" * 5000
    if command == "experiment-scenario":
        path = write(
            tmp_path,
            f'name = "a"\nscenario = "{long}"\n[factors.f]\nkey = "x.y"\nlevels = [1]\n',
            "e.toml",
        )
        args = ["sweep", str(path), "--results", str(tmp_path / "r")]
    else:
        args = [command, f"{long}.toml"]
    status, _, err = cli(args, capsys)
    assert status == 2 and "cannot look up this path: File name too long" in one_error_line(err)


def test_a_bound_is_stated_with_its_unit():
    msg = refusal("mm1-bto", ["products.standard.demand_rate=1e308"])
    assert "products.standard.demand_rate = 1e+308" in msg
    assert "less than or equal to 1000000" in msg
    assert "orders per day" in msg


def test_replications_and_seed_beyond_their_domain_are_refused_by_the_cli(capsys):
    status, _, err = cli(["run", "mm1-bto", "-r", "1000000000"], capsys)
    assert status == 2 and "--replications = 1000000000" in one_error_line(err)
    status, _, err = cli(["run", "mm1-bto", "--seed", str(2**64)], capsys)
    assert status == 2 and "--seed" in one_error_line(err)


# --- the pre-run estimate -----------------------------------------------------------------


@pytest.mark.parametrize("name", preset_names())
def test_every_preset_fits_the_budget_with_its_replications(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scn = load_scenario(name)
    est = check_budget(scn, scn.simulation.replications)
    assert est.events * scn.simulation.replications < budget.MAX_EVENTS / 10


@pytest.mark.parametrize("name", ["mm1-bto", "dealer-network", "kitchen-cabinets"])
def test_the_estimate_is_not_below_the_events_a_run_processes(name):
    scn = load_scenario(name, ["simulation.horizon=300", "simulation.warmup=30"])
    model = SupplyChainModel(scn, seed=3)
    model.run()
    est = estimate(scn)
    assert model.cal.events <= est.events <= 5 * model.cal.events


def test_huge_horizon_is_refused_by_the_estimate_before_any_model_is_built(capsys, no_model):
    status, out, err = cli(["run", "dealer-network", "--set", "simulation.horizon=900000"], capsys)
    assert status == 2 and out == ""
    line = one_error_line(err)
    assert "dealer-network: about" in line and "events" in line
    assert "final-customer orders" in line
    assert "--force" in line


def test_force_accepts_a_large_run_that_fits_the_machine():
    scn = load_scenario("dealer-network", ["simulation.horizon=900000"])
    with pytest.raises(ConfigError, match="--force"):
        check_budget(scn, 10)
    est = check_budget(scn, 10, force=True)
    assert est.events * 10 > budget.MAX_EVENTS


@pytest.mark.parametrize(
    "overrides, expected",
    [
        (["dealers.count=10000", "products.compact.variants=100000"], "this machine's"),
        (
            ["products.compact.demand_rate=1000000", "simulation.horizon=1000000"],
            "even when forced",
        ),
    ],
)
def test_force_does_not_accept_what_cannot_fit(overrides, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scn = load_scenario("dealer-network", overrides)
    with pytest.raises(ConfigError, match=expected):
        check_budget(scn, force=True)


def test_run_with_force_goes_beyond_the_limit(monkeypatch, capsys):
    monkeypatch.setattr(budget, "MAX_EVENTS", 10_000)
    args = ["run", "mm1-bto", "-r", "1", "--json"]
    status, out, err = cli(args, capsys)
    assert status == 2 and out == ""
    assert "the limit is 1e+04 events" in one_error_line(err)
    status, out, err = cli([*args, "--force"], capsys)
    assert status == 0, err
    assert json.loads(out)["replications"] == 1


def test_sweep_refuses_a_run_over_the_budget_before_it_starts(tmp_path, monkeypatch):
    ran = []
    monkeypatch.setattr(SupplyChainModel, "run", lambda self: ran.append(1))
    text = TINY_EXPERIMENT.format(name="big", key="products.suv.tail_share").replace(
        "simulation.horizon=80", "simulation.horizon=900000"
    )
    path = write(tmp_path, text, "e.toml")
    with pytest.raises(ConfigError, match=r"design point 0, arm 'base': one run.*force = true"):
        sweep(path, executor="serial", results_root=tmp_path / "results")
    assert ran == []
    assert not (tmp_path / "results" / "big").exists()


@pytest.mark.parametrize(
    "design",
    [
        'kind = "latin_hypercube"\nsamples = 1e9',
        'kind = "latin_hypercube"\nsamples = 1000000000',
        'kind = "latin_hypercube"\nsamples = true',
    ],
)
def test_design_samples_beyond_the_domain_are_refused(tmp_path, design):
    text = (
        'name = "lhs"\nscenario = "mm1-bts"\n[design]\n'
        + design
        + '\n[factors.S]\nkey = "products.standard.demand_rate"\nrange = [0.1, 0.5]\n'
    )
    with pytest.raises(ConfigError, match="design.samples"):
        load_experiment(write(tmp_path, text, "e.toml"))


def test_a_factorial_grid_too_large_is_refused_before_it_is_built(tmp_path):
    factors = "".join(
        f'[factors.f{i}]\nkey = "products.standard.price"\nlevels = {list(range(1, 11))}\n'
        for i in range(6)
    )
    text = 'name = "grid"\nscenario = "mm1-bts"\n' + factors
    with pytest.raises(ConfigError, match="1,000,000 design points; expected at most"):
        load_experiment(write(tmp_path, text, "e.toml"))


# --- TOML size and nesting ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["array", "table"])
def test_deep_nesting_in_a_set_value_is_refused_without_recursion_error(kind):
    depth = 600
    if kind == "array":
        value = "[" * depth + "1" + "]" * depth
    else:
        value = "{a = " * depth + "1" + "}" * depth
    msg = refusal("mm1-bts", [f"simulation.horizon={value}"])
    assert msg.startswith("--set 'simulation.horizon=")
    assert f"nested deeper than {MAX_TOML_DEPTH} levels" in msg
    assert len(msg) < 300


def test_deep_nesting_in_a_scenario_file_names_the_file_and_line(tmp_path):
    path = write(tmp_path, FLATPACK + "x = " + "[" * 5000 + "]" * 5000 + "\n")
    msg = refusal(path)
    assert msg.startswith(f"{path}: line 10: ")
    assert "nested deeper than" in msg


def test_deeply_nested_tables_from_dotted_keys_are_refused(tmp_path):
    path = write(tmp_path, FLATPACK + "[" + ".".join(["a"] * 200) + "]\nx = 1\n")
    assert "tables nested deeper than" in refusal(path)


def test_brackets_inside_strings_and_comments_do_not_count_as_nesting(tmp_path):
    text = FLATPACK.replace('name = "furniture"', 'name = "' + "[" * 100 + '"  # ' + "{" * 100)
    scn = load_scenario(write(tmp_path, text))
    assert scn.name == "[" * 100


def test_deep_nesting_in_an_experiment_file_is_refused(tmp_path):
    path = write(tmp_path, 'name = "x"\nscenario = "mm1-bts"\nv = ' + "[" * 600, "e.toml")
    with pytest.raises(ConfigError, match="nested deeper than"):
        load_experiment(path)


@pytest.mark.parametrize("what", ["scenario", "experiment"])
def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(tmp_path, what, monkeypatch):
    path = tmp_path / "big.toml"
    with path.open("w") as f:
        f.write(FLATPACK)
        line = "unknown_key_%07d = 1\n"
        f.writelines(line % i for i in range(MAX_TOML_BYTES // len(line % 0) + 10))
    monkeypatch.setattr(tomllib, "loads", refuse_to_parse)
    with pytest.raises(ConfigError) as info:
        load_experiment(path) if what == "experiment" else load_scenario(path)
    msg = str(info.value)
    assert msg.startswith(f"{path}: ") and f"expected at most {MAX_TOML_BYTES:,} bytes" in msg


def test_a_file_just_under_the_size_limit_is_parsed(tmp_path):
    padding = "#" * (MAX_TOML_BYTES - len(FLATPACK) - 10) + "\n"
    scn = load_scenario(write(tmp_path, FLATPACK + padding))
    assert list(scn.products) == ["flatpack"]
