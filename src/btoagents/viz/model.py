"""DashboardModel: one run of a scenario, advanced a few days per dashboard step.

:class:`~btoagents.model.SupplyChainModel` runs on its own event calendar, not on Mesa's
steps. This thin Mesa model wraps one: each ``step()`` runs the calendar ``step_days``
days on, then records the levels and running KPIs the plots show in a Mesa
``DataCollector``. Nothing raises out of the model: a scenario that does not validate (a
bad slider value or typed setting), a run that goes over its budget
(:mod:`btoagents.viz.budget`) or any other error leaves a one-line message in ``error`` and
stops the run, so the page shows the message and the server keeps serving.
"""

from __future__ import annotations

import contextlib
import math
import threading
import warnings
import weakref

import mesa

from btoagents.config import Scenario, SteadyStateWarning, load_scenario
from btoagents.config.budget import estimate
from btoagents.errors import BtoagentsError
from btoagents.model import SupplyChainModel
from btoagents.runner import build_model
from btoagents.viz import trim
from btoagents.viz.budget import Budget, BudgetExceeded, Meter, check_memory
from btoagents.viz.messages import one_line
from btoagents.viz.params import DASHBOARD_OVERRIDES, control_overrides, typed_overrides

#: ``warnings.catch_warnings`` swaps process-wide state: one session at a time may use it.
_WARNINGS_LOCK = threading.Lock()

#: Plot series: DataCollector column -> what it measures.
SERIES: dict[str, str] = {
    "day": "simulated days so far",
    "plant": "finished units at the plant",
    "dealers": "finished units at the dealers",
    "in transit": "finished units on the way to dealers or customers",
    "open orders": "accepted final-customer orders not yet delivered (backlog)",
    "plant queue": "jobs waiting for a production line",
    "lead time mean": "mean order-to-delivery days of orders delivered so far",
    "lead time p95": "95th percentile of those lead times",
    "utilization (step)": "busy share of the lines during the last step",
    "utilization (so far)": "busy share of the lines since day 0",
    "cumulative profit": "profit since day 0 (currency)",
}


