"""KPIs: streaming accumulators, the run's collector and the per-run KPI record.

- :mod:`~btoagents.kpis.accumulators`: generic streaming statistics (time averages,
  Welford variances, review-period counters, a quantile sketch);
- :mod:`~btoagents.kpis.collector`: what the model updates as orders and stock move;
- :mod:`~btoagents.kpis.record`: the KPI record a run returns (imported by the model
  from there: it reads the model through :class:`btoagents.chain.Recorded`);
- :mod:`~btoagents.kpis.catalogue`: every KPI name a scenario may report, with units.

Definitions and units: :mod:`btoagents.kpis.catalogue`.
"""

from btoagents.kpis.accumulators import QuantileSketch, StagePeriods, TimeAverage, Welford
from btoagents.kpis.catalogue import BULLWHIP_STAGES, CORE_KPIS, KPI_TABLE, describe, kpi_names
from btoagents.kpis.collector import Flows, KpiCollector, OrderStats, QuoteStats

__all__ = [
    "BULLWHIP_STAGES",
    "CORE_KPIS",
    "Flows",
    "KPI_TABLE",
    "KpiCollector",
    "OrderStats",
    "QuantileSketch",
    "QuoteStats",
    "StagePeriods",
    "TimeAverage",
    "Welford",
    "describe",
    "kpi_names",
]
