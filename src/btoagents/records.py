"""Light records passed between agents: orders, transfers and production jobs.

They are ``slots`` dataclasses, not Mesa agents, so that memory is bounded by what is alive
and a run does not pay agent registration per order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from btoagents.vocabulary import OrderKind

# Who placed an order.
FINAL = OrderKind.FINAL
BULK = OrderKind.BULK


@dataclass(slots=True, eq=False)
class Order:
    """One unit wanted by a final customer or an intermediary.

    Times in days. ``quoted`` is the lead time promised at acceptance (0 from stock).
    ``attempt`` counts earlier deferred tries of the same request.
    """

    variant: int
    arrival: float
    kind: int = FINAL
    customer: Any = None
    dealer: Any = None
    quoted: float = 0.0
    counted: bool = True
    missing: int = 0
    bulk: Any = None
    strategy: int = 0
    attempt: int = 0
    discount: float = 0.0  # share of list price granted at acceptance (a slot incentive)
    state: int = 0  # 0 open, 1 delivered, 2 cancelled by the customer (btoagents.reneging)


@dataclass(slots=True, eq=False)
class Transfer:
    """One unit to move from an upstream stock point to ``dest`` (a replenishment order)."""

    item: int
    dest: Any
    placed: float
    order: Any = None  # a customer order that took the unit over in transit (matching)


@dataclass(slots=True, eq=False)
class Job:
    """One unit of work on a workcenter: a customer order (``order``) or stock (``dest``).

    ``cls`` is :class:`~btoagents.vocabulary.Priority` ``CUSTOMER`` for work bound to a
    final customer's order (served first under the priority disciplines) and ``STOCK``
    for stock replenishment and bulk orders.
    """

    item: int
    cls: int
    order: Order | None = None
    dest: Any = None
    remaining: float | None = None  # work left (days); None until service first starts
    started: float = 0.0
    token: float = 0.0  # completion time of the scheduled event; -1 when preempted
    overtime: bool = False


@dataclass(slots=True, eq=False)
class BulkOrder:
    """An intermediary's order for ``units`` units of one variant; done when all arrive."""

    variant: int
    units: int
    arrival: float
    buyer: str
    outstanding: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
