"""StockHot: stock the variants that sell often, build the others to order.

At each review (every ``fulfillment.review_period`` days) a variant whose orders over the
last ``days`` days exceed ``threshold`` is built to stock, with ``fulfillment.cover_days``
days of its sales as stock; any other variant is built after its order (assembled to order
when it has components, else built to order). Variants the policy may not switch
(engineered to order) are left alone.

The orders over the last ``days`` days are estimated as ``days`` times the variant's rate
in the review's rolling window (``fulfillment.window`` days): set ``fulfillment.window``
to ``days`` to count exactly those orders.
"""

from __future__ import annotations

from pydantic import Field

from btoagents.config.section import Section
from btoagents.plugins import PolicyContext
from btoagents.policies.protocol import Decision
from btoagents.policies.state import ChainState
from btoagents.vocabulary import Strategy


class StockHot:
    """Build to stock the variants with more than ``threshold`` orders in ``days`` days."""

    class Params(Section):
        """What ``fulfillment.params`` may hold."""

        threshold: float = Field(
            3.0, ge=0, le=1e9, description="orders in the last `days` days above which to stock"
        )
        days: float = Field(30.0, gt=0, le=3650, description="days the orders are counted over")

    def __init__(self, params: Params, context: PolicyContext) -> None:
        self.review_period = context.review_period
        self.threshold = params.threshold
        self.days = params.days

    def hot(self, state: ChainState, v: int) -> bool:
        """Whether variant ``v`` had more than ``threshold`` orders in the last ``days``."""
        return float(state.rate[v]) * self.days > self.threshold

    def review(self, state: ChainState) -> Decision:
        """Stock the hot variants, build the others after their order."""
        decision = Decision()
        for v in range(state.n):
            if not state.switchable[v]:
                continue
            if self.hot(state, v):
                target = Strategy.BTS
            elif state.has_components[v]:
                target = Strategy.ATO
            else:
                target = Strategy.BTO
            if target != state.strategy[v]:
                decision.strategy[v] = target
                if target == Strategy.BTS:
                    decision.cover[v] = state.cover_days
        return decision
