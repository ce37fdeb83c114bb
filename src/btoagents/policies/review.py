"""The reviewer: runs the scenario's policies at their reviews and applies their decisions.

It builds a :class:`~btoagents.policies.state.ChainState` from the model, asks the
fulfillment policy (every ``fulfillment.review_period`` days, from time 0) and the capacity
policy (every ``capacity.review_period`` days) for a decision, and carries it out:

- a variant switched to BTS gets stock targets of ``cover`` days of its current sales rate
  at every dealer (or at the plant when there are no dealers; the plant keeps its
  family's ``base_stock`` behind dealers); a variant switched away from BTS gets targets
  of 0 and sells off what it holds;
- the component stock of assemble-to-order variants is sized to the supplier lead time's
  demand plus ``postponement.service_z`` standard deviations (Poisson), never below the
  scenario's ``plant_base_stock``;
- pre-build units are added to the plant targets; overtime lines open for the period.

A capacity policy whose class sets ``controls_overtime = True`` (the built-in ``chase``, or
a plugin) owns the plant's overtime: at the start no overtime line is allowed, and the
lines its decisions allow open as soon as one job waits (threshold 1), instead of the
scenario's ``manufacturer.overtime_lines`` and ``overtime_threshold``. With the order bank
(``order_bank.enabled``) the plant queue a policy sees adds the bank's backlog beyond the
frozen horizon (:meth:`btoagents.orderbank.OrderBank.excess`), and the overtime lines a
decision allows get build slots (:meth:`btoagents.orderbank.OrderBank.set_lines`).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from btoagents.config.policy_schema import adaptive, reviewed
from btoagents.policies.capacity import make_capacity
from btoagents.policies.fulfillment import make_fulfillment
from btoagents.policies.protocol import Decision
from btoagents.policies.state import ATO, BTO, BTS, ETO, ChainState
from btoagents.products import days_of_supply_stock
from btoagents.vocabulary import Priority

if TYPE_CHECKING:
    from btoagents.chain import Chain


class Reviewer:
    """Owns the model's fulfillment and capacity policies and their review events."""

    def __init__(self, model: Chain) -> None:
        self.model = model
        scn = model.cfg
        self.fulfillment = make_fulfillment(scn.fulfillment, model.streams["policy"].uniform)
        cycle = scn.demand.period if model.arrivals.seasonal else 365.0
        self.capacity = make_capacity(scn.capacity, cycle)
        cat = model.catalog
        self.static = list(model.strategy)
        self.family_base = [scn.products[cat.families[v.family]].base_stock for v in cat.variants]
        self.prebuild = [0] * len(cat)
        self.plant_target = list(model.plant.finished.base)  # without pre-build
        self.component_base = list(model.plant.components.base)
        self.users = [[] for _ in cat.components]
        for v, var in enumerate(cat.variants):
            for c in var.components:
                self.users[c].append(v)
        self.history: list[tuple[float, int, int]] = []  # (time, variant, new strategy)
        self.ledger = model.ledger
        self._last_totals = None
        self._last_review = 0.0
        self.adaptive = adaptive(scn.fulfillment)
        self.reviewed = reviewed(scn.capacity)
        if getattr(self.capacity, "controls_overtime", False):
            model.plant.workcenter.set_overtime(0, 1)

    def start(self) -> None:
        """Schedule the first reviews (at time 0) and the demand buckets.

        Whether the fulfillment policy may change strategies (``adaptive``) and whether the
        capacity policy is reviewed (``reviewed``) follow the scenario's names
        (:func:`btoagents.config.policy_schema.adaptive`, ``reviewed``): every policy but the
        built-in ``static`` and ``level``, plugins included.
        """
        cal = self.model.cal
        if self.adaptive:
            cal.at(0.0, self._review_fulfillment)
            cal.at(self.ledger.bucket_days, self._bucket)
        if self.reviewed:
            cal.at(0.0, self._review_capacity)

    # -- events ---------------------------------------------------------------------------
    def _bucket(self, _: object = None) -> None:
        self.ledger.close_bucket()
        self.model.cal.after(self.ledger.bucket_days, self._bucket)

    def _review_fulfillment(self, _: object = None) -> None:
        self.apply(self.fulfillment.review(self.observe(close_period=True)))
        self.model.cal.after(self.fulfillment.review_period, self._review_fulfillment)

    def _review_capacity(self, _: object = None) -> None:
        self.apply(self.capacity.review(self.observe()))
        self.model.cal.after(self.capacity.review_period, self._review_capacity)

    # -- observing --------------------------------------------------------------------------
    def observe(self, close_period: bool = False) -> ChainState:
        """The chain as a policy sees it now.

        Per-variant profit and stock are averaged since the last fulfillment review;
        ``close_period`` (the fulfillment review) starts the next such period.
        """
        m = self.model
        scn = m.cfg
        cat = m.catalog
        now = m.cal.now
        n = len(cat)
        fallback = [v.rate for v in cat.variants]
        profit = np.zeros(n)
        stock = np.zeros(n)
        if self.ledger is not None:
            rate, cv = self.ledger.rate_and_cv(fallback)
            totals = self.ledger.totals(now)
            if self._last_totals is not None and now > self._last_review:
                d = (totals - self._last_totals) / (now - self._last_review)
                _, lost, margin, wait, obsolete, area = d
                holding = scn.costs.holding_rate / 365.0 * np.asarray(m.unit_cost) * area
                profit = (
                    margin
                    - holding
                    - obsolete
                    - scn.costs.backorder_cost * wait
                    - scn.costs.lost_sale_cost * lost
                )
                stock = area
            since = self._last_review
            if close_period:
                self._last_totals = totals
                self._last_review = now
        else:
            rate, cv = np.asarray(fallback), np.zeros(n)
            since = now
        transport = scn.dealers.transport_time if m.dealers else 0.0
        plant = m.plant
        build = np.array(
            [
                plant.quote(v, ATO if var.components else BTO) + transport
                for v, var in enumerate(cat.variants)
            ]
        )
        refill = plant.workcenter.quote(Priority.STOCK) + transport
        patience = np.sort([c.patience for c in m.customers])
        bulk = sum(i.rate * i.size_mean for i in scn.intermediaries.values())
        arrivals = m.arrivals

        def forecast(t0: float, t1: float) -> float:
            return arrivals.expected_arrivals(t0, t1) + bulk * (t1 - t0)

        return ChainState(
            now=now,
            since=since,
            strategy=np.asarray(m.strategy),
            switchable=np.array([s != ETO for s in self.static]),
            has_components=np.array([bool(v.components) for v in cat.variants]),
            rate=np.asarray(rate, dtype=float),
            cv=np.asarray(cv, dtype=float),
            profit=profit,
            stock=stock,
            price=np.asarray(m.price),
            unit_cost=np.asarray(m.unit_cost),
            salvage=np.array([v.salvage for v in cat.variants]),
            life_cycle=np.array([v.life_cycle or math.inf for v in cat.variants]),
            build_quote=build,
            replenish_days=np.full(n, refill),
            patience=patience,
            holding_rate=scn.costs.holding_rate,
            backorder_cost=scn.costs.backorder_cost,
            lost_sale_cost=scn.costs.lost_sale_cost,
            lines=plant.workcenter.lines,
            service_rate=scn.manufacturer.service_rate,
            plant_queue=plant.workcenter.waiting
            + (plant.bank.excess(max(plant.horizon)) if plant.bank is not None else 0),
            forecast=forecast,
            component_users=self.users,
            cover_days=scn.fulfillment.cover_days,
            dealers=len(m.dealers),
            markdown_share=m.markdown.discount,
        )

    # -- acting -----------------------------------------------------------------------------
    def apply(self, decision: Decision) -> None:
        """Carry out a decision (see the module docstring)."""
        m = self.model
        rates = self._rates()
        for v, s in decision.strategy.items():
            m.set_strategy(v, s)
            self.history.append((m.cal.now, v, s))
            if s != BTS:
                self._set_targets(v, 0, 0)
        cover_default = m.cfg.fulfillment.cover_days
        for v, s in decision.strategy.items():
            if s == BTS and v not in decision.cover:
                self._stock_variant(v, cover_default, rates[v])
        for v, cover in decision.cover.items():
            if m.strategy[v] == BTS:
                self._stock_variant(v, cover, rates[v])
        for v, extra in decision.prebuild.items():
            if extra != self.prebuild[v]:
                self.prebuild[v] = extra
                if m.strategy[v] == BTS:
                    self._set_plant(v)
        if decision.overtime_lines is not None:
            m.plant.workcenter.set_overtime(decision.overtime_lines)
            if m.plant.bank is not None:  # the order bank plans the overtime lines' slots
                m.plant.bank.set_lines(m.plant.workcenter.lines + decision.overtime_lines)
        if self.adaptive and self.users:
            self._size_components(rates)

    def _rates(self) -> np.ndarray:
        cat = self.model.catalog
        if self.ledger is None:
            return np.array([v.rate for v in cat.variants])
        rate, _ = self.ledger.rate_and_cv([v.rate for v in cat.variants])
        return rate

    def _stock_variant(self, v: int, cover: float, rate: float) -> None:
        """Targets of ``cover`` days of sales for a BTS variant (dealers, else the plant)."""
        m = self.model
        if m.dealers:
            per_dealer = [days_of_supply_stock(rate * d.share, cover) for d in m.dealers]
            plant = self.family_base[v]
        else:
            per_dealer = []
            plant = max(self.family_base[v], days_of_supply_stock(rate, cover))
        self._set_targets(v, plant, per_dealer)

    def _set_targets(self, v: int, plant: int, dealers: list[int] | int) -> None:
        """Plant target ``plant`` (pre-build added for BTS) and dealer targets for ``v``."""
        m = self.model
        self.plant_target[v] = plant
        for i, d in enumerate(m.dealers):
            target = dealers[i] if isinstance(dealers, list) else dealers
            d.set_target(v, target)
        self._set_plant(v)

    def _set_plant(self, v: int) -> None:
        m = self.model
        extra = self.prebuild[v] if m.strategy[v] == BTS else 0
        m.plant.finished.set_target(v, self.plant_target[v] + extra)

    def _size_components(self, rates: np.ndarray) -> None:
        m = self.model
        comp = m.plant.components
        z = m.cfg.fulfillment.postponement.service_z
        for c, users in enumerate(self.users):
            demand_rate = sum(rates[v] for v in users if m.strategy[v] == ATO)
            sup = m.supplier_of[c]
            lead = sup.lead_time.mean + sup.workcenter.quote(Priority.STOCK)
            mean = demand_rate * lead
            base = self.component_base[c]
            if mean > 0:
                base = max(base, math.ceil(mean + z * math.sqrt(mean)))
            if base != comp.base[c]:
                comp.set_target(c, base)
