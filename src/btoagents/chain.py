"""What agents, policies and the audit see of the model: typed, structural interfaces.

Agents and the reviewer hold the model as a :class:`Chain`: the shared clock, random
streams and catalogue, the variants' current strategies, and the callbacks through which an
order or a unit moves on (``order_arrived``, ``sell_from_stock``, ``unit_built``...). They
see other agents only through the small roles below (:class:`Plant`, :class:`Outlet`,
:class:`Supplier`, :class:`Buyer`), never through the model's class, so that neither
``agents/`` nor ``policies/`` imports :mod:`btoagents.model` (no import cycle) and a test may
drive an agent with any object that has these members.

Members are read as plain attributes on the event hot path (a property or a method call per
event would cost time), so the model sets them once at construction. Units: days,
currency, units.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from btoagents.calendar import Calendar
    from btoagents.config.schema import Scenario
    from btoagents.demand import ArrivalProcess
    from btoagents.distributions import Duration
    from btoagents.kpis.accumulators import TimeAverage, Welford
    from btoagents.kpis.collector import KpiCollector
    from btoagents.matching import PipelineMatcher
    from btoagents.orderbank import OrderBank
    from btoagents.policies.demand_management import DemandManager
    from btoagents.policies.ledger import VariantLedger
    from btoagents.policies.markdown import MarkdownSchedule
    from btoagents.pooling import DealerPool
    from btoagents.production import Workcenter
    from btoagents.products import Catalog
    from btoagents.random import Streams
    from btoagents.records import BulkOrder, Order
    from btoagents.reneging import Reneging
    from btoagents.stock import StockPoint

#: Per item, the (time-average, weight) pairs a unit on hand feeds.
Levels = list[list[tuple["TimeAverage", float]]]


class Plant(Protocol):
    """The manufacturer as others see it: its stocks, its lines and its order intake."""

    finished: StockPoint
    components: StockPoint
    workcenter: Workcenter
    produced: int
    in_planning: int
    awaiting_components: int
    bank: OrderBank | None  # the order bank (order_bank.enabled), else None
    horizon: list[float]  # per variant, the frozen horizon (days)
    matcher: PipelineMatcher | None  # pipeline matching (order_bank.pipeline_matching)

    def quote(self, variant: int, strategy: int) -> float:
        """Days until a new order for ``variant`` under ``strategy`` leaves the plant."""
        ...

    def stock_quote(self, variant: int) -> float:
        """Days until a new stock job for ``variant`` leaves the plant."""
        ...

    def accept(self, order: Order, strategy: int) -> None:
        """Take an accepted customer order."""
        ...

    def build_bulk(self, order: Order) -> None:
        """Build one unit of a bulk order."""
        ...


class Outlet(Protocol):
    """A dealer as others see it: its lot, its share of demand and its transport time."""

    stock: StockPoint
    share: float
    transport_time: float

    def quote_backorder(self, variant: int) -> float:
        """Days quoted for a stocked variant the dealer has run out of."""
        ...

    def set_target(self, variant: int, units: int) -> None:
        """Hold ``units`` of ``variant`` from now on (as the dealer's class allows)."""
        ...


class Supplier(Protocol):
    """A component supplier as the plant and the reviewer see it."""

    lead_time: Duration
    workcenter: Workcenter

    def request(self, component: int, quantity: int, dest: StockPoint) -> None:
        """Order ``quantity`` units of ``component`` for stock point ``dest``."""
        ...

    def accept_return(self, component: int, units: int) -> None:
        """Take back returned units."""
        ...


class Buyer(Protocol):
    """A final customer as the model and the reviewer see it."""

    index: int
    patience: float

    def retry(self, request: tuple[int, int]) -> None:
        """Come back for a deferred request ``(variant, attempt)``."""
        ...

    def delivered(self, late: bool) -> None:
        """Remember a delivery (late or not)."""
        ...


class Chain(Protocol):
    """The model as its agents and policies see it.

    Attributes (read-only to agents unless a callback says otherwise)::

        cfg: the scenario; cal: the event calendar (``cal.now`` in days); streams: the
            replication's named random streams; catalog: variants and components.
        strategy, price, unit_cost: per variant, the current strategy and money per unit.
        counting: whether the KPI window is open (orders placed now are counted).
        substitution: customers may take a marked-down near variant.
        pool: dealer pooling (None when off): the region's lots and the customers' choice.
        dm: demand management (None when off); markdown: the dealers' markdown schedule.
        ledger: per-variant records of the adaptive policies (None when static).
        kpi: the run's KPI accumulators; arrivals: the final-customer arrival process.
        plant, dealers, customers, supplier_of: the other agents, in their roles
            (``supplier_of[c]`` supplies component ``c``).
    """

    cfg: Scenario
    cal: Calendar
    streams: Streams
    catalog: Catalog
    strategy: list[int]
    price: list[float]
    unit_cost: list[float]
    counting: bool
    substitution: bool
    dm: DemandManager | None
    pool: DealerPool | None
    markdown: MarkdownSchedule
    ledger: VariantLedger | None
    kpi: KpiCollector

    @property
    def arrivals(self) -> ArrivalProcess: ...

    @property
    def plant(self) -> Plant: ...

    @property
    def dealers(self) -> Sequence[Outlet]: ...

    @property
    def customers(self) -> Sequence[Buyer]: ...

    @property
    def supplier_of(self) -> Sequence[Supplier]: ...

    # -- wiring -------------------------------------------------------------------------
    def pick_variant(self, u: float) -> int:
        """The variant at popularity quantile ``u`` in [0, 1)."""
        ...

    def finished_levels(self, dealer: bool = False) -> Levels:
        """Per variant, the accumulators a finished unit on hand feeds."""
        ...

    def component_levels(self) -> Levels:
        """Per component, the accumulators a component on hand feeds."""
        ...

    # -- final-customer orders ----------------------------------------------------------
    def order_arrived(self, order: Order) -> None:
        """A final customer's order arrives."""
        ...

    def order_lost(self, order: Order) -> None:
        """An arrived order is lost."""
        ...

    def sell_from_stock(
        self, order: Order, pos: StockPoint, variant: int, offered: float = 0.0
    ) -> None:
        """Hand over a unit of ``variant`` from ``pos`` at once (marked down by age or by
        an ``offered`` share of list price)."""
        ...

    def quote_backorder(self, order: Order) -> float:
        """Days quoted for a stocked variant out of stock at the point of sale."""
        ...

    def accept_backorder(self, order: Order, pos: StockPoint) -> None:
        """The order waits at ``pos`` for the next unit."""
        ...

    def accept_build_order(self, order: Order) -> None:
        """The order goes to the plant to be built."""
        ...

    def dealer_trade(self, order: Order, pos: StockPoint, variant: int, days: float) -> None:
        """Bring a unit from another dealer's lot ``pos`` to the order by a lateral transfer
        of ``days`` days."""
        ...

    def request_deferred(self, customer: Buyer, order: Order) -> None:
        """Demand management defers the request: the customer comes back."""
        ...

    def request_rejected(self, order: Order) -> None:
        """Demand management refuses the request: a lost sale."""
        ...

    def incentive_taken(self) -> None:
        """A customer took a marked-down near variant."""
        ...

    def slot_discount_taken(self) -> None:
        """A customer accepted a later slot for a discount."""
        ...

    def set_strategy(self, variant: int, strategy: int) -> None:
        """Switch ``variant`` to ``strategy`` (a policy's decision)."""
        ...

    # -- units ----------------------------------------------------------------------------
    def fill_finished(self, claim: Any, item: int, sp: StockPoint, age: float) -> None:
        """A unit of finished stock is allotted to ``claim``."""
        ...

    def finished_return(self, variant: int, units: int) -> None:
        """Units a dealer sends back to the plant."""
        ...

    def unit_built(self, order: Order) -> None:
        """The plant finished the unit of a customer or bulk order."""
        ...

    def bulk_placed(self, bulk: BulkOrder) -> None:
        """An intermediary placed a bulk order."""
        ...

    def restock_ordered(self, quantity: int) -> None:
        """A dealer ordered units from the plant."""
        ...


class Audited(Chain, Protocol):
    """What the end-of-run audit (:mod:`btoagents.audit`) reads besides the chain.

    Conservation counters cover the whole run, warm-up included (units, orders); the
    Little's-law counters cover accepted orders open inside the window [warmup, now]
    (order-days, orders, days).
    """

    warmup: float
    stock_points: list[StockPoint]
    initial_units: int
    delivered_units: int
    written_off: int
    in_transit_units: int
    in_transit_orders: int
    arrived_final: int
    delivered_final: int
    lost_final: int
    open_final: int
    backlog_residence: float
    open_before_warmup: int
    open_after_warmup: int
    open_arrival_sum: float
    reneging: Reneging | None


class Recorded(Chain, Protocol):
    """What the KPI record (:func:`btoagents.kpis.record.window_kpis`) reads besides the
    chain: the window's start (days), the suppliers, the per-period utilization variance
    and the number of BTS variants over time."""

    warmup: float
    utilization_periods: Welford
    bts_variants: TimeAverage

    @property
    def suppliers(self) -> Sequence[Supplier]: ...
