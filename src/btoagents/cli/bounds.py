"""Bounds of the numeric options several subcommands share (``--replications``,
``--seed``), checked before any work so that a bad value is one error line.

The limits live in :mod:`btoagents.config.limits`; they are imported when a value is
checked, not when the parser is built, so that ``--help`` stays fast.
"""

from __future__ import annotations

from btoagents.errors import BtoagentsError


def check_replications(value: int | None) -> None:
    """``--replications``, when given, is 1 to ``MAX_REPLICATIONS``."""
    from btoagents.config.limits import MAX_REPLICATIONS

    if value is not None and not 1 <= value <= MAX_REPLICATIONS:
        raise BtoagentsError(
            f"--replications = {value}: must be at least 1 and at most {MAX_REPLICATIONS:,}"
        )


def check_seed(value: int | None) -> None:
    """``--seed``, when given, is 0 to ``MAX_SEED`` (a 64-bit root seed)."""
    from btoagents.config.limits import MAX_SEED

    if value is not None and not 0 <= value <= MAX_SEED:
        raise BtoagentsError(f"--seed = {value}: must be >= 0 and below 2^64")
