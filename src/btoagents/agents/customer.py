"""Final customers: the persistent population whose purchases form the demand.

A final customer is a known end user (not a dealer, national sales company or fleet buyer).
Each has a home dealer, a favourite variant, a patience (days it will wait for a delivery),
a price sensitivity (the markdown share that makes it accept a near variant instead of its
exact choice) and, with ``customers.memory = "individual"``, a memory of service: a delivery
later than quoted (by more than ``customers.late_tolerance`` days) lowers its purchase
multiplier and its patience; an on-time one restores them a little. With
``customers.memory = "market"`` lateness acts on the arrival of new customers instead
(:mod:`btoagents.reputation`). With ``dealers.pooling`` a customer whose variant is not on
its dealer's lot chooses among the region's lots, the exact build and balking
(:mod:`btoagents.pooling`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
from pydantic import BaseModel

from btoagents.plugins import NoParams, register_builtin
from btoagents.records import FINAL, Order
from btoagents.vocabulary import Admission, Strategy

if TYPE_CHECKING:
    from btoagents.agents.dealer import Dealer
    from btoagents.chain import Chain
    from btoagents.stock import StockPoint

BTS = Strategy.BTS
DEFER, REJECT = Admission.DEFER, Admission.REJECT


class FinalCustomer(mesa.Agent):
    """A final customer. Times in days; ``switch_discount`` is a share of list price.

    A subclass named by ``customers.agent`` replaces it (:mod:`btoagents.plugins`): it keeps
    this constructor, declares its parameters as ``Params`` (read from ``customers.params``,
    held in ``self.params``) and overrides what it decides differently.
    """

    model: Chain  # the model, seen through its chain interface
    Params: type[BaseModel] = NoParams

    def __init__(
        self,
        model: Chain,
        index: int,
        patience: float,
        switch_discount: float,
        favourite: int,
        dealer: Dealer | None,
        params: BaseModel | None = None,
    ) -> None:
        super().__init__(model)
        self.params = params if params is not None else self.Params()
        self.index = index
        self.base_patience = patience
        self.patience = patience
        self.switch_discount = switch_discount
        self.favourite = favourite
        self.dealer = dealer
        # where this customer buys from stock: its dealer's lot, else the plant's
        self.outlet: StockPoint = dealer.stock if dealer is not None else model.plant.finished
        self.multiplier = 1.0
        self.purchases = 0
        self.late_deliveries = 0

    def purchase(self, variant: int, attempt: int = 0) -> None:
        """Try to buy ``variant`` now: from stock, a marked-down near variant, an order, or not.

        ``attempt`` counts earlier tries of a request deferred by demand management.
        """
        m = self.model
        order = Order(variant, m.cal.now, FINAL, self, self.dealer, 0.0, m.counting)
        dealer = self.dealer
        pos = self.outlet
        if pos.on_hand[variant] > 0:
            self.purchases += 1
            m.order_arrived(order)
            m.sell_from_stock(order, pos, variant)
            return
        strategy = m.strategy[variant]
        pool = m.pool
        if strategy == BTS:
            if m.substitution and pool is None and self._switch(order, pos):
                return
            quote = m.quote_backorder(order)
        elif dealer is not None:
            quote = dealer.quote(variant, strategy)
        else:
            quote = m.plant.quote(variant, strategy)
        if pool is not None and pool.offer(self, order, quote):
            return
        if m.dm is not None:
            order.attempt = attempt
            self._managed(order, quote, pos, strategy == BTS)
            return
        self.purchases += 1
        m.order_arrived(order)
        if quote > self.patience:
            m.order_lost(order)
            return
        order.quoted = quote
        if strategy == BTS:
            m.accept_backorder(order, pos)
        else:
            m.accept_build_order(order)

    def retry(self, request: tuple[int, int]) -> None:
        """Come back for a deferred request ``(variant, attempt)``."""
        variant, attempt = request
        self.purchase(variant, attempt)

    def _managed(self, order: Order, estimate: float, pos: StockPoint, backorder: bool) -> None:
        """A request that would wait (a backorder of a stocked variant, or an order built
        after it arrives) under the scenario's demand management (see
        :mod:`btoagents.policies.demand_management` for the order of the rules)."""
        m = self.model
        dm = m.dm
        quote = dm.quote(estimate)
        if dm.wants_incentive(quote) and dm.cfg.stock_discount >= self.switch_discount:
            alt = self._near_in_stock(order.variant, pos)
            if alt >= 0:
                self.purchases += 1
                m.order_arrived(order)
                m.incentive_taken()
                order.variant = alt
                m.sell_from_stock(order, pos, alt, dm.cfg.stock_discount)
                return
        verdict = dm.admit(quote, order.attempt)
        if verdict == DEFER:
            m.request_deferred(self, order)
            return
        self.purchases += 1
        m.order_arrived(order)
        if verdict == REJECT:
            m.request_rejected(order)
            return
        if quote > self.patience:
            if not dm.slot_offer(quote, self.patience, self.switch_discount):
                m.order_lost(order)
                return
            order.discount = dm.cfg.slot_discount
            m.slot_discount_taken()
        order.quoted = quote
        dm.accepted(quote)
        if backorder:
            m.accept_backorder(order, pos)
        else:
            m.accept_build_order(order)

    def _near_in_stock(self, variant: int, pos: StockPoint) -> int:
        """A near variant of ``variant`` on hand at ``pos`` (the most plentiful), else -1."""
        best, most = -1, 0
        for alt in self.model.catalog.near(variant):
            if pos.on_hand[alt] > most:
                best, most = alt, pos.on_hand[alt]
        return best

    def _switch(self, order: Order, pos: StockPoint) -> bool:
        """Take a near variant in stock whose markdown meets this customer's price sensitivity."""
        m = self.model
        best, best_discount = -1, -1.0
        for alt in m.catalog.near(order.variant):
            if pos.on_hand[alt] > 0 and m.strategy[alt] == BTS:
                d = m.markdown.discount(pos.oldest_age(alt))
                if d >= self.switch_discount and d > best_discount:
                    best, best_discount = alt, d
        if best < 0:
            return False
        self.purchases += 1
        m.order_arrived(order)
        order.variant = best
        m.sell_from_stock(order, pos, best)
        return True

    def delivered(self, late: bool) -> None:
        """Update the memory of service after a delivery (only with individual memory);
        ``late``: the lead time exceeded the quote by more than the tolerance."""
        cfg = self.model.cfg.customers
        if late:
            self.late_deliveries += 1
            self.multiplier *= 1.0 - cfg.late_rate_penalty
            self.patience *= 1.0 - cfg.late_patience_penalty
        else:
            self.multiplier = min(1.0, self.multiplier + cfg.recovery)
            if math.isfinite(self.base_patience):
                self.patience += cfg.recovery * (self.base_patience - self.patience)


register_builtin("customer", "customer", FinalCustomer)
