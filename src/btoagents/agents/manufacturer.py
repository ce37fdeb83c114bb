"""The manufacturer: finite capacity, a production queue, plant stock and design work.

The plant builds every unit on its lines (a :class:`~btoagents.production.Workcenter`):
build-to-stock units to refill its finished goods, build-to-order units for a customer's
order, assemble-to-order units once the order holds each of its components (drawn from the
plant's component stock, replenished from the suppliers), and engineer-to-order units after
a design delay. A build-to-order variant that lists components draws them the same way at
release; with no plant stock of them (``plant_base_stock = 0``) they are bought to order,
so the supplier's time adds to the lead time - the difference postponement (ato) removes.
BTS and ETO production assumes ample components. Queue discipline and overtime follow
``[manufacturer]``.

With ``order_bank.enabled`` every order - customer, plant finished-goods replenishment
(the dealers' stock orders) and bulk - is booked into one capacity-limited slot schedule,
not before ``release_days`` of its product (the frozen horizon), and released to the line
at its slot time (:mod:`btoagents.orderbank`). Without it (the default) a customer order
waits a fixed ``release_days`` delay whatever the load and stock and bulk work go straight
to the line. ``order_bank.pipeline_matching`` lets a waiting customer order take over an
unsold unit of its variant in the pipeline (:mod:`btoagents.matching`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa
from pydantic import BaseModel

from btoagents.distributions import Duration
from btoagents.matching import PipelineMatcher
from btoagents.orderbank import OrderBank
from btoagents.plugins import NoParams, register_builtin
from btoagents.policies.slots import SlotBook
from btoagents.production import Workcenter
from btoagents.records import FINAL, Job, Order
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
        bank = scn.order_bank
        self.bank: OrderBank | None = None
        if bank.enabled:  # the order bank books customer orders too: no second slot book
            self.bank = OrderBank.from_scenario(
                scn, model.cal, len(cat), self.released, self.job_released
            )
        elif dm.slot_days > 0:
            per_slot = cfg.lines * cfg.service_rate * dm.slot_days * dm.slot_fill
            self.slots = SlotBook(dm.slot_days, max(1, math.floor(per_slot)))
        self.horizon = [v.release_days for v in cat.variants]  # frozen horizon (days)
        self.matcher: PipelineMatcher | None = None
        if bank.pipeline_matching:
            transport = scn.dealers.transport_time if scn.dealers.count > 0 else 0.0
            self.matcher = PipelineMatcher(model.cal, self, len(cat), transport)

    def initial_stock(self) -> None:
        """Fill finished goods and component stock to their targets at time 0."""
        for sp in (self.finished, self.components):
            for item, units in enumerate(sp.base):
                if units > 0:
                    sp.stock_up(item, units)

    # -- customer orders ----------------------------------------------------------------
    def quote(self, variant: int, strategy: int) -> float:
        """Days until a new order for ``variant`` built under ``strategy`` leaves the plant.

        The order bank (and design), then the work queued ahead of it now. With the order
        bank the order waits for its slot (the first with room after the frozen horizon);
        with demand management's slot booking for the first free slot instead of
        ``release_days`` when that is later; the queue ahead is still counted. With
        pipeline matching, the soonest unsold unit of the variant in the pipeline when it
        comes sooner (days until it leaves the plant: the dealer adds its transport).
        """
        days = self._ordinary_quote(variant, strategy)
        matcher = self.matcher
        if matcher is not None and strategy in (ATO, BTO):
            days = min(days, max(0.0, matcher.quote(variant) - matcher.transport))
        return days

    def _ordinary_quote(self, variant: int, strategy: int) -> float:
        """:meth:`quote` without pipeline matching: a new unit scheduled for the order."""
        release = self.horizon[variant]
        if strategy == ETO:
            release += self.engineering[variant].mean
        if self.bank is not None:
            now = self.model.cal.now
            release = self.bank.quote(now + release) - now
        elif self.slots is not None:
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

    def stock_quote(self, variant: int) -> float:
        """Days until a new stock job for ``variant`` (booked now) leaves the plant: with the
        order bank, its slot plus the queue ahead; else the queue ahead of stock work."""
        days = self.workcenter.quote(Priority.STOCK)
        if self.bank is not None:
            now = self.model.cal.now
            days += self.bank.quote(now + self.horizon[variant], False) - now
        return days

    def accept(self, order: Order, strategy: int) -> None:
        """Take an accepted order: a unit in the pipeline (pipeline matching), else the
        order bank, then design (eto), components (ato) or the line."""
        matcher = self.matcher
        if matcher is not None and strategy in (ATO, BTO):
            ordinary = self._ordinary_quote(order.variant, strategy) + matcher.transport
            if matcher.take(order, ordinary):
                return
        delay = self.horizon[order.variant]
        if strategy == ETO:
            delay += self.engineering[order.variant]()
        if self.bank is not None:
            self.in_planning += 1
            self.bank.place_order(order, self.model.cal.now + delay)
            return
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
        """Release ``quantity`` build-to-stock jobs for ``variant`` (class 1: stock work);
        with the order bank, book them into slots after the frozen horizon."""
        bank = self.bank
        if bank is not None:
            earliest = self.model.cal.now + self.horizon[variant]
            for _ in range(quantity):
                bank.place_job(Job(variant, Priority.STOCK, None, stock), earliest)
            return
        for _ in range(quantity):
            self.workcenter.submit(Job(variant, Priority.STOCK, None, stock))

    def build_bulk(self, order: Order) -> None:
        """Build one unit of a bulk (intermediary) order as stock-class work (with the order
        bank, booked into a slot after the frozen horizon)."""
        if self.bank is not None:
            earliest = self.model.cal.now + self.horizon[order.variant]
            self.bank.place_job(Job(order.variant, Priority.STOCK, order), earliest)
            return
        self.workcenter.submit(Job(order.variant, Priority.STOCK, order))

    def job_released(self, job: Job) -> None:
        """A stock or bulk job leaves the order bank for the line (a stock job a customer
        took over leaves the order bank's count of customer orders)."""
        if job.order is not None and job.order.kind == FINAL:
            self.in_planning -= 1
        self.workcenter.submit(job)

    def finished_job(self, job: Job) -> None:
        """A unit is built: it goes to its order, or onto the plant's finished goods."""
        self.produced += 1
        if job.order is not None:
            self.model.unit_built(job.order)
        else:
            job.dest.receive(job.item, 1)


register_builtin("manufacturer", "manufacturer", Manufacturer)
