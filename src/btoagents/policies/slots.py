"""Slot booking: work is booked into production slots of limited capacity.

Time is cut into slots of ``slot_days``; each takes at most ``capacity`` booked units. An
order that may start at time ``t`` gets the first slot at or after ``t`` with room. The
``b``-th unit booked into slot ``k`` is released to the plant at
``k * slot_days + b * slot_days / capacity`` (not before ``t``), so releases are spread at
the booked rate rather than dumped at the slot's start. In a peak the near slots fill up
and orders move to later, emptier slots: the plant's load is levelled and troughs fill.

Demand management's slot booking books customer orders only; the order bank
(:mod:`btoagents.orderbank`) books every order in one book. ``reserved`` units of each slot
may then be kept for customer orders: other (stock and bulk) bookings stop at
``capacity - reserved`` units in a slot.
"""

from __future__ import annotations

import math


class SlotBook:
    """Booked units per slot index (only slots not yet past are kept)."""

    __slots__ = ("slot_days", "capacity", "reserved", "booked", "others", "_floor")

    def __init__(self, slot_days: float, capacity: int, reserved: int = 0) -> None:
        if slot_days <= 0 or capacity < 1:
            raise ValueError("slots need slot_days > 0 and a capacity of at least one unit")
        if not 0 <= reserved <= capacity:
            raise ValueError("the reserved units of a slot must lie in [0, capacity]")
        self.slot_days = slot_days
        self.capacity = capacity
        self.reserved = reserved
        self.booked: dict[int, int] = {}
        self.others: dict[int, int] = {}  # units of non-customer bookings (with reserved > 0)
        self._floor = 0

    def _first_free(self, earliest: float, customer: bool = True) -> int:
        k = max(int(math.floor(earliest / self.slot_days)), self._floor)
        if customer or not self.reserved:
            while self.booked.get(k, 0) >= self.capacity:
                k += 1
            return k
        if self.reserved >= self.capacity:
            raise ValueError("every unit of a slot is reserved for customer orders")
        limit = self.capacity - self.reserved
        while self.booked.get(k, 0) >= self.capacity or self.others.get(k, 0) >= limit:
            k += 1
        return k

    def start(self, earliest: float, customer: bool = True) -> float:
        """Release time of an order that could start at ``earliest`` (days), without booking."""
        k = self._first_free(earliest, customer)
        return max(earliest, self._release(k))

    def _release(self, k: int) -> float:
        return (k + self.booked.get(k, 0) / self.capacity) * self.slot_days

    def book(self, earliest: float, now: float, customer: bool = True) -> float:
        """Book one unit; returns its release time. Forgets slots that ended before ``now``.

        ``customer=False`` books stock or bulk work, which may not use the reserved units.
        """
        current = int(math.floor(now / self.slot_days))
        if current > self._floor:
            for old in [k for k in self.booked if k < current]:
                del self.booked[old]
                self.others.pop(old, None)
            self._floor = current
        k = self._first_free(earliest, customer)
        release = max(earliest, self._release(k))
        self.booked[k] = self.booked.get(k, 0) + 1
        if not customer and self.reserved:
            self.others[k] = self.others.get(k, 0) + 1
        return release
