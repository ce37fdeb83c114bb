"""The order bank: one build-slot schedule for customer, dealer-stock and bulk orders.

Car plants schedule every order - a customer's, a dealer's stock order, a fleet's - into
build slots of limited capacity, and freeze the schedule for a horizon (Holweg, Disney,
Hines and Naim, "Towards responsive vehicle supply: a simulation-based investigation into
automotive scheduling systems", Journal of Operations Management 23(5), 2005). Here:

- time is cut into slots of ``order_bank.slot_days`` days, each of ``capacity`` units
  (by default the regular line capacity of a slot times ``order_bank.load_factor``);
- an order placed at ``now`` may not be scheduled before ``now + release_days`` of its
  product (the frozen horizon; for eto, after its design time as well); it takes the
  earliest slot with room at or after that time (:class:`~btoagents.policies.slots.SlotBook`);
- it is released to the plant at its slot time: a customer order through the plant's
  release (components, assembly), a stock or bulk job straight to the line.

So the build-to-order lead time is the frozen horizon when slots are free and grows when
they fill: it responds to the load and has a spread. Placement order between order types is
the policy (``order_bank.priority``): ``fcfs`` books in placement order; ``reserve`` keeps
``customer_share`` of every slot for customer orders.

The bank keeps, per variant, its unsold stock jobs in release order, so that pipeline
matching (:mod:`btoagents.matching`) can hand one over to a customer.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING

from btoagents.policies.slots import SlotBook
from btoagents.records import FINAL, Job, Order

if TYPE_CHECKING:
    from btoagents.calendar import Calendar
    from btoagents.config.schema import Scenario


def slot_capacity(scenario: Scenario) -> int:
    """Units per slot: ``order_bank.capacity``, else floor(lines x service_rate x slot_days x
    load_factor), at least 1."""
    cfg = scenario.order_bank
    if cfg.capacity is not None:
        return cfg.capacity
    m = scenario.manufacturer
    return max(1, math.floor(m.lines * m.service_rate * cfg.slot_days * cfg.load_factor))


class OrderBank:
    """Orders waiting for their build slot.

    Args:
        cal: the model's calendar.
        book: the slot book (capacity per slot, reserved customer units).
        n_items: number of variants (for the per-variant lists of stock jobs).
        release_order: called with a customer order at its slot time.
        submit: called with a stock or bulk job at its slot time.
    """

    def __init__(
        self,
        cal: Calendar,
        book: SlotBook,
        n_items: int,
        release_order: Callable[[Order], None],
        submit: Callable[[Job], None],
        lines: int = 1,
        customer_share: float = 0.0,
    ) -> None:
        self.cal = cal
        self.book = book
        self.per_line = book.capacity / lines  # slot units one line stands for
        self.customer_share = customer_share
        self.release_order = release_order
        self.submit = submit
        self.stock_jobs: list[deque[tuple[float, Job]]] = [deque() for _ in range(n_items)]
        self.orders = 0  # customer orders held
        self.jobs = 0  # stock and bulk jobs held
        self.claimed = 0  # held stock jobs taken over by a customer order
        self.placed = 0
        self.released = 0

    @classmethod
    def from_scenario(
        cls,
        scenario: Scenario,
        cal: Calendar,
        n_items: int,
        release_order: Callable[[Order], None],
        submit: Callable[[Job], None],
    ) -> OrderBank:
        """The bank ``[order_bank]`` describes (capacity, reserved share)."""
        cfg = scenario.order_bank
        capacity = slot_capacity(scenario)
        reserved = 0
        if cfg.priority == "reserve":
            reserved = min(capacity - 1, math.floor(cfg.customer_share * capacity))
        book = SlotBook(cfg.slot_days, capacity, reserved)
        share = cfg.customer_share if cfg.priority == "reserve" else 0.0
        lines = scenario.manufacturer.lines
        return cls(cal, book, n_items, release_order, submit, lines, share)

    # -- capacity ----------------------------------------------------------------------
    def set_lines(self, lines: int) -> None:
        """Plan slots for ``lines`` lines from now on (a capacity policy's overtime lines
        count): capacity per slot scales with the lines, the reserved share stays."""
        book = self.book
        book.capacity = max(1, math.floor(self.per_line * lines + 1e-9))
        book.reserved = min(book.capacity - 1, math.floor(self.customer_share * book.capacity))

    def excess(self, horizon: float) -> int:
        """Units booked beyond what the slots can release by ``now + horizon`` (days, the
        frozen horizon): the first free slot's delay past it times the slot rate. The
        backlog a capacity policy sees in the bank (0 while slots at the horizon are free).
        """
        at = self.cal.now + horizon
        delay = self.book.start(at) - at
        return math.floor(delay * self.book.capacity / self.book.slot_days)

    # -- placing -----------------------------------------------------------------------
    def quote(self, earliest: float, customer: bool = True) -> float:
        """Release time (days) an order placed now that may not start before ``earliest``
        would get, without booking it."""
        return self.book.start(earliest, customer)

    def place_order(self, order: Order, earliest: float) -> float:
        """Book a customer order into the first free slot at or after ``earliest`` (days);
        returns its release time."""
        t = self.book.book(earliest, self.cal.now, True)
        self.orders += 1
        self.placed += 1
        self.cal.at(t, self._order_due, order)
        return t

    def place_job(self, job: Job, earliest: float) -> float:
        """Book a stock or bulk job (not a customer's) into the first slot with room for it
        at or after ``earliest`` (days); returns its release time."""
        t = self.book.book(earliest, self.cal.now, False)
        self.jobs += 1
        self.placed += 1
        if job.order is None:
            self.stock_jobs[job.item].append((t, job))
        self.cal.at(t, self._job_due, job)
        return t

    # -- releasing ---------------------------------------------------------------------
    def _order_due(self, order: Order) -> None:
        self.orders -= 1
        self.released += 1
        self.release_order(order)

    def _job_due(self, job: Job) -> None:
        self.jobs -= 1
        self.released += 1
        order = job.order
        if order is None:
            queue = self.stock_jobs[job.item]
            if queue and queue[0][1] is job:
                queue.popleft()
            else:
                queue.remove(next(e for e in queue if e[1] is job))
        elif order.kind == FINAL:
            self.claimed -= 1
        self.submit(job)

    # -- pipeline matching -------------------------------------------------------------
    def first_stock_job(self, variant: int) -> tuple[float, Job] | None:
        """The unsold stock job of ``variant`` released first, with its release time."""
        queue = self.stock_jobs[variant]
        return queue[0] if queue else None

    def claim(self, variant: int, order: Order) -> float:
        """Give the first unsold stock job of ``variant`` to customer ``order``; returns its
        release time (days). The caller settles the job's stock destination."""
        t, job = self.stock_jobs[variant].popleft()
        job.order = order
        self.claimed += 1
        return t

    def final_orders(self) -> int:
        """Final-customer orders in the bank: booked ones and claimed stock jobs."""
        return self.orders + self.claimed

    def held(self) -> int:
        """Orders and jobs booked and not yet released."""
        return self.orders + self.jobs
