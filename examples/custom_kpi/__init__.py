"""A researcher's own KPI, named in a scenario by its import path.

Run from the repository root::

    btoagents run dealer-network --set 'kpis.plugins=["examples.custom_kpi:StockTurns"]' \\
        --set kpis.params.StockTurns.components=true
"""

from examples.custom_kpi.stock_turns import StockTurns

__all__ = ["StockTurns"]
