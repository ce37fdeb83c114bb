"""A researcher's own fulfillment policy, named in a scenario by its import path.

Run from the repository root::

    btoagents run dealer-network --set fulfillment.policy=examples.custom_policy:StockHot \\
        --set fulfillment.params.threshold=3
"""

from examples.custom_policy.stock_hot import StockHot

__all__ = ["StockHot"]
