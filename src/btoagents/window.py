"""The KPI window [warmup, horizon]: its opening and the utilization periods inside it.

At the end of the warm-up the window opens: money and counts start to accrue, and every
time average (KPI levels, BTS variants, the busy lines of the plant and the suppliers)
forgets the warm-up. Inside the window, every ``kpis.utilization_period`` days the
plant's utilization over the period just ended joins the running variance behind
``utilization_sd``. The model closes the window at the horizon
(:meth:`btoagents.model.SupplyChainModel.close_window`).
"""

from __future__ import annotations

from typing import Protocol

from btoagents.chain import Recorded


class Windowed(Recorded, Protocol):
    """What the window reads besides the KPI record's view: the horizon (days) and whether
    the model closed the window."""

    horizon: float
    window_closed: bool


class KpiWindow:
    """The model's window events."""

    def __init__(self, model: Windowed) -> None:
        self.model = model
        self.period = model.cfg.kpis.utilization_period
        self.area = 0.0  # the plant's busy line-days at the last utilization period's end

    def start_warmup(self) -> None:
        """Schedule the end of the warm-up (when there is one)."""
        m = self.model
        if m.warmup > 0:
            m.cal.at(m.warmup, self.end_warmup)

    def start_utilization(self) -> None:
        """Schedule the end of the window's first utilization period."""
        m = self.model
        m.cal.at(m.warmup + self.period, self.utilization_tick)

    def end_warmup(self, _: object = None) -> None:
        """Open the window: count from now on and forget the warm-up's time averages."""
        m = self.model
        now = m.cal.now
        m.counting = True
        m.kpi.end_warmup(now)
        m.bts_variants.reset(now)
        for wc in (m.plant.workcenter, *(s.workcenter for s in m.suppliers)):
            wc.busy.reset(now)
            wc.busy_overtime.reset(now)

    def utilization_tick(self, _: object = None) -> None:
        """Close one utilization period: its utilization (share of the regular lines) joins
        ``utilization_periods``; stop at the horizon or when the window closed."""
        m = self.model
        now = m.cal.now
        if now > m.horizon + 1e-9 or m.window_closed:
            return
        wc = m.plant.workcenter
        busy = wc.busy
        area = busy.area + busy.level * (now - busy.last)
        m.utilization_periods.add((area - self.area) / (self.period * wc.lines))
        self.area = area
        m.cal.after(self.period, self.utilization_tick)
