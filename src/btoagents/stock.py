"""A stock point: on-hand units of several items, FCFS claims on them, and replenishment.

One class serves every echelon: a dealer's lot, the plant's finished goods, the plant's
component stock and a supplier's stock. Items are small integers (variant or component
indices). Replenishment is continuous review (s, S) - base stock is the case s = S - 1,
ordering one unit per unit of demand - or periodic (order-up-to, driven by the model's
review event through :mod:`btoagents.policies.replenishment`).

Invariants (checked by tests): on hand never goes negative; a claim waits only while the
item's on-hand count is zero; inventory position = on hand + on order - waiting claims.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from typing import Any

from btoagents.calendar import Calendar
from btoagents.kpis.accumulators import TimeAverage

Source = Callable[[int, int, "StockPoint"], None]
Filler = Callable[[Any, int, "StockPoint", float], None]


class StockPoint:
    """Finished or component stock at one location.

    Args:
        name: label used in messages and KPIs.
        n_items: number of item indices held.
        cal: the model's calendar (for the clock).
        fill: called as ``fill(claim, item, stock_point, age)`` when a waiting claim gets a unit.
        source: called as ``source(item, quantity, stock_point)`` to order upstream.
        levels: per item, the (time-average, weight) pairs its on-hand count feeds.
        base: order-up-to level S per item.
        reorder: reorder point s per item (base stock: S - 1).
        periodic: per item, replenish only at reviews (order-up-to) instead of after demand.
    """

    __slots__ = (
        "name",
        "cal",
        "fill",
        "source",
        "levels",
        "base",
        "reorder",
        "periodic",
        "on_hand",
        "on_order",
        "waiting",
        "ages",
        "stage",
        "forecast",
        "returns_to",
        "demanded",
        "lead_periods",
        "seen",
        "window_start",
        "residence",
    )

    def __init__(
        self,
        name: str,
        n_items: int,
        cal: Calendar,
        fill: Filler,
        source: Source,
        levels: Sequence[Sequence[tuple[TimeAverage, float]]],
        base: Sequence[int],
        reorder: Sequence[int],
        periodic: Sequence[bool] | bool = False,
    ) -> None:
        self.name = name
        self.cal = cal
        self.fill = fill
        self.source = source
        self.levels = [list(x) for x in levels]
        self.base = list(base)
        self.reorder = list(reorder)
        self.periodic = list(periodic) if not isinstance(periodic, bool) else [periodic] * n_items
        self.on_hand = [0] * n_items
        self.on_order = [0] * n_items
        self.waiting: list[deque[Any]] = [deque() for _ in range(n_items)]
        self.ages: list[deque[float]] = [deque() for _ in range(n_items)]
        self.stage: Any = None  # a kpis.StagePeriods counting demand and orders per period
        self.forecast: Any = None
        self.returns_to: Callable[[int, int], None] | None = None
        self.demanded = [0] * n_items
        self.seen = [0] * n_items
        self.lead_periods = [0.0] * n_items
        self.window_start = 0.0
        self.residence = 0.0  # unit-days spent on hand after window_start by units gone

    # -- levels -----------------------------------------------------------------------
    def _change(self, item: int, delta: int) -> None:
        # TimeAverage.add, inlined: this runs on every unit in or out of stock
        now = self.cal.now
        for acc, weight in self.levels[item]:
            acc.area += acc.level * (now - acc.last)
            acc.last = now
            acc.level += delta * weight

    def stock_up(self, item: int, units: int) -> None:
        """Put ``units`` on hand at time 0 (initial stock), feeding the level accumulators."""
        self.on_hand[item] += units
        self.ages[item].extend([self.cal.now] * units)
        self._change(item, units)

    def position(self, item: int) -> int:
        """Inventory position: on hand + on order - waiting claims."""
        return self.on_hand[item] + self.on_order[item] - len(self.waiting[item])

    def oldest_age(self, item: int) -> float:
        """Age in days of the oldest unit on hand (-1 when none)."""
        ages = self.ages[item]
        return self.cal.now - ages[0] if ages else -1.0

    def set_target(self, item: int, base: int, reorder: int | None = None) -> None:
        """A new order-up-to level S = ``base`` for ``item`` (reorder point s = ``reorder``,
        by default S - 1: base stock), then continuous review at once."""
        self.base[item] = base
        self.reorder[item] = base - 1 if reorder is None else reorder
        self.replenish(item)

    # -- demand -----------------------------------------------------------------------
    def take(self, item: int) -> float:
        """Remove the oldest unit of ``item`` (FIFO); returns its age in days. Needs on hand > 0."""
        if self.on_hand[item] <= 0:
            raise RuntimeError(f"{self.name}: take() of item {item} with nothing on hand")
        self.on_hand[item] -= 1
        now = self.cal.now
        for acc, weight in self.levels[item]:  # self._change(item, -1), inlined
            acc.area += acc.level * (now - acc.last)
            acc.last = now
            acc.level -= weight
        self.demanded[item] += 1
        st = self.stage
        if st is not None:
            if now >= st.edge:
                st.roll(now)
            st.demand += 1
        arrived = self.ages[item].popleft()
        if now > self.window_start:
            self.residence += now - max(arrived, self.window_start)
        return now - arrived

    def enqueue(self, item: int, claim: Any) -> None:
        """Make ``claim`` wait (FCFS) for the next unit of ``item``."""
        self.waiting[item].append(claim)
        self.demanded[item] += 1
        st = self.stage
        if st is not None:
            now = self.cal.now
            if now >= st.edge:
                st.roll(now)
            st.demand += 1

    def demand(self, item: int, claim: Any) -> float:
        """Serve ``claim`` from stock (returns the unit's age) or queue it (returns -1); reorder."""
        if self.on_hand[item] > 0:
            age = self.take(item)
            self.fill(claim, item, self, age)
        else:
            age = -1.0
            self.enqueue(item, claim)
        self.replenish(item)
        return age

    def replenish(self, item: int) -> None:
        """Continuous review (s, S): when the position is at or below s, order up to S."""
        if self.periodic[item]:
            return
        ip = self.on_hand[item] + self.on_order[item] - len(self.waiting[item])
        if ip <= self.reorder[item]:
            self.order(item, self.base[item] - ip)

    def order(self, item: int, quantity: int) -> None:
        """Order ``quantity`` > 0 units of ``item`` upstream."""
        if quantity <= 0:
            return
        self.on_order[item] += quantity
        st = self.stage
        if st is not None:  # self.count_orders(quantity), inlined
            now = self.cal.now
            if now >= st.edge:
                st.roll(now)
            st.orders += quantity
        self.source(item, quantity, self)

    def count_orders(self, quantity: int) -> None:
        """Count ``quantity`` units ordered upstream now (negative: returned) for its stage."""
        st = self.stage
        if st is not None:
            now = self.cal.now
            if now >= st.edge:
                st.roll(now)
            st.orders += quantity

    # -- supply -----------------------------------------------------------------------
    def receive(self, item: int, units: int = 1, ordered: bool = True) -> None:
        """Units arrive: waiting claims first (FCFS), the rest goes on hand.

        ``ordered=False`` for units that were not on order (returns from downstream).
        """
        if ordered:
            self.on_order[item] -= units
        waiting = self.waiting[item]
        for _ in range(units):
            if waiting:
                self.fill(waiting.popleft(), item, self, 0.0)
            else:
                self.on_hand[item] += 1
                now = self.cal.now
                self.ages[item].append(now)
                for acc, weight in self.levels[item]:  # self._change(item, 1), inlined
                    acc.area += acc.level * (now - acc.last)
                    acc.last = now
                    acc.level += weight

    def remove(self, item: int, units: int) -> int:
        """Take up to ``units`` off hand without a claim (write-off, return); returns how many."""
        n = min(units, self.on_hand[item])
        if n > 0:
            self.on_hand[item] -= n
            ages = self.ages[item]
            now, w = self.cal.now, self.window_start
            for _ in range(n):
                arrived = ages.popleft()
                if now > w:
                    self.residence += now - max(arrived, w)
            self._change(item, -n)
        return n

    def waiting_claims(self) -> list[Any]:
        """Every claim waiting here (for conservation checks)."""
        return [c for q in self.waiting for c in q]
