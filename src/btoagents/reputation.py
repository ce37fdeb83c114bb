"""Market reputation: late deliveries lower the arrival rate of new customers.

A delivery is late when its lead time exceeds the quote by more than
``customers.late_tolerance`` days (customers judge lateness against the promised date, and a
few hours or days past it go unnoticed). The market remembers the share of late deliveries
as an exponentially weighted share: each delivery has weight 1 when it happens, and every
weight halves every ``customers.reputation_half_life`` days. With ``L`` that share, the
reputation index is

    R = 1 - reputation_sensitivity x L        (in [0, 1]; 1 before any delivery)

and the arrival process is thinned by ``R``: a share ``1 - R`` of candidate purchases never
reach a dealer. Word of mouth and online ratings act on people who have not bought yet; with
realistic purchase cycles (``customers.purchase_cycle``, years for cars) nearly every
arrival in a run is a customer's first, so the index acts on new customers.

UNCALIBRATED assumptions (no public source pins them down; ranges are plausible, not
measured): half-life 30-365 days; sensitivity 0.2-1 (at 0.5 a market in which every recent
delivery was late loses half its new customers); tolerance 0-14 days. The exponentially
weighted share follows the usual smoothing of service perceptions in models of reputation
and customer dynamics (e.g. Sterman, "Business Dynamics", McGraw-Hill 2000, ch. 11,
first-order information delays).
"""

from __future__ import annotations

import math
from collections.abc import Callable


class MarketReputation:
    """The market's memory of late deliveries and the reputation index it implies.

    Args:
        half_life: days after which a delivery's weight in the late share has halved.
        sensitivity: share of arrivals lost when every remembered delivery was late.
        keep_probability: the arrival process's own thinning probability at a time (days),
            or None when the process is not thinned (homogeneous Poisson).
    """

    __slots__ = ("half_life", "sensitivity", "_base", "late_weight", "weight", "last", "index")

    def __init__(
        self,
        half_life: float,
        sensitivity: float,
        keep_probability: Callable[[float], float] | None = None,
    ) -> None:
        self.half_life = half_life
        self.sensitivity = sensitivity
        self._base = keep_probability
        self.late_weight = 0.0  # decayed count of late deliveries
        self.weight = 0.0  # decayed count of all deliveries
        self.last = 0.0  # time (days) of the last update
        self.index = 1.0  # reputation in [0, 1]

    def record(self, now: float, late: bool) -> None:
        """A delivery at ``now`` (days), late or not: decay the weights, add it, update R."""
        decay = math.exp2(-(now - self.last) / self.half_life)
        self.last = now
        self.late_weight = self.late_weight * decay + (1.0 if late else 0.0)
        self.weight = self.weight * decay + 1.0
        share = self.late_weight / self.weight
        self.index = max(0.0, 1.0 - self.sensitivity * share)

    def late_share(self) -> float:
        """The exponentially weighted share of late deliveries (0 before any delivery)."""
        return self.late_weight / self.weight if self.weight > 0 else 0.0

    def keep_probability(self, t: float) -> float:
        """Probability that a candidate arrival at time ``t`` (days) is kept: the arrival
        process's own thinning times the reputation index."""
        base = self._base(t) if self._base is not None else 1.0
        return base * self.index
