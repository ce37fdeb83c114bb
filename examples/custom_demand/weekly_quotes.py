"""WeeklyQuotes: lead times quoted in whole delivery weeks, and no promise beyond a horizon.

An illustration of a demand-management plugin, not a rule taken from the literature: a
point of sale that tells a customer "delivery in week N" rather than a number of days
rounds the scenario's quote (``demand_management.quote_factor``, ``quote_margin``) up to
whole weeks of ``week`` days, and refuses (a lost sale) any request it would quote beyond
``max_weeks`` weeks, whatever ``demand_management.acceptance`` says. Within that horizon
the scenario's own acceptance rule (``promise``, ``defer``) still applies.

It overrides two rules of :class:`btoagents.policies.demand_management.DemandManager`,
:meth:`quote` and :meth:`admit`; stock incentives and slots stay the built-in's.
"""

from __future__ import annotations

import math

from pydantic import Field

from btoagents.config.section import Section
from btoagents.policies.demand_management import DemandManager
from btoagents.vocabulary import Admission


class WeeklyQuotes(DemandManager):
    """Quotes rounded up to whole weeks; requests quoted beyond ``max_weeks`` refused."""

    class Params(Section):
        """What ``demand_management.params`` may hold."""

        week: float = Field(7.0, gt=0, le=365, description="days per quoted delivery week")
        max_weeks: int = Field(
            8, ge=1, le=520, description="weeks quoted at most; a longer wait is refused"
        )

    def quote(self, estimate: float) -> float:
        """The scenario's quote for an estimate of ``estimate`` days, rounded up to whole
        weeks (days)."""
        week = self.params.week
        return math.ceil(super().quote(estimate) / week) * week

    def admit(self, quote: float, attempt: int) -> Admission:
        """REJECT a request quoted beyond ``max_weeks`` weeks; otherwise the scenario's
        own acceptance rule."""
        if quote > self.params.max_weeks * self.params.week:
            return Admission.REJECT
        return super().admit(quote, attempt)
