"""Bad input: one clear line naming the file or key, from the library and the CLI."""

from __future__ import annotations

import pytest

from btoagents import BtoagentsError, ConfigError, load_scenario
from btoagents.config import SteadyStateWarning

MINIMAL = """
[products.standard]
strategy = "bts"
demand_rate = 0.5
base_stock = 2
"""


def write(tmp_path, text, name="s.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def one_line(exc: BaseException) -> str:
    msg = str(exc)
    assert "\n" not in msg and "Traceback" not in msg and "errors.pydantic.dev" not in msg
    return msg


def test_malformed_toml_names_the_file(tmp_path):
    path = write(tmp_path, MINIMAL + "\n[manufacturer\nlines = 1\n")
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    msg = one_line(err.value)
    assert str(path) in msg and "malformed TOML" in msg


def test_unknown_nested_key_is_named_with_did_you_mean(tmp_path):
    path = write(tmp_path, MINIMAL + "\n[manufacturer]\nservce_rate = 2.0\n")
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    msg = one_line(err.value)
    assert "manufacturer.servce_rate" in msg
    assert "did you mean 'manufacturer.service_rate'" in msg


def test_unknown_key_inside_a_product_is_named(tmp_path):
    path = write(tmp_path, MINIMAL + "demnd_rate = 3\n")
    with pytest.raises(ConfigError, match=r"products\.standard\.demnd_rate.*demand_rate"):
        load_scenario(path)


def test_unknown_section_is_named(tmp_path):
    path = write(tmp_path, MINIMAL + "\n[manufacterer]\nlines = 1\n")
    with pytest.raises(ConfigError, match=r"unknown section 'manufacterer'.*'manufacturer'"):
        load_scenario(path)


def test_wrong_type_names_the_key_and_value(tmp_path):
    path = write(tmp_path, MINIMAL + '\n[manufacturer]\nlines = "two"\n')
    with pytest.raises(ConfigError) as err:
        load_scenario(path)
    assert "manufacturer.lines = 'two'" in one_line(err.value)


def test_negative_rate_names_the_key_and_value():
    with pytest.raises(ConfigError) as err:
        load_scenario("mm1-bts", ["products.standard.demand_rate=-1"])
    msg = one_line(err.value)
    assert "products.standard.demand_rate = -1" in msg
    assert "greater than or equal to 0" in msg


def test_missing_file_names_the_path(tmp_path):
    path = tmp_path / "nope.toml"
    with pytest.raises(ConfigError, match="nope.toml: no such scenario file"):
        load_scenario(path)


def test_unknown_preset_suggests_the_closest():
    with pytest.raises(ConfigError, match="did you mean 'dealer-network'"):
        load_scenario("dealer-netwrk")


@pytest.mark.parametrize(
    "overrides, pattern",
    [
        (["simulation.warmup=500", "simulation.horizon=100"], r"warmup \(500.*horizon \(100"),
        (["products.standard.components=['gear']"], r"products\.standard\.components.*'gear'"),
        (["products.standard.strategy=ato"], r"products\.standard\.components: .*needs"),
    ],
)
def test_cross_key_rules_name_the_keys(overrides, pattern):
    with pytest.raises(ConfigError, match=pattern):
        load_scenario("mm1-bts", overrides)


def test_component_naming_an_unknown_supplier_is_refused(tmp_path):
    text = MINIMAL + '\n[components.gear]\nsupplier = "acme"\n'
    with pytest.raises(ConfigError, match=r"components\.gear\.supplier: unknown supplier 'acme'"):
        load_scenario(write(tmp_path, text))


@pytest.mark.parametrize("item", ["manufacturer.lines", "=3", "a..b=1"])
def test_bad_override_syntax_is_refused(item):
    with pytest.raises(ConfigError, match="--set"):
        load_scenario("mm1-bts", [item])


def test_override_into_a_value_is_refused():
    with pytest.raises(ConfigError, match="'lines' is a value, not a table"):
        load_scenario("mm1-bts", ["manufacturer.lines.x=1"])


def test_overrides_are_typed_and_applied():
    scn = load_scenario("mm1-bts", ["manufacturer.lines=2", "products.standard.strategy=bto"])
    assert scn.manufacturer.lines == 2
    assert scn.products["standard"].strategy == "bto"


def test_load_at_or_above_one_warns_but_still_loads():
    with pytest.warns(SteadyStateWarning, match="offered load is 1.600 >= 1"):
        scn = load_scenario("mm1-bto", ["manufacturer.service_rate=0.5"])
    assert scn.manufacturer.service_rate == 0.5


def test_config_error_is_a_btoagents_error():
    assert issubclass(ConfigError, BtoagentsError)
