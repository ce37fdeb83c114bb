"""A researcher's own periodic review rule, named in a scenario by its import path.

Run from the repository root::

    btoagents run dealer-network --set dealers.policy=order_up_to \\
        --set forecast.rule=examples.custom_replenishment:PoissonSafetyStock \\
        --set forecast.params.z=1.65
"""

from examples.custom_replenishment.poisson_safety import PoissonSafetyStock, poisson_level

__all__ = ["PoissonSafetyStock", "poisson_level"]
