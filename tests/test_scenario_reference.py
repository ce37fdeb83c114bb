"""The generated scenario reference: every key of the schema is listed with a type, a
default, a description, and (numbers) a unit, so the documentation cannot drift from what a
scenario file may hold."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from btoagents.config.reference import keys, markdown, plugins_markdown, type_words
from btoagents.config.schema import Scenario
from btoagents.config.section import Section
from btoagents.config.units import UNITS
from btoagents.plugins.kinds import KINDS


def test_every_key_has_a_description_and_every_number_a_unit():
    rows = list(keys())
    assert [k.path for k in rows if not k.description] == []
    assert [k.path for k in rows if k.numeric and not k.unit] == []


def test_every_recorded_unit_names_a_numeric_key_of_the_schema():
    numeric = {k.path for k in keys() if k.numeric}
    assert sorted(set(UNITS) - numeric) == []


def test_the_walk_reaches_nested_tables_entities_and_lists_of_tables():
    paths = {k.path for k in keys()}
    for path in (
        "simulation.horizon",
        "products.NAME.price",
        "suppliers.NAME.lead_time",
        "dealers.markdown[].discount",
        "fulfillment.bandit.epsilon",
        "calibration.patterns[].kpi",
        "order_bank.load_factor",
        "generations.run_out_days",
    ):
        assert path in paths, path
    # every top-level section of the schema appears
    tops = {p.split(".")[0].split("[")[0] for p in paths}
    assert tops == set(Scenario.model_fields)


def test_rows_state_type_bounds_default_and_unit_as_the_schema_does():
    row = {k.path: k for k in keys()}
    horizon = row["simulation.horizon"]
    assert (horizon.type, horizon.default, horizon.unit) == ("number", "365", "days")
    assert horizon.bounds == "> 0, <= 1,000,000"
    assert row["customers.patience"].default == "inf"
    assert row["simulation.drain_limit"].type == "number (optional)"
    assert row["simulation.drain_limit"].default == "unset"
    assert row["manufacturer.discipline"].type == "'fcfs' | 'bto_priority' | 'bto_preemptive'"
    assert row["products.NAME.components"].default == "[]"
    assert row["dealers.markdown[].after_days"].default == "required"


def test_the_markdown_lists_every_key_and_escapes_the_pipes_of_choices():
    text = markdown()
    for k in keys():
        leaf = k.path.rsplit(".", 1)[-1]
        assert f"| `{leaf}` |" in text, k.path
    assert "## `[products.NAME]`" in text
    assert "'fcfs' \\| 'bto_priority'" in text


def test_the_checks_find_a_key_without_a_description_or_a_unit():
    class Bare(Section):
        level: int = 3
        mode: Literal["a", "b"] = Field("a", description="a mode")

    rows = list(keys(Bare, "bare."))
    assert [(k.path, k.description, k.unit, k.numeric) for k in rows] == [
        ("bare.level", "", "", True),
        ("bare.mode", "a mode", "", False),
    ]
    assert type_words(list[float]) == "list of number"


def test_the_plugin_table_has_a_row_per_kind_with_its_key():
    text = plugins_markdown()
    for kind in KINDS.values():
        assert f"| {kind.name} | `{kind.key}` |" in text
    assert "`classification` (`[fulfillment.classification]`)" in text
