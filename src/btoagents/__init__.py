"""btoagents: agent-based simulation of hybrid build-to-order / build-to-stock supply chains.

The public names below are imported on first use (PEP 562), so that a process which only
runs models (a sweep's worker) does not pay for the analysis stack (scipy.stats) at start.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

from btoagents.errors import BtoagentsError, ConfigError, ConservationError

#: the version, written only here (pyproject.toml reads it; btoagents --version and the
#: results manifest report it)
__version__ = "0.1.0"

_LAZY = {
    "load_scenario": "btoagents.config",
    "simulate": "btoagents.replications",
    "simulate_one": "btoagents.replications",
}

__all__ = [
    "BtoagentsError",
    "ConfigError",
    "ConservationError",
    "__version__",
    "load_scenario",
    "simulate",
    "simulate_one",
]

if TYPE_CHECKING:
    from btoagents.config import load_scenario
    from btoagents.replications import simulate, simulate_one


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'btoagents' has no attribute {name!r}")
