"""Dealer pooling: locate a unit anywhere in the region and bring it by a dealer trade.

Dealers of one region (``dealers.regions``: the dealers split evenly, in order) share their
lots by lateral transfers, as in the literature on inventory sharing among independent
dealers (Anupindi, Bassok and Zemel, "A general framework for the study of decentralized
distribution systems", Manufacturing & Service Operations Management 3(4), 2001; Zhao,
Deshpande and Ryan, "Inventory sharing and rationing in decentralized dealer networks",
Management Science 51(4), 2005). A trade takes ``dealers.trade_days`` days and costs
``dealers.trade_cost`` currency per unit; both are UNCALIBRATED (plausible 1-5 days and
100-1,000 per car: a driver or a truck slot between nearby dealers).

**Regional near-variant choice.** A customer whose exact variant is not on its own dealer's
lot weighs, in shares of list price (utility per order):

- the exact build (or backorder) at its quoted lead time ``q``: ``-c x q``;
- the exact variant on another dealer's lot of the region: ``d - c x T``;
- a near variant (``customers.substitution``) on its own lot: ``d - s``, or on another
  lot of the region: ``d - s - c x T``;

where ``d`` is the markdown share of that unit (its age on the lot, the dealers' markdown
schedule), ``s`` the customer's price sensitivity (its ``switch_discount``: the markdown
share that just makes a near variant as good as its exact choice, as without pooling),
``c`` = ``customers.waiting_cost`` (share of list price per day of waiting, UNCALIBRATED,
plausible 0.0005-0.005) and ``T`` = ``dealers.trade_days``. No option may take longer than
the customer's patience. When the quote exceeds the patience the exact build is out and the
customer compares the units with balking (utility ``-c x patience``). It takes the unit of
highest utility when that beats ordering (or balking); ties go to ordering the exact build,
then to the own lot and to the lower-numbered dealer. Without pooling a customer only looks
at its own lot, as before.

A transferred unit leaves the other dealer's lot at once (that dealer then restocks by its
own policy) and travels ``T`` days as a unit in transit with its order open (both counted by
the model's in-transit counters, so the conservation audit covers it); the customer's quote
is ``T``. Reneging (cancelling an accepted order overdue beyond the customer's patience) is
not modelled.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from btoagents.config.schema import Scenario
    from btoagents.products import Catalog
    from btoagents.records import Order
    from btoagents.stock import StockPoint


class Chain(Protocol):
    """What pooling reads of the chain (:class:`btoagents.chain.Chain` has it; named here
    so that the chain's interface and this module do not import each other)."""

    cfg: Scenario
    catalog: Catalog
    markdown: Any  # the markdown schedule (btoagents.policies.markdown.MarkdownSchedule)


class PooledDealer(Protocol):
    """A dealer as the pool sees it: its position in the network and its lot."""

    index: int
    stock: StockPoint


class Shopper(Protocol):
    """A final customer as the pool sees it (times in days, shares of list price)."""

    patience: float
    switch_discount: float
    outlet: StockPoint
    dealer: Any  # its PooledDealer, or None when customers buy from the plant
    purchases: int


class DealerPool:
    """The regions' shared lots, the customers' choice among them and the trades' counts.

    Attributes:
        trades: lateral transfers of orders counted in the KPI window.
        cost: money spent on trades while the window was open (currency).
    """

    def __init__(self, chain: Chain, dealers: Sequence[PooledDealer]) -> None:
        self.chain = chain
        cfg = chain.cfg.dealers
        self.trade_days = cfg.trade_days
        self.trade_cost = cfg.trade_cost
        self.waiting_cost = chain.cfg.customers.waiting_cost
        self.substitution = chain.cfg.customers.substitution
        region = [cfg.region_of(d.index) for d in dealers]
        # per dealer index: the other dealers of its region, in order
        self.others: dict[int, list[PooledDealer]] = {
            d.index: [o for o in dealers if o is not d and region[o.index] == region[d.index]]
            for d in dealers
        }
        self.trades = 0
        self.cost = 0.0

    def _discount(self, pos: StockPoint, variant: int) -> float:
        """Markdown share of the oldest unit of ``variant`` at ``pos``."""
        return self.chain.markdown.discount(pos.oldest_age(variant))

    def best(
        self, customer: Shopper, variant: int, quote: float
    ) -> tuple[StockPoint, int, float] | None:
        """The unit the customer prefers to ordering ``variant`` at ``quote`` days (or to
        balking when the quote exceeds its patience): ``(lot, variant, days)``, else None."""
        c = self.waiting_cost
        patience = customer.patience
        wait = quote if quote <= patience else patience
        best_u = -c * wait
        choice: tuple[StockPoint, int, float] | None = None
        near = self.chain.catalog.near(variant) if self.substitution else []
        s = customer.switch_discount
        own = customer.outlet
        for alt in near:
            if own.on_hand[alt] > 0:
                u = self._discount(own, alt) - s
                if u > best_u:
                    best_u, choice = u, (own, alt, 0.0)
        days = self.trade_days
        if days <= patience and customer.dealer is not None:
            for dealer in self.others[customer.dealer.index]:
                lot = dealer.stock
                if lot.on_hand[variant] > 0:
                    u = self._discount(lot, variant) - c * days
                    if u > best_u:
                        best_u, choice = u, (lot, variant, days)
                for alt in near:
                    if lot.on_hand[alt] > 0:
                        u = self._discount(lot, alt) - s - c * days
                        if u > best_u:
                            best_u, choice = u, (lot, alt, days)
        return choice

    def offer(self, customer: Shopper, order: Order, quote: float) -> bool:
        """Serve ``order`` from the region's lots when the customer prefers a unit there
        (:meth:`best`); True when it did (the order then arrived and is served)."""
        choice = self.best(customer, order.variant, quote)
        if choice is None:
            return False
        lot, variant, days = choice
        m = self.chain
        customer.purchases += 1
        order.variant = variant
        m.order_arrived(order)
        if lot is customer.outlet:
            m.sell_from_stock(order, lot, variant)
            return True
        if order.counted:
            self.trades += 1
        if m.counting:
            self.cost += self.trade_cost
        if days <= 0:
            m.sell_from_stock(order, lot, variant)
        else:
            m.dealer_trade(order, lot, variant, days)
        return True
