"""A researcher's own demand manager, named in a scenario by its import path.

Run from the repository root::

    btoagents run mm1-bto --set demand_management.policy=examples.custom_demand:WeeklyQuotes \\
        --set demand_management.params.max_weeks=3
"""

from examples.custom_demand.weekly_quotes import WeeklyQuotes

__all__ = ["WeeklyQuotes"]
