"""The scenario schema is split into section modules; ``btoagents.config.schema`` stays the
one import path for every section, and a scenario still pickles (the process and Dask
executors send it to workers)."""

from __future__ import annotations

import importlib
import pickle

import pytest

from btoagents.config import load_scenario, schema

#: each section's home module
HOMES = {
    "SimulationConfig": "run_schema",
    "CostsConfig": "run_schema",
    "KpisConfig": "run_schema",
    "DemandConfig": "product_schema",
    "ProductConfig": "product_schema",
    "CustomersConfig": "customer_schema",
    "IntermediaryConfig": "customer_schema",
    "MarkdownStep": "dealer_schema",
    "DealersConfig": "dealer_schema",
    "ManufacturerConfig": "manufacturer_schema",
    "SupplierConfig": "supplier_schema",
    "SupplierOverride": "supplier_schema",
    "ComponentConfig": "supplier_schema",
    "ForecastConfig": "forecast_schema",
    "FulfillmentConfig": "policy_schema",
    "CapacityConfig": "policy_schema",
    "DemandManagementConfig": "policy_schema",
    "StrategyLabel": "literals",
    "Number": "section",
}


@pytest.mark.parametrize("name", sorted(HOMES))
def test_schema_reexports_each_section_from_its_home(name: str) -> None:
    home = importlib.import_module(f"btoagents.config.{HOMES[name]}")
    assert getattr(schema, name) is getattr(home, name)
    assert name in schema.__all__


def test_every_name_in_all_is_importable() -> None:
    missing = [n for n in schema.__all__ if not hasattr(schema, n)]
    assert missing == []


def test_scenario_fields_are_listed_first_in_all() -> None:
    # the API page documents config.schema in the order of __all__: the scenario, then its
    # sections in the order of a scenario file's tables
    assert schema.__all__[0] == "Scenario"
    for field in schema.Scenario.model_fields.values():
        tp = field.annotation
        for cls in (tp, *getattr(tp, "__args__", ())):
            if isinstance(cls, type) and issubclass(cls, schema.Section):
                assert cls.__name__ in schema.__all__, cls.__name__


def test_a_scenario_pickles_with_its_sections() -> None:
    scenario = load_scenario("dealer-network")
    copy = pickle.loads(pickle.dumps(scenario))
    assert copy == scenario
    assert type(copy.dealers).__module__ == "btoagents.config.dealer_schema"
