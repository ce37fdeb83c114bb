"""SupplyChainModel: the hybrid BTO/BTS chain as a Mesa model driven by an event calendar.

Wiring: final customers (a persistent population) buy at their home dealer, or at the plant
when there are no dealers; dealers hold stock of build-to-stock (BTS) variants and forward
other orders; the manufacturer builds on finite lines; hardware suppliers build components
to stock; intermediaries place bulk orders. Agents are Mesa agents registered with the model
(``model.agents_by_type``); orders, transfers and jobs are light records.

Time is continuous, in days, and advanced by :class:`~btoagents.calendar.Calendar` (see
there why not Mesa's own scheduler). KPIs stream into :class:`~btoagents.kpis.KpiCollector`
from the end of the warm-up; at the end of a run units and orders must balance, or
:class:`~btoagents.errors.ConservationError` is raised naming the counts.

The model keeps the per-event path (arrivals, orders, deliveries: the callbacks agents call
through :class:`~btoagents.chain.Chain`) and the run; the rest lives next to its concept:
:mod:`~btoagents.wiring` (construction), :mod:`~btoagents.window` (warm-up end, utilization
periods), :mod:`~btoagents.lifecycle` (generations, popularity shift),
:class:`~btoagents.policies.replenishment.PeriodicReview` (order-up-to reviews),
:mod:`~btoagents.sampling` (time series), :mod:`~btoagents.kpis.record` (the KPI record) and
:mod:`~btoagents.audit` (conservation, Little's law).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from heapq import heappush
from math import ceil, log
from typing import Any

import mesa
import pandas as pd

from btoagents import audit, wiring
from btoagents.agents import FinalCustomer
from btoagents.calendar import Calendar
from btoagents.chain import Levels
from btoagents.config.policy_schema import adaptive as adaptive_policy
from btoagents.config.policy_schema import reviewed as reviewed_policy
from btoagents.config.schema import Scenario
from btoagents.demand import ArrivalProcess
from btoagents.kpis import KpiCollector, TimeAverage, Welford
from btoagents.kpis import plugin as kpi_plugins
from btoagents.kpis.record import dealer_days_of_supply, kpi_record, window_kpis
from btoagents.lifecycle import LifeCycle
from btoagents.policies.ledger import VariantLedger
from btoagents.policies.markdown import MarkdownSchedule
from btoagents.policies.review import Reviewer
from btoagents.pooling import DealerPool
from btoagents.products import Catalog
from btoagents.random import Streams
from btoagents.records import BULK, FINAL, BulkOrder, Order, Transfer
from btoagents.reneging import Reneging
from btoagents.reputation import MarketReputation
from btoagents.sampling import Sampler
from btoagents.stock import StockPoint
from btoagents.vocabulary import Strategy
from btoagents.window import KpiWindow

BTS = Strategy.BTS


class SupplyChainModel(mesa.Model):
    """One replication of a scenario.

    Args:
        scenario: the validated scenario.
        seed: root seed of the replication's random streams (default: the scenario's).
        trace: record every final-customer order (time, customer, variant) in ``self.trace``.
    """

    def __init__(self, scenario: Scenario, seed: int | None = None, trace: bool = False) -> None:
        seed = scenario.simulation.seed if seed is None else int(seed)
        super().__init__(rng=seed)
        self.cfg = scenario
        self.seed = seed
        sim = scenario.simulation
        self.horizon = sim.horizon
        self.warmup = sim.warmup
        self.cal = Calendar()
        self.streams = Streams(seed)
        self.catalog = Catalog(scenario)
        cat = self.catalog
        self.strategy: list[int] = [v.strategy for v in cat.variants]
        self.family: list[int] = [v.family for v in cat.variants]
        self.price: list[float] = [v.price for v in cat.variants]
        self.unit_cost: list[float] = [v.unit_cost for v in cat.variants]
        self.kpi = KpiCollector(
            cat.families,
            scenario.kpis.lead_time_target,
            getattr(scenario.customers, "late_tolerance", 0.0),
        )
        fcfg = scenario.fulfillment
        adaptive = adaptive_policy(fcfg)
        self.ledger = VariantLedger(len(cat), fcfg.bucket_days, fcfg.window) if adaptive else None
        self.kpi.track(
            families=len(cat.families) > 1,
            strategies=adaptive or len(set(self.strategy)) > 1,
        )
        self.bts_variants = TimeAverage(float(sum(s == BTS for s in self.strategy)))
        self.dm = wiring.build_demand_manager(self)
        self.markdown = MarkdownSchedule(scenario.dealers.markdown)
        self._markdowns = bool(self.markdown.steps)
        self.substitution = scenario.customers.substitution
        ccfg = scenario.customers
        self.memory = ccfg.memory == "individual"  # each customer remembers its service
        self._late_slack = ccfg.late_tolerance + 1e-9  # days past the quote that are on time
        self.reputation: MarketReputation | None = None  # the market's memory (built below)
        self.pool: DealerPool | None = None  # dealer pooling (built with the dealers)
        # customers.renege: accepted orders cancelled when patience runs out (reneging.py)
        self.reneging = Reneging(self, ccfg.late_tolerance) if ccfg.renege else None
        self._judging = ccfg.memory != "none"
        self.trace_on = trace or sim.trace
        self.trace: list[tuple[float, int, int]] = []
        # conservation counters (whole run, warm-up included)
        self.initial_units = 0
        self.delivered_units = 0
        self.written_off = 0
        self.in_transit_units = 0
        self.in_transit_orders = 0
        self.arrived_final = 0
        self.delivered_final = 0
        self.lost_final = 0
        self.open_final = 0
        # money, counts and counted orders accrue while the KPI window is open
        self.counting = self.warmup == 0
        self.window_closed = False
        self.counted_open = 0  # window orders not yet delivered (the drain waits for them)
        self._window: dict[str, float] | None = None
        # KPI plugins (kpis.plugins): built once; called when the window closes (or at the
        # end of the run, after_drain), never per event
        self.kpi_plugins = kpi_plugins.build(scenario)
        self._plugin_kpis: dict[str, float] = {}
        self._little: dict[str, float] | None = None
        # time accepted orders spend open inside [warmup, horizon] (sample-path Little's law)
        self.backlog_residence = 0.0
        self.open_before_warmup = 0
        self.open_after_warmup = 0
        self.open_arrival_sum = 0.0

        self.manufacturer = wiring.build_manufacturer(self)
        self.plant = self.manufacturer  # the chain's name for it (btoagents.chain.Plant)
        self.suppliers, self.supplier_of = wiring.build_suppliers(self)
        self.manufacturer.components.returns_to = self._return_components
        self.dealers = wiring.build_dealers(self)
        if scenario.dealers.pooling and self.dealers:
            self.pool = DealerPool(self, self.dealers)
        self.customers = wiring.build_customers(self, self.dealers)
        self.intermediaries = wiring.build_intermediaries(self)
        self.periodic_review = wiring.build_periodic_review(self)
        self.stock_points = wiring.stock_points(self.manufacturer, self.dealers, self.suppliers)
        wiring.start_windows(
            self.kpi,
            self.stock_points,
            self.manufacturer,
            self.dealers,
            scenario.kpis.bullwhip_bucket or scenario.forecast.review_period,
            self.warmup,
        )
        for agent in (self.manufacturer, *self.suppliers, *self.dealers):
            agent.initial_stock()
        self.initial_units = sum(self.manufacturer.finished.on_hand) + sum(
            sum(d.stock.on_hand) for d in self.dealers
        )

        self.arrivals = ArrivalProcess(scenario.demand, cat.total_rate)
        # hot-path constants (pydantic attribute reads are slow per event)
        self._seasonal = self.arrivals.seasonal
        self._keep_probability = self.arrivals.keep_probability
        if ccfg.memory == "market":
            self.reputation = MarketReputation(
                ccfg.reputation_half_life,
                ccfg.reputation_sensitivity,
                self.arrivals.keep_probability if self._seasonal else None,
            )
            self._keep_probability = self.reputation.keep_probability
            self._seasonal = True  # thin every candidate arrival by the reputation
        self._mean_gap = 1.0 / self.arrivals.max_rate
        self._loyalty = scenario.customers.loyalty
        self._n_customers = len(self.customers)
        self.cumulative = cat.cumulative  # popularity quantiles (lifecycle.py may shift them)
        self._last_variant = len(cat.cumulative) - 1
        self._demand = self.streams["demand"]
        self._choice = self.streams["customer_choice"]
        self._log_gamma = self.kpi.total.sketch._log_gamma  # every group's sketch has it
        self.sampler: Sampler | None = None
        self.datacollector: mesa.DataCollector | None = None  # the sampler's, when sampling
        self.utilization_periods = Welford()
        self.window = KpiWindow(self)
        self.run_out_share: list[float] | None = None  # set by the life cycle (run-out)
        self.life_cycle = LifeCycle(self)
        policies = adaptive or reviewed_policy(scenario.capacity)
        self.reviewer = Reviewer(self) if policies else None
        self._schedule_start()

    # -- construction ---------------------------------------------------------------------
    def finished_levels(self, dealer: bool = False) -> Levels:
        """Per variant, the accumulators a finished unit on hand feeds (see
        :func:`btoagents.wiring.finished_levels`)."""
        return wiring.finished_levels(self.kpi, self.catalog, self.ledger, dealer)

    def component_levels(self) -> Levels:
        """Per component, the accumulators a component on hand feeds (units, value)."""
        return wiring.component_levels(self.kpi, self.cfg)

    def _return_components(self, component: int, units: int) -> None:
        """Components the plant returns (negative order-up-to orders) go to their supplier."""
        self.supplier_of[component].accept_return(component, units)

    def _schedule_start(self) -> None:
        cal = self.cal
        cal.at(self._demand.exponential() / self.arrivals.max_rate, self._arrival)
        self.window.start_warmup()
        self.periodic_review.start(self.stock_points)
        self.life_cycle.start_generations()
        for im in self.intermediaries:
            im.start()
        if self.reviewer is not None:
            self.reviewer.start()
        self.window.start_utilization()
        self.life_cycle.start_shift()
        every = self.cfg.simulation.sample_every
        if every > 0:
            self.sampler = Sampler(self, every)
            self.datacollector = self.sampler.collector
            self.sampler.start()

    # -- demand ---------------------------------------------------------------------------
    def pick_variant(self, u: float) -> int:
        """The variant at popularity quantile ``u`` in [0, 1)."""
        cum = self.catalog.cumulative
        return min(bisect_right(cum, u), len(cum) - 1)

    def _arrival(self, _: Any = None) -> None:
        """A candidate purchase: thinned by season, the market's reputation and the
        customer's multiplier.

        Every candidate draws the same four uniforms and one exponential whatever happens
        to it, so that two policies under one seed see the same customers.
        """
        d = self._demand
        cal = self.cal
        now = cal.now
        u_customer, u_keep = d.pair()
        cust = self.customers[int(u_customer * self._n_customers)]
        keep_p = self._keep_probability(now) if self._seasonal else 1.0
        keep = u_keep < keep_p * cust.multiplier
        u_variant, u_loyal = self._choice.pair()
        cal._seq += 1  # cal.after(gap, self._arrival), inlined (once per candidate)
        heappush(cal._heap, (now + d.exponential() * self._mean_gap, cal._seq, self._arrival, None))
        if keep:
            if u_loyal < self._loyalty:
                v = cust.favourite
            else:
                v = min(bisect_right(self.cumulative, u_variant), self._last_variant)
            if self.trace_on:
                self.trace.append((now, cust.index, v))
            cust.purchase(v)

    def order_arrived(self, order: Order) -> None:
        """A final customer's order arrives (before its fate is known): it takes the
        variant's current strategy and is counted."""
        self.arrived_final += 1
        order.strategy = self.strategy[order.variant]
        if self.ledger is not None:
            self.ledger.orders[order.variant] += 1
        if order.counted:
            unstocked = order.strategy != BTS
            for g in self.kpi.group_of[self.family[order.variant], order.strategy]:
                g.arrived += 1
                if unstocked:
                    g.unstocked += 1

    def order_lost(self, order: Order) -> None:
        """An arrived order is lost (the customer would not wait, or it was refused)."""
        self.lost_final += 1
        if self.ledger is not None:
            self.ledger.lost[order.variant] += 1
        if order.counted:
            for g in self.kpi.group_of[self.family[order.variant], order.strategy]:
                g.lost += 1
        if self.counting:
            self.kpi.flows.lost_sales += 1

    def _open(self, order: Order, delta: int) -> None:
        """An accepted order opens (+1) or is delivered (-1): backlog levels and residence."""
        self.open_final += delta
        now = self.cal.now
        kpi = self.kpi
        for acc in (kpi.backlog, kpi.backlog_by_family[self.family[order.variant]]):
            acc.area += acc.level * (now - acc.last)  # TimeAverage.add, inlined (hot path)
            acc.last = now
            acc.level += delta
        w = self.warmup
        if order.arrival < w:
            self.open_before_warmup += delta
        else:
            self.open_after_warmup += delta
            self.open_arrival_sum += delta * order.arrival
        if delta < 0 and now >= w:
            self.backlog_residence += now - max(order.arrival, w)
        if order.counted:
            self.counted_open += delta

    def sell_from_stock(
        self, order: Order, pos: StockPoint, variant: int, offered: float = 0.0
    ) -> None:
        """Hand over a unit from ``pos`` at once, marked down by its age (or by an offered
        or run-out incentive share, whichever is larger); then replenish."""
        if self.run_out_share is not None and variant in self.life_cycle.in_run_out:
            self._sell_in_run_out(order, pos, variant, offered)
            return
        age = pos.take(variant)
        share = self.markdown.discount(age) if self._markdowns else 0.0
        if offered > share:
            share = offered
        discount = share * self.price[variant]
        self._deliver(order, discount, True)
        pos.replenish(variant)

    def _sell_in_run_out(self, order: Order, pos: StockPoint, variant: int, offered: float) -> None:
        """:meth:`sell_from_stock` of a generation in run-out: at least the run-out
        incentive; its demand and orders stay out of the bullwhip (counted as end of life)."""
        life = self.life_cycle
        life.sold_in_run_out()
        share = self.run_out_share[variant] if self.run_out_share is not None else 0.0
        marks = self.kpi.eol_mark(self.cal.now)
        age = pos.take(variant)
        markdown = self.markdown.discount(age) if self._markdowns else 0.0
        self._deliver(order, max(markdown, offered, share) * self.price[variant], True)
        pos.replenish(variant)
        self.kpi.eol_move(marks)

    def quote_backorder(self, order: Order) -> float:
        """Lead time to quote for a stocked variant that is out of stock at the point of sale
        (with pipeline matching, the soonest unsold unit in the pipeline when sooner)."""
        dealer = order.dealer  # self._backorder_quote(order), inlined (half of all orders)
        if dealer is not None:
            days = dealer.quote_backorder(order.variant)
        else:
            days = self.manufacturer.stock_quote(order.variant)
        matcher = self.manufacturer.matcher
        if matcher is not None:
            days = min(days, matcher.quote(order.variant))
        return days

    def _backorder_quote(self, order: Order) -> float:
        if order.dealer is not None:
            return order.dealer.quote_backorder(order.variant)
        return self.manufacturer.stock_quote(order.variant)

    def accept_backorder(self, order: Order, pos: StockPoint) -> None:
        """The order waits at ``pos`` for the next unit of its stocked variant (or, with
        pipeline matching, takes over a unit in the pipeline that comes sooner)."""
        self._open(order, 1)
        if self.reneging is not None:
            self.reneging.watch(order)
        matcher = self.manufacturer.matcher
        if matcher is not None and matcher.take(order, self._backorder_quote(order)):
            return
        if self.run_out_share is not None and order.variant in self.life_cycle.in_run_out:
            marks = self.kpi.eol_mark(self.cal.now)  # run-out: out of the bullwhip
            pos.enqueue(order.variant, order)
            pos.replenish(order.variant)
            self.kpi.eol_move(marks)
            return
        pos.enqueue(order.variant, order)
        pos.replenish(order.variant)

    def accept_build_order(self, order: Order) -> None:
        """The order goes to the plant to be built (ato, bto or eto)."""
        self._open(order, 1)
        if self.reneging is not None:
            self.reneging.watch(order)
        self.manufacturer.accept(order, order.strategy)

    # -- demand management and strategy switches ------------------------------------------
    def request_deferred(self, customer: FinalCustomer, order: Order) -> None:
        """A request quoted beyond the promise: the customer comes back later."""
        if self.counting:
            self.kpi.flows.deferred += 1
        dm = self.cfg.demand_management
        self.cal.after(dm.defer_days, customer.retry, (order.variant, order.attempt + 1))

    def request_rejected(self, order: Order) -> None:
        """A request quoted beyond the promise is refused: a lost sale."""
        if self.counting:
            self.kpi.flows.rejected += 1
        self.order_lost(order)

    def incentive_taken(self) -> None:
        """A customer took a marked-down near variant offered by demand management."""
        if self.counting:
            self.kpi.flows.incentives += 1

    def slot_discount_taken(self) -> None:
        """A customer accepted a later slot for a discount."""
        if self.counting:
            self.kpi.flows.slot_discounts += 1

    def set_strategy(self, variant: int, strategy: int) -> None:
        """Switch ``variant`` to ``strategy`` (a policy's decision); orders from now on see it.

        Stock targets are the reviewer's business (:mod:`btoagents.policies.review`).
        """
        old = self.strategy[variant]
        if old == strategy:
            return
        self.strategy[variant] = strategy
        delta = int(strategy == BTS) - int(old == BTS)
        if delta:
            self.bts_variants.add(self.cal.now, delta)
        if self.counting:
            self.kpi.flows.switches += 1

    # -- flows of finished units -------------------------------------------------------------
    def fill_finished(self, claim: Any, item: int, sp: StockPoint, age: float) -> None:
        """A unit of finished stock is allotted to ``claim`` (transfer, backorder or bulk unit)."""
        if type(claim) is Transfer:
            delay = self.cfg.dealers.transport_time
            if delay > 0:
                self.in_transit_units += 1
                self.kpi.pipeline_value.add(self.cal.now, self.unit_cost[item])
                self.cal.after(delay, self._transfer_arrived, claim)
                matcher = self.manufacturer.matcher
                if matcher is not None:
                    matcher.shipped(claim, self.cal.now + delay)
            else:
                claim.dest.receive(item, 1)
        elif claim.kind == FINAL:
            self._deliver(claim, 0.0, False)
        else:
            self._bulk_unit(claim)

    def finished_return(self, variant: int, units: int) -> None:
        """Units a dealer sends back to the plant (negative order-up-to orders)."""
        self.manufacturer.finished.receive(variant, units, ordered=False)

    def _transfer_arrived(self, transfer: Transfer) -> None:
        self.in_transit_units -= 1
        self.kpi.pipeline_value.add(self.cal.now, -self.unit_cost[transfer.item])
        matcher = self.manufacturer.matcher
        if matcher is not None:
            order = transfer.order
            if order is not None:  # taken over in transit by a customer (pipeline matching)
                matcher.in_transit -= 1
                self._deliver(order, 0.0, False)
                return
            matcher.arrived(transfer)
        transfer.dest.receive(transfer.item, 1)

    def unit_built(self, order: Order) -> None:
        """The plant finished the unit of a build-to-order or bulk order."""
        if order.kind == BULK:
            self._bulk_unit(order)
            return
        dealer = order.dealer
        if dealer is not None and dealer.transport_time > 0:
            self.in_transit_units += 1
            self.in_transit_orders += 1
            self.kpi.pipeline_value.add(self.cal.now, self.unit_cost[order.variant])
            self.cal.after(dealer.transport_time, self._order_arrived_at_dealer, order)
        else:
            self._deliver(order, 0.0, False)

    def dealer_trade(self, order: Order, pos: StockPoint, variant: int, days: float) -> None:
        """Move a unit of ``variant`` from another dealer's lot ``pos`` to ``order``'s
        customer by a lateral transfer of ``days`` > 0 days (:mod:`btoagents.pooling`): the
        unit leaves the lot now (which restocks by its policy) and travels with its order
        open; the customer is quoted ``days`` and pays the unit's markdown by its age."""
        age = pos.take(variant)
        order.discount = self.markdown.discount(age) if self._markdowns else 0.0
        pos.replenish(variant)
        order.quoted = days
        self._open(order, 1)
        self.in_transit_units += 1
        self.in_transit_orders += 1
        self.cal.after(days, self._order_arrived_at_dealer, order)

    def _order_arrived_at_dealer(self, order: Order) -> None:
        self.in_transit_units -= 1
        self.in_transit_orders -= 1
        self.kpi.pipeline_value.add(self.cal.now, -self.unit_cost[order.variant])
        self._deliver(order, 0.0, False)

    def _deliver(self, order: Order, discount: float, from_stock: bool) -> None:
        """A final customer receives its unit: KPIs, money and the customer's memory."""
        if not from_stock and order.state:  # cancelled while waiting (reneging.py)
            self.reneging.unit_arrived(order)
            return
        now = self.cal.now
        self.delivered_units += 1
        self.delivered_final += 1
        v = order.variant
        if not from_stock:
            order.state = 1  # delivered
            self._open(order, -1)
            if order.discount:
                discount = order.discount * self.price[v]
        lead = now - order.arrival
        if order.counted:
            target = self.kpi.target
            # from stock: lead 0, quote 0, on time to the quote; a unit of a variant not
            # built to stock is served from stock only when one was left
            late = not from_stock and lead > order.quoted + self.kpi.tolerance + 1e-9
            unstocked = from_stock and order.strategy != BTS
            groups = self.kpi.group_of[self.family[order.variant], order.strategy]
            # QuantileSketch.bucket, inlined: one logarithm for all the groups
            bucket = ceil(log(lead) / self._log_gamma) if lead > 1e-12 else None
            for g in groups:
                g.delivered += 1
                g.lead_sum += lead
                sk = g.sketch  # QuantileSketch.add_bucket, inlined (three groups per order)
                sk.count += 1
                if bucket is None:
                    sk.zeros += 1
                else:
                    counts = sk.buckets
                    counts[bucket] = counts.get(bucket, 0) + 1
                if lead <= target:
                    g.on_time += 1
                if late:
                    g.late_to_quote += 1
                if from_stock:
                    g.from_stock += 1
                    if unstocked:
                        g.unstocked_from_stock += 1
            if not from_stock:
                q = self.kpi.quotes
                q.delivered += 1
                q.error_sum += lead - order.quoted
                if lead <= order.quoted + 1e-9:
                    q.within += 1
        if self.counting:
            flows = self.kpi.flows
            flows.revenue += self.price[v]
            flows.discount += discount
            flows.cogs += self.unit_cost[v]
        led = self.ledger
        if led is not None:
            led.margin[v] += self.price[v] - discount - self.unit_cost[v]
            if not from_stock:
                led.wait[v] += lead
        if self._judging and order.customer is not None:
            self._judge(order, lead)

    def close_open(self, order: Order) -> None:
        """An accepted order leaves the backlog undelivered (its customer cancelled it)."""
        self._open(order, -1)

    def scrap(self, variant: int, units: int = 1) -> None:
        """Write off ``units`` of ``variant`` at their salvage value (a generation's stock at
        its end of life, or a unit built to the order of a customer who cancelled it):
        obsolescence, unit cost minus salvage per unit."""
        var = self.catalog.variants[variant]
        self.written_off += units
        loss = units * (var.unit_cost - var.salvage)
        if self.counting:
            self.kpi.flows.obsolescence += loss
        if self.ledger is not None:
            self.ledger.obsolete[variant] += loss

    def service_failed(self, order: Order) -> None:
        """An order was cancelled for waiting too long: the customer (individual memory) or
        the market (market memory) remembers it as a late delivery."""
        if not self._judging or order.customer is None:
            return
        if self.reputation is not None:
            self.reputation.record(self.cal.now, True)
        else:
            order.customer.delivered(True)

    def _judge(self, order: Order, lead: float) -> None:
        """The customer (individual memory) or the market (market memory) judges a delivery
        after ``lead`` days: late when beyond the quote plus ``customers.late_tolerance``."""
        late = lead > order.quoted + self._late_slack
        if self.reputation is not None:
            self.reputation.record(self.cal.now, late)
        else:
            order.customer.delivered(late)

    def bulk_placed(self, bulk: BulkOrder) -> None:
        """An intermediary placed a bulk order (counted apart from final customers)."""
        if self.counting:
            self.kpi.flows.bulk_orders += 1
            self.kpi.flows.bulk_units += bulk.units

    def _bulk_unit(self, unit: Order) -> None:
        self.delivered_units += 1
        bulk = unit.bulk
        bulk.outstanding -= 1
        now = self.cal.now
        if self.counting:
            var = self.catalog.variants[unit.variant]
            factor = self.cfg.intermediaries[bulk.buyer].price_factor
            self.kpi.flows.revenue += var.price * factor
            self.kpi.flows.cogs += var.unit_cost
        if bulk.outstanding == 0 and unit.counted:
            self.kpi.flows.bulk_done += 1
            self.kpi.flows.bulk_lead_sum += now - bulk.arrival

    def restock_ordered(self, quantity: int) -> None:
        """A dealer ordered ``quantity`` units from the plant (one restocking order)."""
        if self.counting:
            self.kpi.flows.restock_orders += 1

    # -- running --------------------------------------------------------------------------
    def run(self) -> dict[str, float]:
        """Run to the horizon, drain, check conservation and return the KPI record.

        At the horizon the KPI window closes: time averages, money and counts stop there.
        With ``simulation.drain`` the model then runs on (customers still arrive, so the
        plant stays as busy as it was) until every order that arrived in the window is
        delivered, or for at most ``drain_limit`` days, so that lead times are not
        censored: an order with a long lead time counts as surely as a short one.
        """
        sim = self.cfg.simulation
        self.cal.run_until(self.horizon)
        self.close_window()
        if sim.drain and self.counted_open > 0:
            limit = sim.drain_limit if sim.drain_limit is not None else self.horizon - self.warmup
            self.cal.run_while(self.horizon + limit, self._draining)
        self.time = self.cal.now
        self.check_conservation()
        return self.kpis()

    def _draining(self) -> bool:
        return self.counted_open > 0

    def close_window(self) -> None:
        """End of the KPI window (the horizon): freeze the time-average and money KPIs."""
        self.counting = False
        self._little = self.littles_law_gaps()
        self._window = window_kpis(self)
        if self.kpi_plugins:
            self._plugin_kpis = self._window_plugin_kpis(self._window)
        self.window_closed = True

    def _window_plugin_kpis(self, window: dict[str, float]) -> dict[str, float]:
        """The values of the KPI plugins called at the end of the window (not after_drain)."""
        runs = [r for r in self.kpi_plugins if not r.after_drain]
        return kpi_plugins.evaluate(runs, window, self)

    def timeseries(self) -> pd.DataFrame:
        """Sampled levels (when ``simulation.sample_every`` > 0), one row per sample."""
        if self.sampler is None:
            return pd.DataFrame()
        return self.sampler.frame()

    def check_conservation(self) -> None:
        """Units and orders must balance; stock never negative. Raises ConservationError
        (see :func:`btoagents.audit.check_conservation`)."""
        audit.check_conservation(self)

    def littles_law_gaps(self) -> dict[str, float]:
        """Time-average backlog and finished stock minus their residence per day of window
        (sample-path Little's law, see :func:`btoagents.audit.littles_law_gaps`); frozen at
        the end of the window."""
        if self._little is not None:
            return self._little
        return audit.littles_law_gaps(self)

    def kpis(self) -> dict[str, float]:
        """The KPI record of this run (names and units: :mod:`btoagents.kpis.catalogue`; see
        :func:`btoagents.kpis.record.kpi_record`).

        Order KPIs (fill rate, lead times, on-time and lost-sales rates) cover the orders
        that arrived in the window [warmup, horizon]; the others are time averages and
        rates over that window. The KPI plugins' values come last
        (:mod:`btoagents.kpis.plugin`).
        """
        window = self._window if self._window is not None else window_kpis(self)
        record = kpi_record(self.kpi, self.catalog, window)
        if self.dealers:
            record["dealer_days_of_supply"] = dealer_days_of_supply(record)
        if self.reneging is not None:  # RENEGING_KPIS, with customers.renege
            arrived = self.kpi.total.arrived
            record["renege_rate"] = self.reneging.counted / arrived if arrived else math.nan
        if self.kpi_plugins:
            record.update(
                self._plugin_kpis if self._window is not None else self._window_plugin_kpis(window)
            )
            late = [r for r in self.kpi_plugins if r.after_drain]
            record.update(kpi_plugins.evaluate(late, record, self))
        return record
