"""Slot booking: build-to-order work is booked into production slots of limited capacity.

Time is cut into slots of ``slot_days``; each takes at most ``capacity`` booked units. An
order that may start at time ``t`` gets the first slot at or after ``t`` with room. The
``b``-th unit booked into slot ``k`` is released to the plant at
``k * slot_days + b * slot_days / capacity`` (not before ``t``), so releases are spread at
the booked rate rather than dumped at the slot's start. In a peak the near slots fill up
and orders move to later, emptier slots: the plant's load is levelled and troughs fill.
"""

from __future__ import annotations

import math


class SlotBook:
    """Booked units per slot index (only slots not yet past are kept)."""

    __slots__ = ("slot_days", "capacity", "booked", "_floor")

    def __init__(self, slot_days: float, capacity: int) -> None:
        if slot_days <= 0 or capacity < 1:
            raise ValueError("slots need slot_days > 0 and a capacity of at least one unit")
        self.slot_days = slot_days
        self.capacity = capacity
        self.booked: dict[int, int] = {}
        self._floor = 0

    def _first_free(self, earliest: float) -> int:
        k = max(int(math.floor(earliest / self.slot_days)), self._floor)
        while self.booked.get(k, 0) >= self.capacity:
            k += 1
        return k

    def start(self, earliest: float) -> float:
        """Release time of an order that could start at ``earliest`` (days), without booking."""
        k = self._first_free(earliest)
        return max(earliest, self._release(k))

    def _release(self, k: int) -> float:
        return (k + self.booked.get(k, 0) / self.capacity) * self.slot_days

    def book(self, earliest: float, now: float) -> float:
        """Book one unit; returns its release time. Forgets slots that ended before ``now``."""
        current = int(math.floor(now / self.slot_days))
        if current > self._floor:
            for old in [k for k in self.booked if k < current]:
                del self.booked[old]
            self._floor = current
        k = self._first_free(earliest)
        release = max(earliest, self._release(k))
        self.booked[k] = self.booked.get(k, 0) + 1
        return release
