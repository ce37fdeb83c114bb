"""What one dashboard run may spend: events and wall time per step, events and steps per run,
and the server's memory.

The dashboard serves many visitors from one process, and one visitor's settings (a high
demand rate, many days per step) could otherwise hold a core for hours or take the
machine's memory. :class:`~btoagents.viz.model.DashboardModel` therefore advances its chain
in slices of :data:`SLICE_EVENTS` events (the calendar's ``run_while``) and asks a
:class:`Meter` between slices whether the step may go on. When it may not, the run stops
with a one-line :class:`BudgetExceeded` message in the page; other visitors go on.

Memory is the resident set of the whole server process, read from ``/proc/self/statm``
(Linux; elsewhere the memory checks are skipped): it is what the machine runs out of, and
it includes every visitor's run. Before a run is built, the scenario's estimated memory
(:func:`btoagents.config.budget.estimate`) must fit under the budget too, because building
a chain (its initial stock) cannot be sliced.

The limits below are the defaults of ``btoagents dashboard``'s options of the same names.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

from btoagents.errors import BtoagentsError

#: model events one press of Step (or one step of Play) may process: about 10 s at
#: 100,000 events/s. A preset's week takes at most about 1,400 (dealer-network).
STEP_EVENTS = 1_000_000
#: wall-clock seconds one step may take.
STEP_SECONDS = 10.0
#: model events of one run, all its steps together: about 3 minutes of computing. The
#: largest preset's whole run takes about 410,000 (bullwhip, 5,000 days).
RUN_EVENTS = 20_000_000
#: steps of one run (each adds a point to every plot): 30 years at one day per step.
RUN_STEPS = 10_000
#: resident memory of the whole server process, in MB (2**20 bytes). A run stops, and no new
#: run is built, while the server holds more. The server alone holds about 300 MB.
MEMORY_MB = 2048
#: events processed between two looks at the budget (about 0.1 s).
SLICE_EVENTS = 10_000

MB = 2**20

#: environment variables that carry the budget from ``btoagents dashboard`` to the page
#: (solara runs the page module in the same process, but imports it itself).
ENV = {
    "step_events": "BTOAGENTS_DASHBOARD_STEP_EVENTS",
    "step_seconds": "BTOAGENTS_DASHBOARD_STEP_SECONDS",
    "run_events": "BTOAGENTS_DASHBOARD_RUN_EVENTS",
    "memory_mb": "BTOAGENTS_DASHBOARD_MEMORY_MB",
}


class BudgetExceeded(BtoagentsError):
    """A run went over its budget; the message is one line for the page.

    Attributes:
        kind: which limit: ``"events"``, ``"seconds"``, ``"steps"`` or ``"memory"``.
    """

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Budget:
    """The limits of one dashboard run (see the module constants for their meaning).

    Attributes:
        step_events: model events per step.
        step_seconds: wall-clock seconds per step.
        run_events: model events per run.
        run_steps: steps per run.
        memory_mb: resident memory of the server process, MB.
    """

    step_events: int = STEP_EVENTS
    step_seconds: float = STEP_SECONDS
    run_events: int = RUN_EVENTS
    run_steps: int = RUN_STEPS
    memory_mb: float = MEMORY_MB

    def __post_init__(self) -> None:
        for name in ("step_events", "step_seconds", "run_events", "run_steps", "memory_mb"):
            value = getattr(self, name)
            if isinstance(value, bool) or not value > 0:
                raise BtoagentsError(f"dashboard budget {name} = {value!r}: must be > 0")

    @classmethod
    def from_env(cls) -> Budget:
        """The budget ``btoagents dashboard`` set in the environment (defaults elsewhere)."""
        values: dict[str, float] = {}
        for name, var in ENV.items():
            text = os.environ.get(var)
            if text:
                try:
                    values[name] = int(text) if name.endswith("events") else float(text)
                except ValueError:
                    raise BtoagentsError(f"{var} = {text!r}: expected a number") from None
        return cls(**values)  # type: ignore[arg-type]

    def to_env(self) -> dict[str, str]:
        """The environment variables that :meth:`from_env` reads back to this budget."""
        return {var: str(getattr(self, name)) for name, var in ENV.items()}


def resident_bytes() -> int | None:
    """Resident memory of this process in bytes (``/proc/self/statm``), or None where the
    system does not say."""
    try:
        with open("/proc/self/statm", "rb") as f:
            pages = int(f.read().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def check_memory(budget: Budget, need: float = 0.0, what: str = "") -> None:
    """Raise :class:`BudgetExceeded` when the server holds more than ``budget.memory_mb``,
    or would with ``need`` more bytes (``what`` names them)."""
    held = resident_bytes()
    if held is None:
        return
    limit = budget.memory_mb * MB
    if held + need <= limit:
        return
    if need:
        raise BudgetExceeded(
            "memory",
            f"{what} needs about {need / MB:,.0f} MB and the dashboard server already "
            f"holds {held / MB:,.0f} MB of its {budget.memory_mb:,.0f} MB budget: "
            "lower the rates, stock levels or customers",
        )
    raise BudgetExceeded(
        "memory",
        f"the dashboard server holds {held / MB:,.0f} MB, over its memory budget of "
        f"{budget.memory_mb:,.0f} MB",
    )


def seconds() -> float:
    """The wall clock the budget reads, in seconds (monotonic)."""
    return time.monotonic()


class Meter:
    """The budget of one step: started with the step, consulted between slices of events.

    Args:
        budget: the run's limits.
        events: the calendar's event count (since the run started) when the step starts.
    """

    def __init__(self, budget: Budget, events: int) -> None:
        self.budget = budget
        self.first = events
        self.started = seconds()

    def next_stop(self, events: int) -> int:
        """The event count at which the running slice ends (at most the step's and the
        run's limits)."""
        b = self.budget
        return min(events + SLICE_EVENTS, self.first + b.step_events, b.run_events)

    def check(self, events: int) -> None:
        """Raise :class:`BudgetExceeded` when the step or run has spent a limit.

        Args:
            events: the calendar's event count now.
        """
        b = self.budget
        if events >= b.run_events:
            raise BudgetExceeded(
                "events",
                f"the run used its budget of {b.run_events:,} events; press Reset to start again",
            )
        if events - self.first >= b.step_events:
            raise BudgetExceeded(
                "events",
                f"this step used its budget of {b.step_events:,} events: "
                "lower the rates or the days per step",
            )
        elapsed = seconds() - self.started
        if elapsed > b.step_seconds:
            raise BudgetExceeded(
                "seconds",
                f"this step took {elapsed:.1f} s, over its budget of {b.step_seconds:g} s: "
                "lower the rates or the days per step",
            )
        check_memory(b)
