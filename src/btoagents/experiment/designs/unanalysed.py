"""The error of a design method without a method-specific analysis."""

from __future__ import annotations

from btoagents.errors import ConfigError


def no_analysis(kind: str) -> ConfigError:
    """A one-line error saying that ``kind`` designs have no sensitivity indices and what
    analysis they do have."""
    return ConfigError(
        f"a {kind!r} design has no sensitivity indices (they need a 'saltelli' or 'morris' "
        "design); its points are compared by the summary and paired tables"
    )
