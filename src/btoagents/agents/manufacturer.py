"""The manufacturer: finite capacity, a production queue, plant stock and design work.

The plant builds every unit on its lines (a :class:`~btoagents.production.Workcenter`):
build-to-stock units to refill its finished goods, build-to-order units for a customer's
order, assemble-to-order units once the order holds each of its components (drawn from the
plant's component stock, replenished from the suppliers), and engineer-to-order units after
a design delay. A build-to-order variant that lists components draws them the same way at
release; with no plant stock of them (``plant_base_stock = 0``) they are bought to order,
so the supplier's time adds to the lead time - the difference postponement (ato) removes.
BTS and ETO production assumes ample components. Every customer order first waits
``release_days`` in the order bank (the frozen scheduling horizon of, e.g., car plants).
Queue discipline and overtime follow ``[manufacturer]``.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
from pydantic import BaseModel

from btoagents.distributions import Duration
from btoagents.plugins import NoParams, register_builtin
from btoagents.policies.slots import SlotBook
from btoagents.production import Workcenter
from btoagents.records import Job, Order
from btoagents.stock import StockPoint
from btoagents.vocabulary import Priority, Strategy

if TYPE_CHECKING:
    from btoagents.chain import Chain

ATO, BTO, ETO = Strategy.ATO, Strategy.BTO, Strategy.ETO


class Manufacturer(mesa.Agent):
    """The plant: lines, finished goods of stocked variants and component stock.

    A subclass named by ``manufacturer.agent`` replaces it (:mod:`btoagents.plugins`): it
    keeps this constructor, declares its parameters as ``Params`` (read from
    ``manufacturer.params``, held in ``self.params``) and overrides what it does differently.
    """

    model: Chain  # the model, seen through its chain interface
    Params: type[BaseModel] = NoParams

    def __init__(self, model: Chain, params: BaseModel | None = None) -> None:
        super().__init__(model)
        self.params = params if params is not None else self.Params()
        scn = model.cfg
        cfg = scn.manufacturer
        cat = model.catalog
        self.workcenter = Workcenter(
            "plant",
            model.cal,
            cfg.lines,
            Duration(
                cfg.service_distribution,
                1.0 / cfg.service_rate,
                model.streams["production"],
                cfg.service_cv,
            ),
            cfg.discipline,
            self.finished_job,
            cfg.overtime_lines,
            cfg.overtime_threshold,
        )
        base = [
            v.base_stock if model.strategy[i] == Strategy.BTS else 0
            for i, v in enumerate(cat.variants)
        ]
        if cfg.policy == "ss":
            reorder = [min(v.reorder_point, b - 1) for v, b in zip(cat.variants, base, strict=True)]
        else:
            reorder = [b - 1 for b in base]
        self.finished = StockPoint(
            "plant",
            len(cat),
            model.cal,
            model.fill_finished,
            self.produce_stock,
            model.finished_levels(),
            base,
            reorder,
        )
        comps = list(scn.components.values())
        cbase = [c.plant_base_stock for c in comps]
        creorder = [
            (c.plant_reorder_point if c.plant_reorder_point is not None else b - 1)
            if c.plant_policy == "ss"
            else b - 1
            for c, b in zip(comps, cbase, strict=True)
        ]
        creorder = [min(r, b - 1) for r, b in zip(creorder, cbase, strict=True)]
        self.components = StockPoint(
            "plant-components",
            len(comps),
            model.cal,
            self.component_arrived,
            self.order_components,
            model.component_levels(),
            cbase,
            creorder,
            periodic=[c.plant_policy == "order_up_to" for c in comps],
        )
        eng_stream = model.streams["engineering"]
        self.engineering = [
            Duration(
                scn.products[cat.families[v.family]].engineering_distribution,
                v.engineering_days,
                eng_stream,
            )
            for v in cat.variants
        ]
        self.in_planning = 0
        self.awaiting_components = 0
        self.produced = 0
        dm = scn.demand_management
        self.slots: SlotBook | None = None
        if dm.slot_days > 0:
            per_slot = cfg.lines * cfg.service_rate * dm.slot_days * dm.slot_fill
            self.slots = SlotBook(dm.slot_days, max(1, math.floor(per_slot)))

    def initial_stock(self) -> None:
        """Fill finished goods and component stock to their targets at time 0."""
        for sp in (self.finished, self.components):
            for item, units in enumerate(sp.base):
                if units > 0:
                    sp.stock_up(item, units)

    # -- customer orders ----------------------------------------------------------------
    def quote(self, variant: int, strategy: int) -> float:
        """Days until a new order for ``variant`` built under ``strategy`` leaves the plant.

        The order bank (and design), then the work queued ahead of it now. With slot
        booking the order waits for the first free slot instead of the order bank when that
        is later; the queue ahead is still counted (stock and bulk work are not booked).
        """
        release = self.model.catalog.variants[variant].release_days
        if strategy == ETO:
            release += self.engineering[variant].mean
        if self.slots is not None:
            now = self.model.cal.now
            release = self.slots.start(now + release) - now
        days = self.workcenter.quote(Priority.CUSTOMER) + release
        if strategy in (ATO, BTO):
            for c in self.model.catalog.variants[variant].components:
                if self.components.on_hand[c] <= 0:
                    sup = self.model.supplier_of[c]
                    days += sup.lead_time.mean + sup.workcenter.quote(Priority.STOCK)
                    break
        return days

    def accept(self, order: Order, strategy: int) -> None:
        """Take an accepted order: order bank, then design (eto), components (ato) or the line."""
        delay = self.model.catalog.variants[order.variant].release_days
        if strategy == ETO:
            delay += self.engineering[order.variant]()
        if self.slots is not None:
            now = self.model.cal.now
            delay = self.slots.book(now + delay, now) - now
        if delay > 0:
            self.in_planning += 1
            self.model.cal.after(delay, self.released, order)
        else:
            self.release(order, strategy)

    def released(self, order: Order) -> None:
        """The order leaves the order bank (and design, for eto)."""
        self.in_planning -= 1
        self.release(order, order.strategy)

    def release(self, order: Order, strategy: int) -> None:
        """Send an order to production, through component allocation when assembled to order.

        A unit left in the plant's finished goods (a variant switched from BTS to building
        to order sells its stock off) goes to the order at once.
        """
        fin = self.finished
        if fin.on_hand[order.variant] > 0:
            fin.take(order.variant)
            self.model.unit_built(order)
            return
        comps = self.model.catalog.variants[order.variant].components
        if comps and strategy in (ATO, BTO):
            order.missing = len(comps)
            self.awaiting_components += 1
            self.model.kpi.awaiting.add(self.model.cal.now, 1)
            for c in comps:
                self.components.demand(c, order)
        else:
            self.workcenter.submit(Job(order.variant, Priority.CUSTOMER, order))

    def component_arrived(
        self, order: Order, component: int, stock: StockPoint, age: float
    ) -> None:
        """A component is allotted to ``order``; with all of them it goes to assembly."""
        order.missing -= 1
        if order.missing == 0:
            self.awaiting_components -= 1
            self.model.kpi.awaiting.add(self.model.cal.now, -1)
            self.workcenter.submit(Job(order.variant, Priority.CUSTOMER, order))

    def order_components(self, component: int, quantity: int, stock: StockPoint) -> None:
        """Replenish the plant's component stock from the component's supplier."""
        self.model.supplier_of[component].request(component, quantity, stock)

    # -- stock and bulk work ------------------------------------------------------------
    def produce_stock(self, variant: int, quantity: int, stock: StockPoint) -> None:
        """Release ``quantity`` build-to-stock jobs for ``variant`` (class 1: stock work)."""
        for _ in range(quantity):
            self.workcenter.submit(Job(variant, Priority.STOCK, None, stock))

    def build_bulk(self, order: Order) -> None:
        """Build one unit of a bulk (intermediary) order as stock-class work."""
        self.workcenter.submit(Job(order.variant, Priority.STOCK, order))

    def finished_job(self, job: Job) -> None:
        """A unit is built: it goes to its order, or onto the plant's finished goods."""
        self.produced += 1
        if job.order is not None:
            self.model.unit_built(job.order)
        else:
            job.dest.receive(job.item, 1)


register_builtin("manufacturer", "manufacturer", Manufacturer)
