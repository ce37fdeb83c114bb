"""PoissonSafetyStock: order up to the forecast lead-time demand plus ``z`` standard deviations.

The built-in rule (``forecast.rule = "order_up_to"``) orders up to ``y = L * F + z * sigma *
sqrt(L) + s``, sigma estimated from its forecast errors (``forecast.safety_factor`` z) plus a
fixed safety stock ``s`` (``forecast.safety_stock``, units). This one takes sigma from the
forecast instead: for Poisson demand the variance of the demand over ``L`` review
periods equals its mean ``L * F``, so with the normal approximation the order-up-to level
of a periodic review (R, S) system, ``S = x + k * sigma`` (Silver, Pyke and Thomas,
"Inventory and Production Management in Supply Chains", 4th ed., CRC Press, 2017), becomes

    y = L * F + z * sqrt(L * F)    (+ forecast.safety_stock, 0 by default)

``L`` being the item's protection interval in review periods as the built-in sets it (a
dealer's review period plus its replenishment lead time, the supplier's lead time for the
plant's components) and ``F`` the forecast demand
per review period (``forecast.method``). It overrides only
:meth:`btoagents.policies.replenishment.PeriodicReview.level`, for every periodically
reviewed stock point (dealers with ``dealers.policy = "order_up_to"``, plant components
with ``plant_policy = "order_up_to"``), initial targets included.
"""

from __future__ import annotations

import math

from pydantic import Field

from btoagents.config.section import Section
from btoagents.policies.replenishment import PeriodicReview
from btoagents.stock import StockPoint


def poisson_level(lead_demand: float, z: float, safety_stock: float = 0.0) -> float:
    """``lead_demand + z * sqrt(lead_demand) + safety_stock`` (units): the order-up-to
    level for Poisson demand of mean ``lead_demand`` units over the cover (a negative
    forecast counts as no demand under the square root)."""
    return lead_demand + z * math.sqrt(max(lead_demand, 0.0)) + safety_stock


class PoissonSafetyStock(PeriodicReview):
    """Order-up-to levels with a safety stock of ``z`` Poisson standard deviations."""

    class Params(Section):
        """What ``forecast.params`` may hold."""

        z: float = Field(
            1.65, ge=0, le=10, description="safety factor, standard deviations of demand"
        )

    def level(self, sp: StockPoint, item: int, forecast: float) -> float:
        """``L * F + z * sqrt(L * F)`` plus the scenario's fixed safety stock (units)."""
        return poisson_level(sp.lead_periods[item] * forecast, self.params.z, self.safety)
