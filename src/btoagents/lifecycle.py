"""Product life cycles: variant generations end, and popularity may shift.

A variant with a ``life_cycle`` (days) ends a generation at its ``first_end_of_life`` and
every ``life_cycle`` days after: finished stock on hand at the plant and the dealers is
written off at salvage value, and the successor generation takes over its stock targets
(units still in production or in transit become units of the successor: the plant
switches the specification of work in progress). On ``demand.shift_day`` each family's
popularity ranking reverses (the arrivals draw from the new ranking from then on).
"""

from __future__ import annotations

from typing import Protocol

from btoagents.chain import Chain


class Cycled(Chain, Protocol):
    """What life-cycle events change besides the chain: units written off (whole run) and
    the popularity quantiles the arrivals draw variants from."""

    written_off: int
    cumulative: list[float]


class LifeCycle:
    """The model's life-cycle events."""

    def __init__(self, model: Cycled) -> None:
        self.model = model

    def start_generations(self) -> None:
        """Schedule the first end of life of every variant that has one."""
        cal = self.model.cal
        for v, var in enumerate(self.model.catalog.variants):
            if var.first_end_of_life is not None:
                cal.at(var.first_end_of_life, self.end_of_life, v)

    def start_shift(self) -> None:
        """Schedule the popularity shift of ``demand.shift_day`` (when set)."""
        shift = self.model.cfg.demand.shift_day
        if shift is not None:
            self.model.cal.at(shift, self.shift_popularity)

    def end_of_life(self, v: int) -> None:
        """A generation of variant ``v`` ends: write off its finished stock (currency:
        unit cost minus salvage per unit), refill to the successor's targets and schedule
        the next end of life."""
        m = self.model
        var = m.catalog.variants[v]
        points = (m.plant.finished, *(d.stock for d in m.dealers))
        units = 0
        for sp in points:
            units += sp.remove(v, sp.on_hand[v])
        m.written_off += units
        if m.counting:
            m.kpi.flows.obsolescence += units * (var.unit_cost - var.salvage)
        if m.ledger is not None:
            m.ledger.obsolete[v] += units * (var.unit_cost - var.salvage)
        for sp in points:
            sp.replenish(v)
        m.cal.after(var.life_cycle, self.end_of_life, v)

    def shift_popularity(self, _: object = None) -> None:
        """``demand.shift_day``: each family's popularity ranking reverses."""
        m = self.model
        m.catalog.reverse_popularity()
        m.cumulative = m.catalog.cumulative
