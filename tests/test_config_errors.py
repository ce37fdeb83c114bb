"""Every kind of bad scenario input raises a ConfigError with one line naming the key or file."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from btoagents import BtoagentsError, ConfigError, load_scenario
from btoagents.config import Scenario, SteadyStateWarning, preset_names

MINIMAL = """\
[products.standard]
strategy = "bts"
demand_rate = 0.5
base_stock = 2
"""


def write(tmp_path: Path, text: str, name: str = "scenario.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, "utf-8")
    return path


def one_line(exc: BaseException) -> str:
    """The error's message, after checking it is one clean line from our error family."""
    assert isinstance(exc, ConfigError)
    assert isinstance(exc, BtoagentsError)
    msg = str(exc)
    assert msg.strip(), "empty message"
    assert "\n" not in msg and "\r" not in msg
    assert "Traceback" not in msg
    assert "For further information" not in msg and "errors.pydantic.dev" not in msg
    return msg


def config_error(source, overrides=()) -> str:
    """Load ``source`` expecting a ConfigError; return its (checked) one-line message."""
    with pytest.raises(ConfigError) as info:
        load_scenario(source, list(overrides))
    return one_line(info.value)


# --- the minimal scenario itself is fine -------------------------------------------------


def test_minimal_scenario_loads_without_any_warning(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scn = load_scenario(write(tmp_path, MINIMAL))
    assert isinstance(scn, Scenario)
    assert scn.products["standard"].strategy == "bts"
    assert scn.products["standard"].base_stock == 2
    assert scn.offered_load() == pytest.approx(0.5)


def test_config_error_belongs_to_the_btoagents_error_family():
    assert issubclass(ConfigError, BtoagentsError)
    assert issubclass(BtoagentsError, Exception)


# --- file level --------------------------------------------------------------------------


def test_malformed_toml_names_the_file_and_says_malformed(tmp_path):
    path = write(tmp_path, MINIMAL + "\n[manufacturer\nlines = 1\n", name="broken.toml")
    msg = config_error(path)
    assert msg.startswith(f"{path}: ")
    assert "malformed TOML" in msg
    assert "line 6" in msg  # where the parser stopped


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "sub" / "nowhere.toml"
    msg = config_error(path)
    assert str(path) in msg
    assert "no such scenario file" in msg


def test_missing_file_given_as_a_string_names_the_path(tmp_path):
    path = str(tmp_path / "nowhere.toml")
    assert config_error(path) == f"{path}: no such scenario file"


def test_directory_instead_of_a_file_is_refused(tmp_path):
    assert str(tmp_path) in config_error(tmp_path)


def test_file_that_is_not_utf8_names_the_file(tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes(MINIMAL.encode() + b'name = "caf\xe9"\n')
    assert str(path) in config_error(path)


# --- unknown keys ------------------------------------------------------------------------


def test_unknown_top_level_section_is_named_with_did_you_mean(tmp_path):
    path = write(tmp_path, MINIMAL + "\n[manufactuer]\nlines = 2\n")
    msg = config_error(path)
    assert str(path) in msg
    assert "unknown section 'manufactuer'" in msg
    assert "did you mean 'manufacturer'" in msg


def test_unknown_key_is_named_with_did_you_mean(tmp_path):
    path = write(tmp_path, MINIMAL + "\n[manufacturer]\nservce_rate = 2.0\n")
    msg = config_error(path)
    assert str(path) in msg
    assert "unknown key 'manufacturer.servce_rate'" in msg
    assert "did you mean 'manufacturer.service_rate'" in msg


def test_unknown_key_inside_a_product_table_is_named_with_did_you_mean(tmp_path):
    path = write(tmp_path, MINIMAL + "demnd_rate = 3.0\n")
    msg = config_error(path)
    assert "unknown key 'products.standard.demnd_rate'" in msg
    assert "did you mean 'products.standard.demand_rate'" in msg


def test_unknown_key_given_by_override_is_named_with_did_you_mean():
    msg = config_error("mm1-bts", ["manufacturer.servce_rate=2"])
    assert msg.startswith("mm1-bts: ")
    assert "unknown key 'manufacturer.servce_rate'" in msg
    assert "did you mean 'manufacturer.service_rate'" in msg


def test_unknown_top_level_key_is_named_with_did_you_mean():
    msg = config_error("mm1-bts", ["nmae=x"])
    assert "unknown key 'nmae'" in msg and "did you mean 'name'" in msg


def test_unknown_key_in_a_list_of_tables_is_named(tmp_path):
    text = MINIMAL + "\n[dealers]\nmarkdown = [{after_days = 60, discount = 0.05, dicount = 1}]\n"
    msg = config_error(write(tmp_path, text))
    assert "unknown key 'dealers.markdown.0.dicount'" in msg
    assert "did you mean 'dealers.markdown.0.discount'" in msg


def test_unknown_key_with_no_close_match_gets_no_false_suggestion():
    msg = config_error("mm1-bts", ["manufacturer.zzz=1"])
    assert "manufacturer.zzz" in msg
    assert "did you mean" not in msg
    assert "service_rate" in msg  # the known keys are listed instead


# --- wrong values ------------------------------------------------------------------------


def test_wrong_type_names_the_key_and_value(tmp_path):
    path = write(tmp_path, MINIMAL + '\n[manufacturer]\nlines = "two"\n')
    msg = config_error(path)
    assert str(path) in msg
    assert "manufacturer.lines = 'two'" in msg
    assert "integer" in msg


def test_wrong_choice_names_the_key_and_the_allowed_values():
    msg = config_error("mm1-bts", ["products.standard.strategy=bst"])
    assert "products.standard.strategy = 'bst'" in msg
    assert "'bts'" in msg and "'bto'" in msg


def test_negative_rate_names_the_key_and_value():
    msg = config_error("mm1-bts", ["products.standard.demand_rate=-1"])
    assert msg.startswith("mm1-bts: ")
    assert "products.standard.demand_rate = -1" in msg
    assert "greater than or equal to 0" in msg


def test_negative_rate_in_a_file_names_the_file_key_and_value(tmp_path):
    path = write(tmp_path, MINIMAL.replace("demand_rate = 0.5", "demand_rate = -1"))
    msg = config_error(path)
    assert msg.startswith(f"{path}: ")
    assert "products.standard.demand_rate = -1" in msg


def test_not_a_number_rate_is_refused():
    msg = config_error("mm1-bts", ["products.standard.demand_rate=nan"])
    assert "products.standard.demand_rate = nan" in msg


def test_zero_total_demand_is_refused():
    msg = config_error("mm1-bts", ["products.standard.demand_rate=0"])
    assert "products" in msg and "demand rates add up to 0" in msg


def test_scenario_without_products_is_refused(tmp_path):
    msg = config_error(write(tmp_path, "[manufacturer]\nlines = 1\n"))
    assert "products" in msg and "required" in msg.lower()


def test_infinite_horizon_is_refused():
    assert "simulation.horizon" in config_error("mm1-bts", ["simulation.horizon=inf"])


# --- rules across keys -------------------------------------------------------------------


@pytest.mark.parametrize(
    "warmup, horizon", [(100, 100), (500, 100)], ids=["warmup-equals", "warmup-longer"]
)
def test_warmup_not_shorter_than_horizon_names_both(warmup, horizon):
    msg = config_error("mm1-bts", [f"simulation.warmup={warmup}", f"simulation.horizon={horizon}"])
    assert "simulation" in msg
    assert f"warmup ({float(warmup)})" in msg and f"horizon ({float(horizon)})" in msg


def test_unknown_component_referenced_by_a_product_is_named(tmp_path):
    path = write(tmp_path, MINIMAL + 'components = ["gear"]\n')
    msg = config_error(path)
    assert "products.standard.components" in msg
    assert "unknown component 'gear'" in msg


def test_unknown_supplier_referenced_by_a_component_is_named(tmp_path):
    text = MINIMAL + '\n[components.gear]\nsupplier = "acme"\n\n[suppliers.panels]\n'
    msg = config_error(write(tmp_path, text))
    assert "components.gear.supplier" in msg
    assert "unknown supplier 'acme'" in msg
    assert "panels" in msg  # the known suppliers are listed


def test_ato_product_without_components_is_refused(tmp_path):
    path = write(tmp_path, MINIMAL.replace('"bts"', '"ato"'))
    msg = config_error(path)
    assert "products.standard.components" in msg
    assert "assemble-to-order" in msg


def test_ato_tail_without_components_is_refused():
    msg = config_error(
        "mm1-bts", ["products.standard.tail_share=0.5", "products.standard.tail_strategy=ato"]
    )
    assert "products.standard.components" in msg


# --- presets -----------------------------------------------------------------------------


def test_unknown_preset_suggests_the_close_preset():
    msg = config_error("mm1-btx")
    assert "unknown preset 'mm1-btx'" in msg
    assert "did you mean 'mm1-bts'" in msg


def test_unknown_preset_far_from_all_lists_the_known_presets():
    msg = config_error("zzzzzzzz")
    assert "unknown preset 'zzzzzzzz'" in msg
    for name in preset_names():
        assert name in msg


# --- --set overrides ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "item, expected",
    [
        ("manufacturer.lines", "expected KEY=VALUE"),
        ("manufacturer.lines 2", "expected KEY=VALUE"),
        ("=2", "the key is empty or has an empty part"),
        ("  =2", "the key is empty or has an empty part"),
        (".lines=2", "the key is empty or has an empty part"),
        ("manufacturer..lines=2", "the key is empty or has an empty part"),
        ("manufacturer.=2", "the key is empty or has an empty part"),
        ("manufacturer.lines.count=2", "'lines' is a value, not a table"),
    ],
)
def test_bad_override_is_named(item, expected):
    msg = config_error("mm1-bts", [item])
    assert msg.startswith(f"--set {item!r}: ")
    assert expected in msg


def test_valid_override_round_trips():
    scn = load_scenario("mm1-bts", ["manufacturer.lines=2", "products.standard.strategy=bto"])
    assert scn.manufacturer.lines == 2
    assert isinstance(scn.manufacturer.lines, int)
    assert scn.products["standard"].strategy == "bto"
    base = load_scenario("mm1-bts")
    assert base.manufacturer.lines == 1 and base.products["standard"].strategy == "bts"


def test_override_values_are_typed_as_toml():
    scn = load_scenario(
        "mm1-bts",
        [
            "simulation.horizon=1500",
            "simulation.drain=false",
            "products.standard.price=2.5",
            "name=my-run",
        ],
    )
    assert scn.simulation.horizon == 1500.0
    assert scn.simulation.drain is False
    assert scn.products["standard"].price == 2.5
    assert scn.name == "my-run"


def test_override_onto_a_file_scenario(tmp_path):
    scn = load_scenario(write(tmp_path, MINIMAL), ["products.standard.base_stock=7"])
    assert scn.products["standard"].base_stock == 7


# --- steady state ------------------------------------------------------------------------


def test_offered_load_at_or_above_one_warns_but_returns_a_scenario():
    with pytest.warns(SteadyStateWarning, match=r"offered load is 1\.600 >= 1") as record:
        scn = load_scenario("mm1-bto", ["manufacturer.service_rate=0.5"])
    assert isinstance(scn, Scenario)
    assert scn.manufacturer.service_rate == 0.5
    assert scn.offered_load() == pytest.approx(1.6)
    steady = [w for w in record if issubclass(w.category, SteadyStateWarning)]
    assert len(steady) == 1
    assert "mm1-bto" in str(steady[0].message)
    assert "\n" not in str(steady[0].message)


def test_offered_load_exactly_one_warns():
    with pytest.warns(SteadyStateWarning):
        load_scenario("mm1-bto", ["products.standard.demand_rate=1.0"])


def test_offered_load_below_one_does_not_warn():
    with warnings.catch_warnings():
        warnings.simplefilter("error", SteadyStateWarning)
        scn = load_scenario("mm1-bto")
    assert scn.offered_load() == pytest.approx(0.8)


# --- every message is one clean line -----------------------------------------------------

BAD_OVERRIDES = [
    ["manufacturer.servce_rate=2"],
    ["manufactuer.lines=2"],
    ["products.standard.demnd_rate=1"],
    ["manufacturer.lines=two"],
    ["manufacturer.lines=1.5"],
    ["products.standard.demand_rate=-1"],
    ["products.standard.demand_rate=0"],
    ["products.standard.strategy=ato"],
    ["products.standard.components=['gear']"],
    ["components.gear.supplier=acme"],
    ["simulation.warmup=100", "simulation.horizon=50"],
    ["customers.switch_discount=[0.5, 0.1]"],
    ["products.standard=3"],
    ["products={}"],
    ["manufacturer.discipline=lifo"],
    ["manufacturer.lines"],
    ["=1"],
    ["manufacturer.lines.x=1"],
]


@pytest.mark.parametrize("overrides", BAD_OVERRIDES, ids=lambda o: " ".join(o))
def test_every_override_error_is_one_line_without_traceback(overrides):
    config_error("mm1-bts", overrides)


@pytest.mark.parametrize(
    "text",
    [
        MINIMAL + "\n[manufacturer\n",
        MINIMAL + 'name = "unterminated\n',
        MINIMAL + "demand_rate = 1\n",  # duplicate key
        MINIMAL + "\n[manufacturer]\nlines = 0\n",
        MINIMAL + "\n[simulation]\nhorizon = -5\n",
        MINIMAL + "\n[dealers]\nmarkdown = [{after_days = 1}]\n",
        "",
    ],
    ids=[
        "unclosed-table",
        "unterminated-string",
        "duplicate-key",
        "zero-lines",
        "negative-horizon",
        "markdown-missing-discount",
        "empty-file",
    ],
)
def test_every_file_error_is_one_line_and_names_the_file(tmp_path, text):
    path = write(tmp_path, text)
    assert str(path) in config_error(path)
