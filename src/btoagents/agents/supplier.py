"""Hardware suppliers: build components to stock or to order with their own capacity.

A build-to-stock supplier (``strategy = "bts"``, the default) holds stock of each component
it makes, replenished by its own production (base stock or (s,S)); the plant's requests are
served from that stock first-come first-served and arrive at the plant after a lead time
drawn from the supplier's lead-time distribution. A build-to-order supplier
(``strategy = "bto"``) holds none: each request starts one unit on the supplier's servers
(one-for-one, a base stock of 0), so its queue and production time add to the lead time.
Either way the supplier builds to the plant's order, not a final customer's; which of the
two it does is the supplier's decoupling point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
from pydantic import BaseModel

from btoagents.config.supplier_schema import SupplierConfig
from btoagents.distributions import Duration
from btoagents.plugins import NoParams, register_builtin
from btoagents.production import Workcenter
from btoagents.records import Job, Transfer
from btoagents.stock import StockPoint
from btoagents.vocabulary import Priority

if TYPE_CHECKING:
    from btoagents.chain import Chain


class HardwareSupplier(mesa.Agent):
    """A component supplier with a stock point, production servers and a delivery lead time.

    A subclass named by ``supplier.agent`` replaces every supplier (:mod:`btoagents.plugins`):
    it keeps this constructor, declares its parameters as ``Params`` (read from
    ``supplier.params``, held in ``self.params``) and overrides what it does differently.
    """

    model: Chain  # the model, seen through its chain interface
    Params: type[BaseModel] = NoParams

    def __init__(
        self,
        model: Chain,
        name: str,
        cfg: SupplierConfig,
        components: list[int],
        params: BaseModel | None = None,
    ) -> None:
        super().__init__(model)
        self.params = params if params is not None else self.Params()
        self.name = name
        self.cfg = cfg
        n = len(model.catalog.components)
        mine = set(components)
        stocked = cfg.strategy == "bts"
        base = [cfg.base_stock if stocked and c in mine else 0 for c in range(n)]
        if cfg.reorder_point is None or not stocked:
            reorder = [b - 1 for b in base]
        else:
            reorder = [min(cfg.reorder_point, b - 1) for b in base]
        self.stock = StockPoint(
            f"supplier:{name}",
            n,
            model.cal,
            self.ship,
            self.produce,
            model.component_levels(),
            base,
            reorder,
        )
        self.workcenter = Workcenter(
            f"supplier:{name}",
            model.cal,
            cfg.servers,
            Duration(
                cfg.service_distribution,
                1.0 / cfg.service_rate,
                model.streams[f"supplier:{name}"],
                cfg.service_cv,
            ),
            "fcfs",
            self.finished,
        )
        self.lead_time = Duration(
            cfg.lead_time_distribution,
            cfg.lead_time,
            model.streams[f"supplier_lead:{name}"],
            cfg.lead_time_cv,
        )

    def initial_stock(self) -> None:
        for c, units in enumerate(self.stock.base):
            if units > 0:
                self.stock.stock_up(c, units)

    def request(self, component: int, quantity: int, dest: StockPoint) -> None:
        """The plant orders ``quantity`` units of ``component`` for stock point ``dest``."""
        m = self.model
        now = m.cal.now
        for _ in range(quantity):
            m.kpi.flows.component_requests += 1
            age = self.stock.demand(component, Transfer(component, dest, now))
            if age >= 0:
                m.kpi.flows.component_from_stock += 1

    def accept_return(self, component: int, units: int) -> None:
        """Take back ``units`` returned by the plant (negative orders of order-up-to)."""
        self.stock.receive(component, units, ordered=False)

    def ship(self, transfer: Transfer, component: int, stock: StockPoint, age: float) -> None:
        """Send one unit to the plant; it arrives after the lead time."""
        delay = self.lead_time()
        if delay <= 0:
            transfer.dest.receive(component, 1)
        else:
            self.model.cal.after(delay, self.arrive, transfer)

    def arrive(self, transfer: Transfer) -> None:
        transfer.dest.receive(transfer.item, 1)

    def produce(self, component: int, quantity: int, stock: StockPoint) -> None:
        """Release ``quantity`` production jobs to refill this supplier's own stock."""
        for _ in range(quantity):
            self.workcenter.submit(Job(component, Priority.STOCK, None, stock))

    def finished(self, job: Job) -> None:
        job.dest.receive(job.item, 1)


register_builtin("supplier", "supplier", HardwareSupplier)
