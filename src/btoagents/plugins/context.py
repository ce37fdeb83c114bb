"""What a plugin is built with besides its own parameters."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PolicyContext:
    """The scenario section a policy is chosen in, and what the model lends it.

    Attributes:
        section: the scenario's section of this kind (``fulfillment`` or ``capacity``):
            its ``review_period`` (days) and the other keys shared by every policy of the kind.
        uniform: draws uniformly from [0, 1) on the model's ``policy`` random stream, so a
            randomized policy is reproducible under the seed (fulfillment policies; None for
            capacity policies).
        cycle: the season's length in days (capacity policies; None for fulfillment ones).
    """

    section: Any
    uniform: Callable[[], float] | None = None
    cycle: float | None = None

    @property
    def review_period(self) -> float:
        """Days between the policy's reviews, as the scenario section sets them."""
        return float(self.section.review_period)
