"""StockTurns: inventory turns of the chain's finished goods over the KPI window.

The turnover ratio of Silver, Pyke and Thomas ("Inventory and Production Management in
Supply Chains", 4th ed., 2017) and the inventory turns of Hopp and Spearman ("Factory
Physics", 3rd ed., 2008): the cost of goods sold per year divided by the average value of
the inventory held, both at cost::

    stock_turns = (cost of goods sold per day x 365) / mean finished-goods value
    stock_days  = mean finished-goods value / cost of goods sold per day = 365 / stock_turns

Cost of goods sold is the unit cost of every unit delivered in the window (final customers
and bulk buyers); the finished-goods value is the time average, over the window, of the
units on hand at the plant and the dealers times their unit cost. With ``components`` the
plant's and suppliers' component stock (at its unit cost) counts as inventory too. Both
KPIs are NaN when the window sold nothing or held no stock.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from pydantic import Field

from btoagents.chain import Recorded
from btoagents.config.section import Section


class StockTurns:
    """Inventory turns (per year) and days of stock, at cost."""

    class Params(Section):
        """What ``kpis.params.StockTurns`` may hold."""

        components: bool = Field(
            False, description="count component stock (plant and suppliers) as inventory"
        )

    names = {
        "stock_turns": ("turns/year", "cost of goods sold per year / mean inventory value"),
        "stock_days": ("days", "mean inventory value / cost of goods sold per day"),
    }

    def __init__(self, params: Params) -> None:
        self.components = params.components

    def inventory_value(self, chain: Recorded) -> float:
        """Mean value (currency, at unit cost) of the inventory over the window."""
        now = chain.cal.now
        k = chain.kpi
        products = chain.cfg.products.values()
        value = sum(
            p.unit_cost * acc.mean(now) for p, acc in zip(products, k.fg_by_family, strict=True)
        )
        if self.components:
            value += k.comp_value.mean(now)
        return value

    def record(self, kpis: Mapping[str, float], chain: Recorded) -> dict[str, float]:
        """Turns and days of stock over the window that just closed."""
        days = chain.cal.now - chain.warmup
        cogs_per_day = chain.kpi.flows.cogs / days if days > 0 else 0.0
        value = self.inventory_value(chain)
        if cogs_per_day <= 0 or value <= 0:
            return {"stock_turns": math.nan, "stock_days": math.nan}
        return {"stock_turns": 365.0 * cogs_per_day / value, "stock_days": value / cogs_per_day}
