"""Scenario configuration: schema, TOML loading with overrides, and the built-in presets."""

from btoagents.config.loading import (
    SteadyStateWarning,
    dump_scenario,
    load_scenario,
    preset_names,
    preset_text,
    write_scenario,
)
from btoagents.config.schema import Scenario

__all__ = [
    "Scenario",
    "SteadyStateWarning",
    "dump_scenario",
    "load_scenario",
    "preset_names",
    "preset_text",
    "write_scenario",
]
