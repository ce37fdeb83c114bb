"""Product life cycles: variant generations end, and popularity may shift.

A variant with a ``life_cycle`` (days) ends a generation at its ``first_end_of_life`` and
every ``life_cycle`` days after. Units still in production or in transit become units of
the successor (the plant switches the specification of work in progress). What happens to
the finished stock is ``generations.life_cycle_end``
(:class:`~btoagents.config.generations.GenerationsConfig`):

- ``"write_off"``: at the end of life the finished stock on hand at the plant and the
  dealers is written off at salvage value and the successor takes over the stock targets
  at once (refilled the same day);
- ``"run_out"``: ``run_out_days`` before the end of life replenishment of the generation
  stops (plant and dealer targets go to 0; a periodically reviewed item leaves the review),
  and the stock left sells with an incentive that steps up through ``run_out_discounts``
  (a share of list price, counted in ``discount_cost``); at the end of life only the
  remainder is written off, and the successor's targets rise to the saved targets in four
  steps over ``ramp_up_days`` (a periodically reviewed item rejoins the review at once),
  so the stock builds up through normal replenishment instead of one same-day reorder.
  Only a variant built to stock when its run-out starts runs out; when an adaptive
  fulfillment policy switches it meanwhile, the policy's targets stand.
  Copeland, Dunn and Hall, "Inventories and the automobile market", RAND Journal of
  Economics 42(1), 2011: model-year prices fall and inventories are run down before the
  change-over (the window and the incentive steps are uncalibrated assumptions).

Orders and demand caused by these events (refills, ramp-up steps) are counted apart from
the bullwhip's (:meth:`btoagents.kpis.collector.KpiCollector.eol_mark`). On
``demand.shift_day`` each family's popularity ranking reverses (the arrivals draw from the
new ranking from then on).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Protocol

from btoagents.chain import Chain
from btoagents.vocabulary import Strategy

if TYPE_CHECKING:
    from btoagents.stock import StockPoint

#: Steps in which the successor's stock targets rise over ``ramp_up_days``.
RAMP_STEPS = 4


class Cycled(Chain, Protocol):
    """What life-cycle events change besides the chain: units written off at salvage
    (:meth:`scrap`), the popularity quantiles the arrivals draw variants from and, per
    variant, the run-out incentive share (None when generations end by write-off)."""

    cumulative: list[float]
    run_out_share: list[float] | None

    def scrap(self, variant: int, units: int = 1) -> None: ...


class LifeCycle:
    """The model's life-cycle events.

    Attributes:
        run_out_sold: units sold from stock with a run-out incentive (whole run).
    """

    def __init__(self, model: Cycled) -> None:
        self.model = model
        gen = model.cfg.generations
        variants = model.catalog.variants
        cycled = any(var.first_end_of_life is not None for var in variants)
        self.run_out = gen.life_cycle_end == "run_out" and cycled
        self.run_out_days = gen.run_out_days
        self.discounts = list(gen.run_out_discounts)
        self.ramp_days = gen.ramp_up_days
        self.next_end = [var.first_end_of_life for var in variants]
        # per variant in run-out or ramp-up: the (base, reorder, periodic) of each point
        # before its run-out, which the successor gets back
        self.saved: dict[int, list[tuple[int, int, bool]]] = {}
        self.in_run_out: set[int] = set()
        self.run_out_sold = 0
        model.run_out_share = [0.0] * len(variants) if self.run_out else None

    def points(self) -> tuple[StockPoint, ...]:
        """The finished stock points a generation's stock sits in: the plant, the dealers."""
        m = self.model
        return (m.plant.finished, *(d.stock for d in m.dealers))

    def start_generations(self) -> None:
        """Schedule the first end of life (and run-out) of every variant that has one."""
        cal = self.model.cal
        for v, var in enumerate(self.model.catalog.variants):
            if var.first_end_of_life is not None:
                cal.at(var.first_end_of_life, self.end_of_life, v)
                if self.run_out:
                    start = max(0.0, var.first_end_of_life - self.run_out_days)
                    cal.at(start, self.start_run_out, v)

    def start_shift(self) -> None:
        """Schedule the popularity shift of ``demand.shift_day`` (when set)."""
        shift = self.model.cfg.demand.shift_day
        if shift is not None:
            self.model.cal.at(shift, self.shift_popularity)

    # -- run-out ----------------------------------------------------------------------------
    def start_run_out(self, v: int) -> None:
        """Stop replenishing variant ``v``'s ending generation (targets 0 at the plant and
        the dealers, saved for the successor) and start its incentive steps."""
        m = self.model
        if m.strategy[v] != Strategy.BTS:  # not stocked (an adaptive policy switched it)
            self.saved.pop(v, None)
            return
        points = self.points()
        if v not in self.saved:  # (else the successor's ramp-up was not over: keep its targets)
            self.saved[v] = [(sp.base[v], sp.reorder[v], sp.periodic[v]) for sp in points]
        self.in_run_out.add(v)
        for sp in points:
            sp.periodic[v] = False
            sp.set_target(v, 0)
        end = self.next_end[v]
        assert end is not None and m.run_out_share is not None
        n = len(self.discounts)
        step = self.run_out_days / n
        now = m.cal.now
        for i in range(n):
            t = end - self.run_out_days + i * step
            if t <= now + 1e-9:
                m.run_out_share[v] = self.discounts[i]
            else:
                m.cal.at(t, self.run_out_step, (v, i))

    def run_out_step(self, arg: tuple[int, int]) -> None:
        """The incentive of variant ``v``'s run-out steps up to its ``i``-th share."""
        v, i = arg
        share = self.model.run_out_share
        if share is not None and v in self.in_run_out:
            share[v] = self.discounts[i]

    def sold_in_run_out(self) -> None:
        """A unit of a generation in run-out was sold from stock (with its incentive)."""
        self.run_out_sold += 1

    def ramp_up(self, arg: tuple[int, int]) -> None:
        """Step ``k`` of the successor's build-up of variant ``v``: targets at k/RAMP_STEPS
        of the saved ones (rounded up)."""
        v, k = arg
        targets = self.saved.get(v)
        if targets is None or v in self.in_run_out:  # a new run-out started meanwhile
            return
        if self.model.strategy[v] != Strategy.BTS:  # switched meanwhile: the policy's targets
            del self.saved[v]
            return
        marks = self.model.kpi.eol_mark(self.model.cal.now)
        self._set_targets(v, targets, k)
        self.model.kpi.eol_move(marks)
        if k >= RAMP_STEPS:
            del self.saved[v]

    def _set_targets(self, v: int, targets: list[tuple[int, int, bool]], k: int) -> None:
        for sp, (base, reorder, periodic) in zip(self.points(), targets, strict=True):
            if periodic:  # back in the review, which orders up to its level
                sp.periodic[v] = True
                sp.seen[v] = sp.demanded[v]  # the run-out's demand is not one period's
                continue
            part = math.ceil(base * k / RAMP_STEPS)
            sp.set_target(v, part, min(reorder, part - 1))

    # -- end of life -----------------------------------------------------------------------
    def end_of_life(self, v: int) -> None:
        """A generation of variant ``v`` ends: write off its finished stock (currency:
        unit cost minus salvage per unit), set the successor's targets (refilled at once,
        or ramped up after a run-out) and schedule the next end of life (and run-out)."""
        m = self.model
        var = m.catalog.variants[v]
        points = self.points()
        marks = m.kpi.eol_mark(m.cal.now)
        units = 0
        for sp in points:
            units += sp.remove(v, sp.on_hand[v])
        m.scrap(v, units)
        assert var.life_cycle is not None
        end = m.cal.now + var.life_cycle
        self.next_end[v] = end
        if v in self.in_run_out and m.strategy[v] != Strategy.BTS:
            # an adaptive policy switched it during the run-out: keep the policy's targets
            self.in_run_out.discard(v)
            self.saved.pop(v, None)
            if m.run_out_share is not None:
                m.run_out_share[v] = 0.0
        if self.run_out and m.run_out_share is not None and v in self.in_run_out:
            self.in_run_out.discard(v)
            m.run_out_share[v] = 0.0
            targets = self.saved[v]
            if self.ramp_days > 0:
                self._set_targets(v, targets, 1)
                for k in range(2, RAMP_STEPS + 1):
                    m.cal.after(self.ramp_days * (k - 1) / (RAMP_STEPS - 1), self.ramp_up, (v, k))
            else:
                self._set_targets(v, targets, RAMP_STEPS)
                del self.saved[v]
        else:
            for sp in points:
                sp.replenish(v)
        m.kpi.eol_move(marks)
        m.cal.after(var.life_cycle, self.end_of_life, v)
        if self.run_out:
            m.cal.at(max(m.cal.now, end - self.run_out_days), self.start_run_out, v)

    def shift_popularity(self, _: object = None) -> None:
        """``demand.shift_day``: each family's popularity ranking reverses."""
        m = self.model
        m.catalog.reverse_popularity()
        m.cumulative = m.catalog.cumulative
