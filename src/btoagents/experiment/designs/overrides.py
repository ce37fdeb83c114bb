"""The scenario overrides that put a scenario at a design point."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from btoagents.experiment.spec import ExperimentSpec


def point_overrides(spec: ExperimentSpec, point: dict[str, Any]) -> list[str]:
    """The dotted ``KEY=VALUE`` overrides that put the scenario at ``point``: one per key
    that each factor sets, in the order of the point's factors and each factor's keys."""
    out = []
    for name, value in point.items():
        for key in spec.factors[name].targets():
            out.append(f"{key}={toml_value(value)}")
    return out


def toml_value(value: Any) -> str:
    """``value`` as a TOML literal (floats by ``repr``, so they read back bit for bit)."""
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
