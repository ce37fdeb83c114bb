"""The model's vocabulary: strategies, order kinds, priority classes and acceptance decisions.

Each is an :class:`enum.IntEnum`, so a member is also the small integer the hot path indexes
lists and dictionaries with (``kpi.group_of[family, strategy]``, ``queues[job.cls]``), and
comparing two members costs what comparing two ints costs. Modules import the members
(``from btoagents.vocabulary import Strategy``) and never spell the integers.
"""

from __future__ import annotations

from enum import IntEnum


class Strategy(IntEnum):
    """How a variant meets a final customer's order (the decoupling point's position).

    BTS: built to stock ahead of orders (make-to-stock); ATO: assembled to order from
    stocked components; BTO: built to order from scratch (make-to-order); ETO: engineered
    to order (a build-to-order order with its own engineering time first).
    """

    BTS = 0
    ATO = 1
    BTO = 2
    ETO = 3

    @property
    def label(self) -> str:
        """The name used in scenario files and KPI suffixes (``bts``, ``ato``, ...)."""
        return self.name.lower()

    @classmethod
    def parse(cls, label: str) -> Strategy:
        """The strategy named ``label`` (``"bts"``, ``"ato"``, ``"bto"`` or ``"eto"``)."""
        return cls[label.upper()]


STRATEGY_LABELS: tuple[str, ...] = tuple(s.label for s in Strategy)


class OrderKind(IntEnum):
    """Who placed an order: a final customer (the only orders customer KPIs count) or an
    intermediary buying in bulk (national sales company, fleet, OEM)."""

    FINAL = 0
    BULK = 1


class Priority(IntEnum):
    """A production job's class under the priority disciplines: work bound to a final
    customer's order is served before stock replenishment and bulk work."""

    CUSTOMER = 0
    STOCK = 1


class Admission(IntEnum):
    """Demand management's answer to a request quoted beyond the promise."""

    ACCEPT = 0
    REJECT = 1
    DEFER = 2
