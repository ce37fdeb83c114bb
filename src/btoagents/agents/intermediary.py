"""Intermediaries: national sales companies, fleets and OEMs that buy in bulk.

Their orders arrive as a Poisson process (``rate`` per day) with geometric sizes of mean
``size_mean`` units, pay ``price_factor`` of list price, and are *not* final-customer orders:
they are counted apart (``bulk_*`` KPIs) and never enter fill rate, backorders or lead time.
Units of stocked variants come from the plant's finished goods; the others are built as
stock-class work (so the priority disciplines serve final customers first).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa

from btoagents.config.customer_schema import IntermediaryConfig
from btoagents.demand import geometric_size
from btoagents.records import BULK, BulkOrder, Order
from btoagents.vocabulary import Strategy

if TYPE_CHECKING:
    from btoagents.chain import Chain


class Intermediary(mesa.Agent):
    """A bulk buyer placing orders of many units at once."""

    model: Chain  # the model, seen through its chain interface

    def __init__(self, model: Chain, name: str, cfg: IntermediaryConfig) -> None:
        super().__init__(model)
        self.name = name
        self.cfg = cfg
        self.stream = model.streams[f"bulk:{name}"]

    def start(self) -> None:
        if self.cfg.rate > 0:
            self.model.cal.after(self.stream.exponential() / self.cfg.rate, self.place)

    def place(self, _: object = None) -> None:
        """Place one bulk order, then schedule the next."""
        m = self.model
        u_variant, u_size = self.stream.uniform(), self.stream.uniform()
        variant = m.pick_variant(u_variant)
        bulk = BulkOrder(variant, geometric_size(self.cfg.size_mean, u_size), m.cal.now, self.name)
        bulk.outstanding = bulk.units
        m.bulk_placed(bulk)
        for _ in range(bulk.units):
            unit = Order(variant, m.cal.now, BULK, None, None, 0.0, m.counting)
            unit.bulk = bulk
            if m.strategy[variant] == Strategy.BTS:
                m.plant.finished.demand(variant, unit)
            else:
                m.plant.build_bulk(unit)
        m.cal.after(self.stream.exponential() / self.cfg.rate, self.place)
