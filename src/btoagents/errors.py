"""The project's error family: every bad input raises one of these with a one-line message."""

from __future__ import annotations


class BtoagentsError(Exception):
    """Base class for every error btoagents raises on purpose (the CLI prints it in one line)."""


class ConfigError(BtoagentsError):
    """A scenario or experiment file is malformed, names an unknown key, or holds a bad value."""


class ConservationError(BtoagentsError):
    """A run broke conservation of units or orders; the message names the counts."""