class DashboardModel(mesa.Model):
    """A SupplyChainModel stepped ``step_days`` at a time, with plot data per step.

    Args:
        preset: scenario TOML file or preset name.
        demand_rate, amplitude, bto_share, lines, service_rate, discipline,
            fulfillment_policy, capacity_policy, demand_policy, dealer_policy, review_rule:
            the dashboard's controls
            (see :mod:`btoagents.viz.params`); None keeps the scenario's value.
        step_days: simulated days per step.
        more: further ``KEY=VALUE`` settings separated by ``;``.
        seed: root seed of the run (default: the scenario's).
        budget: what the run may spend (default: :meth:`Budget.from_env`, the limits
            ``btoagents dashboard`` was started with).
    """

    def __init__(
        self,
        preset: str = "dealer-network",
        demand_rate: float | None = None,
        amplitude: float | None = None,
        bto_share: float | None = None,
        lines: int | None = None,
        service_rate: float | None = None,
        discipline: str | None = None,
        fulfillment_policy: str | None = None,
        capacity_policy: str | None = None,
        demand_policy: str | None = None,
        dealer_policy: str | None = None,
        review_rule: str | None = None,
        step_days: int = 7,
        more: str = "",
        seed: int | None = None,
        budget: Budget | None = None,
    ) -> None:
        try:
            super().__init__(rng=seed)
            bad_seed = None
        except Exception as exc:  # a seed numpy refuses: the message says which
            super().__init__()
            bad_seed = exc
        self.preset = preset
        self.step_days = 7.0
        self.error: str | None = None
        self.warning: str | None = None
        self.settings: list[str] = []
        self.chain: SupplyChainModel | None = None
        self.released = False
        self.steps_run = 0  # steps that ran to their end (Mesa counts every call in .steps)
        self._stop_at = 0  # event count that ends the running slice
        self._busy_mark = (0.0, 0.0, 0.0)  # (busy.start, busy area, day) at the last record
        self.budget = budget if budget is not None else Budget()
        controls = {
            "demand_rate": demand_rate,
            "amplitude": amplitude,
            "bto_share": bto_share,
            "lines": lines,
            "service_rate": service_rate,
            "discipline": discipline,
            "fulfillment_policy": fulfillment_policy,
            "capacity_policy": capacity_policy,
            "demand_policy": demand_policy,
            "dealer_policy": dealer_policy,
            "review_rule": review_rule,
        }
        try:
            if bad_seed is not None:
                raise bad_seed
            if budget is None:
                self.budget = Budget.from_env()
            self.step_days = float(step_days)
            if not 0 < self.step_days < math.inf:
                raise BtoagentsError(f"step_days = {step_days}: must be > 0 and finite")
            base = load_scenario(preset)
            self.settings = [
                *control_overrides(base, controls),
                *typed_overrides(more),
            ]
            scn = self._load(base)
            self._build(scn, seed)
        except Exception as exc:  # shown in the page; the session and server stay up
            self.error = one_line(exc)
            self.chain = None
            self.running = False
        self.kpis: dict[str, float] = {}
        self.datacollector = mesa.DataCollector(
            model_reporters={name: self._reporter(name) for name in SERIES}
        )
        try:
            self._record()
        except Exception as exc:
            self.error = one_line(exc)
            self.release()

    def _load(self, base: Scenario) -> Scenario:
        """The scenario with the dashboard's overrides and the settings; keeps the steady-state
        warning in ``warning``."""
        with _WARNINGS_LOCK, warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", SteadyStateWarning)
            scn = load_scenario(base, [*DASHBOARD_OVERRIDES, *self.settings])
        for w in caught:
            if issubclass(w.category, SteadyStateWarning):
                self.warning = str(w.message)
        return scn

    def _build(self, scn: Scenario, seed: int | None) -> None:
        """Build the chain, after checking that its estimated memory fits the budget."""
        est = estimate(scn)
        check_memory(self.budget, est.memory, f"this run (mostly {est.memory_why})")
        self.chain = build_model(scn, seed)
        weakref.finalize(self.chain, trim.note_freed)
        check_memory(self.budget)

    def release(self) -> None:
        """Stop the run and drop its chain, so that its memory can be freed.

        Called when the session that owns the model ends or replaces it (Reset), and when
        the server's memory is over budget. A step running in another thread stops at its
        next slice.
        """
        self.released = True
        self.running = False
        self.chain = None

    # -- stepping ---------------------------------------------------------------------------
    @property
    def day(self) -> float:
        """Simulated days so far."""
        return self.chain.cal.now if self.chain is not None else 0.0

    @property
    def horizon(self) -> float:
        """The scenario's horizon (days): the run stops there."""
        return self.chain.horizon if self.chain is not None else 0.0

    def step(self) -> None:
        """Run the chain ``step_days`` on (at most to the horizon) and record the plots' data.

        The run stops with a one-line ``error`` when the step goes over its budget or
        fails. When the server's memory went over budget while this step ran, the run's
        chain is dropped as well (when it already was before, the run only stops).
        """
        chain = self.chain
        if chain is None or not self.running:
            self.running = False
            return
        before = chain.cal.events
        try:
            if self.steps_run >= self.budget.run_steps:
                raise BudgetExceeded(
                    "steps", f"the run used its budget of {self.budget.run_steps:,} steps"
                )
            self._advance(chain, min(chain.cal.now + self.step_days, chain.horizon))
            if self.released:
                return
            self.steps_run += 1
            self._record()
        except Exception as exc:  # shown in the page; the session and server stay up
            self.error = f"the run stopped at day {chain.cal.now:g}: {one_line(exc)}"
            self.running = False
            if (
                isinstance(exc, BudgetExceeded)
                and exc.kind == "memory"
                and chain.cal.events > before
            ):
                self.release()
            elif isinstance(exc, BudgetExceeded):
                self._record_quietly()
            return
        if chain.cal.now >= chain.horizon:
            self.running = False

    def _advance(self, chain: SupplyChainModel, end: float) -> None:
        """Process the chain's events up to day ``end`` in slices, checking the budget
        between slices; raises :class:`BudgetExceeded` (the clock stays at the last event)."""
        cal = chain.cal
        meter = Meter(self.budget, cal.events)
        check_memory(self.budget)
        while True:
            self._stop_at = meter.next_stop(cal.events)
            cal.run_while(end, self._in_slice)
            if self.released:
                return
            if cal.events < self._stop_at:  # the events up to ``end`` ran out first
                cal.run_until(end)  # nothing left to process: moves the clock to ``end``
                return
            meter.check(cal.events)

    def _in_slice(self) -> bool:
        chain = self.chain
        return chain is not None and chain.cal.events < self._stop_at

    # -- recording --------------------------------------------------------------------------
    def _record(self) -> None:
        self.kpis = self._current() if self.chain is not None else {}
        self.datacollector.collect(self)

    def _record_quietly(self) -> None:
        """Record where a stopped run got to, if that works (the error is already set)."""
        with contextlib.suppress(Exception):
            self._record()

    @staticmethod
    def _reporter(name: str):
        def report(model: DashboardModel) -> float:
            return model.kpis.get(name, math.nan)

        return report

    def _current(self) -> dict[str, float]:
        """Levels now and KPIs so far, keyed as :data:`SERIES` plus the summary's extras."""
        chain = self.chain
        assert chain is not None
        now = chain.cal.now
        plant = chain.manufacturer
        wc = plant.workcenter
        out: dict[str, float] = {
            "day": now,
            "plant": float(sum(plant.finished.on_hand)),
            "dealers": float(sum(sum(d.stock.on_hand) for d in chain.dealers)),
            "in transit": float(chain.in_transit_units),
            "open orders": float(chain.open_final),
            "plant queue": float(wc.waiting),
            "arrived": float(chain.arrived_final),
            "delivered": float(chain.delivered_final),
            "lost": float(chain.lost_final),
        }
        busy = wc.busy
        area = busy.area + busy.level * (now - busy.last)
        start, last_area, since = self._busy_mark
        if busy.start != start:  # the warm-up ended: busy time counts from there
            last_area, since = 0.0, busy.start
        out["utilization (step)"] = (
            (area - last_area) / ((now - since) * wc.lines) if now > since else math.nan
        )
        self._busy_mark = (busy.start, area, now)
        if now > chain.warmup:
            k = chain.kpis()
            out["lead time mean"] = k["lead_time_mean"]
            out["lead time p95"] = k["lead_time_p95"]
            out["fill rate"] = k["fill_rate"]  # of stocked demand (type 2)
            out["served from stock"] = k["stock_service_share"]  # of all orders
            out["utilization (so far)"] = k["utilization"]
            out["profit per day"] = k["profit"]
            out["cumulative profit"] = k["profit"] * (now - chain.warmup)
        elif now == chain.warmup:  # the window opens: nothing earned yet
            out["cumulative profit"] = 0.0
        return out
