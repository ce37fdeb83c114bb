"""Reneging: a customer cancels an accepted order that has not come when its patience ran out.

With ``customers.renege`` on, every accepted order that waits (a build order, or a
backorder of a stocked variant) gets a deadline: its arrival plus the longer of the
customer's patience and the quoted lead time plus ``customers.late_tolerance`` (the customer
accepted the quote, so it waits at least that long). An order still undelivered then is
cancelled: a lost sale, counted apart as reneged, and a service failure the customer (or,
with market memory, the market) remembers as a late delivery. The order's unit is not
stopped: when it reaches the point of sale, a unit of a variant built to stock goes on hand
there (or to the next customer waiting for that variant) and sells like any unit in stock;
a unit built to the cancelling customer's order (bto, ato, eto) is remarketed at its salvage
value (an UNCALIBRATED assumption: a dealer might instead sell it from stock at a discount,
the salvage value standing for that discount). Balking -
refusing a quote beyond one's patience - is the customer's decision at the quote
(:mod:`btoagents.agents.customer`); reneging is the same patience judged while waiting
(the reneging of queueing theory: Gross, Shortle, Thompson and Harris, "Fundamentals of
Queueing Theory", 4th ed., Wiley 2008, section 2.10).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

from btoagents.records import Order
from btoagents.vocabulary import Strategy

if TYPE_CHECKING:
    from btoagents.calendar import Calendar


class Waiting(Protocol):
    """What reneging needs of the model (the calendar and three callbacks of
    :class:`btoagents.model.SupplyChainModel`; named here so that neither imports the
    other)."""

    cal: Calendar
    strategy: list[int]

    def close_open(self, order: Order) -> None: ...
    def order_lost(self, order: Order) -> None: ...
    def service_failed(self, order: Order) -> None: ...
    def scrap(self, variant: int) -> None: ...


OPEN, DELIVERED, RENEGED = 0, 1, 2  # Order.state


class Reneging:
    """The deadlines of the model's waiting orders, and what happens at one."""

    def __init__(self, model: Waiting, tolerance: float) -> None:
        self.model = model
        self.tolerance = tolerance
        self.reneged = 0  # orders cancelled (whole run)
        self.counted = 0  # of them, orders that arrived in the KPI window
        self.in_flight = 0  # cancelled orders whose unit is still on its way

    def watch(self, order: Order) -> None:
        """An order was accepted and waits: schedule its deadline (none for a customer
        with unbounded patience)."""
        patience = order.customer.patience
        if math.isinf(patience):
            return
        wait = max(patience, order.quoted + self.tolerance)
        self.model.cal.at(order.arrival + wait, self.due, order)

    def due(self, order: Order) -> None:
        """An order's deadline: cancel it unless it was delivered."""
        if order.state != OPEN:
            return
        m = self.model
        order.state = RENEGED
        self.reneged += 1
        self.in_flight += 1
        if order.counted:
            self.counted += 1
        m.close_open(order)
        m.order_lost(order)
        m.service_failed(order)

    def unit_arrived(self, order: Order) -> None:
        """The unit of a cancelled order reached the point of sale: a unit of a variant built
        to stock goes into stock there (first to a customer waiting for it); any other unit,
        built to the cancelling customer's order, is remarketed at its salvage value."""
        self.in_flight -= 1
        if self.model.strategy[order.variant] != Strategy.BTS:
            self.model.scrap(order.variant)
            return
        order.customer.outlet.receive(order.variant, 1, ordered=False)
