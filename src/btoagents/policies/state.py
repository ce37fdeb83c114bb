"""What a policy sees at a review: a snapshot of the chain, as plain numbers and arrays.

Built by :class:`~btoagents.policies.review.Reviewer` from the model; tests build it by
hand (every field has a meaning of its own, so a rule can be tested without a model).
Units: days, orders or units per day, currency.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from btoagents.vocabulary import Strategy

BTS, ATO, BTO, ETO = Strategy.BTS, Strategy.ATO, Strategy.BTO, Strategy.ETO


@dataclass
class ChainState:
    """A review's view of the chain.

    Per-variant arrays (index = variant)::

        strategy: current strategy index (0 bts, 1 ato, 2 bto, 3 eto).
        switchable: the policy may change it (eto variants never are).
        has_components: an ato choice is possible.
        rate: orders/day over the rolling window; cv: CV of orders per demand bucket.
        profit: contribution per day since the last review (margin - holding -
            obsolescence - waiting and lost-sale penalties).
        stock: mean finished units on hand (all echelons) since the last review.
        price, unit_cost, salvage: money per unit; life_cycle: days (inf when none).
        build_quote: days a new build-to-order order would wait now (to delivery).
        replenish_days: days to refill a stocked unit (plant queue, transport).
        markdown_share: expected markdown share of a unit sold after ``age`` days (callable).

    Chain-wide::

        now: the review time; since: the previous review's time.
        patience: every customer's current patience (days), sorted.
        holding_rate: per year, share of unit cost; backorder_cost: per order-day;
        lost_sale_cost: per lost sale.
        lines, service_rate, plant_queue: the plant (units/day per line; jobs waiting).
        forecast: expected final and bulk units demanded in ``[t0, t1]``.
        forecast_bts_share: share of demand for variants now BTS (a number in [0, 1]).
        component_users: per component, the variants that use it.
        cover_days: the configured cover of a variant switched to BTS.
        dealers: number of dealers.
    """

    now: float
    since: float
    strategy: np.ndarray
    switchable: np.ndarray
    has_components: np.ndarray
    rate: np.ndarray
    cv: np.ndarray
    profit: np.ndarray
    stock: np.ndarray
    price: np.ndarray
    unit_cost: np.ndarray
    salvage: np.ndarray
    life_cycle: np.ndarray
    build_quote: np.ndarray
    replenish_days: np.ndarray
    patience: np.ndarray
    holding_rate: float = 0.0
    backorder_cost: float = 0.0
    lost_sale_cost: float = 0.0
    lines: int = 1
    service_rate: float = 1.0
    plant_queue: int = 0
    forecast: Callable[[float, float], float] | None = None
    component_users: list[list[int]] = field(default_factory=list)
    cover_days: float = 30.0
    dealers: int = 0
    markdown_share: Callable[[float], float] = field(default=lambda age: 0.0)

    @property
    def n(self) -> int:
        """Number of variants."""
        return len(self.strategy)

    def lost_share(self, wait: float) -> float:
        """Share of customers whose patience is below ``wait`` days (they would not wait)."""
        if len(self.patience) == 0:
            return 0.0
        return float(np.searchsorted(self.patience, wait, side="left")) / len(self.patience)
