"""Scenario configuration: schema, TOML loading with overrides, and the built-in presets."""

from btoagents.config.loading import (
    SteadyStateWarning,
    load_scenario,
    preset_names,
    preset_text,
)
from btoagents.config.schema import Scenario

__all__ = ["Scenario", "SteadyStateWarning", "load_scenario", "preset_names", "preset_text"]
