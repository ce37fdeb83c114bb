"""The closed sets of words some scenario keys take (``Literal`` types), shared by sections.

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them and holds them
in :class:`~btoagents.config.schema.Scenario`); units as there: time in days, rates per
day, money in currency units.
"""

from __future__ import annotations

from typing import Literal

StrategyLabel = Literal["bts", "ato", "bto", "eto"]  # vocabulary.Strategy labels
ServiceDistribution = Literal["exponential", "deterministic", "gamma", "lognormal"]
StockPolicy = Literal["base_stock", "ss"]
ReplenishPolicy = Literal["base_stock", "ss", "order_up_to"]
Discipline = Literal["fcfs", "bto_priority", "bto_preemptive"]
