"""The one place a replication is built and run.

Every caller that simulates (independent replications, sweep runs, the validation, the
dashboard) goes through :func:`build_model` and :func:`run_replication`, so a scenario run
under one seed gives the same KPI record whoever asks for it, and a change to how a model is
built or run is made once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from btoagents.config.schema import Scenario
    from btoagents.model import SupplyChainModel

#: Called after a run with the finished model and its KPI record, for what a caller needs
#: beyond the record (sampled time series, a validation identity such as Little's law).
Observer = Callable[["SupplyChainModel", dict[str, float]], None]


def build_model(
    scenario: Scenario, seed: int | None = None, trace: bool = False
) -> SupplyChainModel:
    """A chain ready to run: ``scenario`` under root ``seed`` (default: the scenario's).

    ``trace`` records every final-customer order (time, customer, variant) in
    ``model.trace``.
    """
    from btoagents.model import SupplyChainModel

    return SupplyChainModel(scenario, seed=seed, trace=trace)


def run_replication(
    scenario: Scenario, seed: int | None = None, observe: Observer | None = None
) -> dict[str, float]:
    """Run one replication of ``scenario`` under root ``seed`` and return its KPI record.

    The run goes to the horizon, drains (``simulation.drain``) and checks conservation
    (:class:`~btoagents.errors.ConservationError` when units or orders do not balance).
    ``observe`` is called with the finished model and the record before it is returned.
    """
    model = build_model(scenario, seed)
    record = model.run()
    if observe is not None:
        observe(model, record)
    return record
