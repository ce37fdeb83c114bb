"""Dealers: points of sale holding finished stock of build-to-stock variants.

A dealer keeps, per stocked variant, a target of ``days_of_supply`` days of its own sales,
replenished from the plant by base stock, (s,S) or periodic order-up-to; ageing units are
marked down by the scenario's schedule when sold. Orders for build-to-order variants are
forwarded to the manufacturer; the finished unit comes back after ``transport_time`` days.
Restocking orders to the plant are intermediary orders, counted apart from final-customer
orders.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
from pydantic import BaseModel

from btoagents.plugins import NoParams, register_builtin
from btoagents.products import days_of_supply_stock
from btoagents.records import Transfer
from btoagents.stock import StockPoint
from btoagents.vocabulary import Strategy

if TYPE_CHECKING:
    from btoagents.chain import Chain


class Dealer(mesa.Agent):
    """A dealer with a lot of finished units and a restocking policy.

    A subclass named by ``dealers.agent`` replaces it (:mod:`btoagents.plugins`): it keeps
    this constructor, declares its parameters as ``Params`` (read from ``dealers.params``,
    held in ``self.params``) and may override :meth:`target` to change the stock it holds.
    """

    model: Chain  # the model, seen through its chain interface
    Params: type[BaseModel] = NoParams

    def __init__(
        self, model: Chain, index: int, share: float, params: BaseModel | None = None
    ) -> None:
        super().__init__(model)
        self.params = params if params is not None else self.Params()
        cfg = model.cfg.dealers
        cat = model.catalog
        self.index = index
        self.share = share
        self.transport_time = cfg.transport_time
        base, reorder = [], []
        for v, var in enumerate(cat.variants):
            stocked = model.strategy[v] == Strategy.BTS
            s_up = days_of_supply_stock(var.rate * share, cfg.days_of_supply) if stocked else 0
            s_up = self.target(v, s_up)
            if cfg.policy == "ss" and stocked:
                s_low = min(int(var.rate * share * cfg.reorder_days), s_up - 1)
            else:
                s_low = s_up - 1
            base.append(s_up)
            reorder.append(s_low)
        self.stock = StockPoint(
            f"dealer{index}",
            len(cat),
            model.cal,
            model.fill_finished,
            self.restock,
            model.finished_levels(dealer=True),
            base,
            reorder,
            periodic=cfg.policy == "order_up_to",
        )

    def target(self, variant: int, units: int) -> int:
        """The stock target (units) this dealer holds of ``variant`` when its policy asks
        for ``units`` (at the start and at each fulfillment review): ``units`` itself; a
        subclass may cap or round it."""
        return units

    def set_target(self, variant: int, units: int) -> None:
        """Hold :meth:`target` units of ``variant`` from now on (a policy's decision)."""
        self.stock.set_target(variant, self.target(variant, units))

    def initial_stock(self) -> None:
        """Fill the lot to its targets at time 0."""
        for v, units in enumerate(self.stock.base):
            if units > 0:
                self.stock.stock_up(v, units)

    def quote(self, variant: int, strategy: int) -> float:
        """Lead time (days) quoted to a customer for an order of ``variant``.

        The plant's estimate for the order (order bank, design, components, queue ahead and
        production) plus the transport from the plant to this dealer.
        """
        return self.model.plant.quote(variant, strategy) + self.transport_time

    def quote_backorder(self, variant: int) -> float:
        """Lead time (days) quoted for a stocked variant this dealer has run out of.

        Transport alone when the plant holds the variant; else the plant's estimate for a
        new stock job (stock work has the lower priority; with the order bank, its slot)
        plus transport.
        """
        plant = self.model.plant
        if plant.finished.on_hand[variant] > 0:
            return self.transport_time
        return plant.stock_quote(variant) + self.transport_time

    def restock(self, variant: int, quantity: int, stock: StockPoint) -> None:
        """Order ``quantity`` units of ``variant`` from the plant's finished goods."""
        m = self.model
        m.restock_ordered(quantity)
        now = m.cal.now
        plant = m.plant.finished
        for _ in range(quantity):
            plant.demand(variant, Transfer(variant, stock, now))


register_builtin("dealer", "dealer", Dealer)
