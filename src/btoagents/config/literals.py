"""The closed sets of words some scenario keys take (``Literal`` types), shared by sections.

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them and holds them
in :class:`~btoagents.config.schema.Scenario`); units as there: time in days, rates per
day, money in currency units.
"""

from __future__ import annotations

from typing import Literal

#: how a variant is made (``products.NAME.strategy``); the labels of
#: :class:`btoagents.vocabulary.Strategy`
StrategyLabel = Literal["bts", "ato", "bto", "eto"]  # vocabulary.Strategy labels
#: distribution of a production time around its mean (manufacturer, suppliers)
ServiceDistribution = Literal["exponential", "deterministic", "gamma", "lognormal"]
#: replenishment of a stock refilled by its own producer (plant finished goods, suppliers)
StockPolicy = Literal["base_stock", "ss"]
#: replenishment of a stock ordered from upstream (dealers, plant components)
ReplenishPolicy = Literal["base_stock", "ss", "order_up_to"]
#: queue discipline of the plant's lines (``manufacturer.discipline``)
Discipline = Literal["fcfs", "bto_priority", "bto_preemptive"]
