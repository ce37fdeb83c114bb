"""btoagents: agent-based simulation of hybrid build-to-order / build-to-stock supply chains."""

from __future__ import annotations

__version__ = "0.1.0"

from btoagents.config import load_scenario
from btoagents.errors import BtoagentsError, ConfigError, ConservationError
from btoagents.replications import simulate, simulate_one

__all__ = [
    "BtoagentsError",
    "ConfigError",
    "ConservationError",
    "__version__",
    "load_scenario",
    "simulate",
    "simulate_one",
]
