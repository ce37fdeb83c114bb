"""CappedDealer: a dealer that never holds more than ``max_units`` units of a variant.

A dealer with a small lot (a showroom, a city-centre outlet): whatever stock target the
scenario (``dealers.days_of_supply``) or a fulfillment policy's review asks of it, it holds
at most ``max_units`` of each variant; the rest of its customers' demand waits for the
plant. It changes only :meth:`btoagents.agents.Dealer.target`, the hook through which every
stock target of a dealer passes.
"""

from __future__ import annotations

from pydantic import Field

from btoagents.agents import Dealer
from btoagents.config.section import Section


class CappedDealer(Dealer):
    """A dealer holding at most ``max_units`` units of each variant."""

    class Params(Section):
        """What ``dealers.params`` may hold."""

        max_units: int = Field(1, ge=0, le=10**6, description="units of a variant at most")

    def target(self, variant: int, units: int) -> int:
        """The asked ``units``, capped at ``max_units``."""
        return min(units, self.params.max_units)
