"""Plugins: researchers' own policies, KPIs and agents, named in a scenario next to the built-ins.

A scenario chooses a plugin of each kind (:mod:`btoagents.plugins.kinds`:
``fulfillment.policy``, ``capacity.policy``, ``demand_management.policy``,
``forecast.rule``, ``kpis.plugins`` (a list), ``dealers.agent``, ``customers.agent``,
``manufacturer.agent``, ``supplier.agent``) by a registered name - a built-in, or a name an
installed distribution registers under the entry-point group ``btoagents.policies`` as
``KIND.NAME`` (``fulfillment.NAME``, ``capacity.NAME``, ``demand_management.NAME``,
``replenishment.NAME``, ``kpi.NAME``, ``dealer.NAME``, ``customer.NAME``,
``manufacturer.NAME``, ``supplier.NAME``; the group keeps its first name for every kind) -
or by an import path ``"package.module:Name"``. A plugin's parameters go in the section's
``params`` table (a KPI plugin's in ``kpis.params.<short name>``, see
:mod:`btoagents.kpis.plugin`) and are validated at load against the ``Params`` model its
class declares, with the same one-line errors as every other key. A demand manager, a
review rule and an agent plugin must subclass the built-in class it replaces
(``btoagents.policies.demand_management.DemandManager``,
``btoagents.policies.replenishment.PeriodicReview``, ``btoagents.agents.Dealer``,
``FinalCustomer``, ``Manufacturer``, ``HardwareSupplier``; see :mod:`btoagents.wiring`).
What a user writes for a policy::

    # examples/custom_policy/stock_hot.py
    class StockHot:
        class Params(Section):            # btoagents.config.section.Section
            threshold: float = Field(3.0, ge=0)

        def __init__(self, params: Params, context: PolicyContext) -> None:
            self.review_period = context.review_period
            self.threshold = params.threshold

        def review(self, state: ChainState) -> Decision: ...

    btoagents run dealer-network --set fulfillment.policy=examples.custom_policy:StockHot \\
        --set fulfillment.params.threshold=3

for an agent (built with the built-in's arguments plus ``params=``, held in ``self.params``)::

    # examples/custom_agent/capped_dealer.py
    class CappedDealer(Dealer):
        class Params(Section):
            max_units: int = Field(1, ge=0)

        def target(self, variant: int, units: int) -> int:
            return min(units, self.params.max_units)

    btoagents run dealer-network --set dealers.agent=examples.custom_agent:CappedDealer \\
        --set dealers.params.max_units=2

for a demand manager (built as ``Class(cfg, params=..., chain=...)``; it keeps the keys of
``[demand_management]`` and overrides the rules it changes)::

    # examples/custom_demand/weekly_quotes.py
    class WeeklyQuotes(DemandManager):
        class Params(Section):
            week: float = Field(7.0, gt=0)
            max_weeks: int = Field(8, ge=1)

        def quote(self, estimate: float) -> float:
            return math.ceil(super().quote(estimate) / self.params.week) * self.params.week

    btoagents run mm1-bto --set demand_management.policy=examples.custom_demand:WeeklyQuotes \\
        --set demand_management.params.max_weeks=3

and for a periodic review rule (built as ``Class(chain, params=...)``; ``level`` sets
the order-up-to level of every periodically reviewed item)::

    # examples/custom_replenishment/poisson_safety.py
    class PoissonSafetyStock(PeriodicReview):
        class Params(Section):
            z: float = Field(1.65, ge=0)

        def level(self, sp: StockPoint, item: int, forecast: float) -> float:
            lead = sp.lead_periods[item] * forecast
            return lead + self.params.z * math.sqrt(max(lead, 0.0)) + self.safety

    btoagents run dealer-network --set dealers.policy=order_up_to \\
        --set forecast.rule=examples.custom_replenishment:PoissonSafetyStock

Security: a scenario or experiment file that names an import path runs that module's code
when it is loaded - such files are code, to be trusted like any script. The dashboard
therefore offers only installed, registered plugins (built-ins and entry points) and
refuses a setting that names an import path; it never imports a module a visitor names.

The stored scenario keeps the plugin's name and its ``params`` as plain values, so it
pickles and travels to workers without the plugin installed; each worker imports the
plugin when it validates the scenario (from its working directory too; see
:mod:`btoagents.plugins.imports`), and a run whose worker cannot import it fails with that
one-line reason. :func:`describe` records which code a scenario's plugins ran.
"""

from btoagents.plugins.context import PolicyContext
from btoagents.plugins.imports import import_object, is_import_path
from btoagents.plugins.kinds import KINDS, Kind, kind_of
from btoagents.plugins.params import NoParams, validate_params
from btoagents.plugins.provenance import describe
from btoagents.plugins.registry import (
    GROUP,
    Plugin,
    PluginError,
    build,
    builtins,
    check_params,
    entry_points,
    is_registered,
    names,
    register_builtin,
    resolve,
)

__all__ = [
    "GROUP",
    "KINDS",
    "Kind",
    "NoParams",
    "Plugin",
    "PluginError",
    "PolicyContext",
    "build",
    "builtins",
    "check_params",
    "describe",
    "entry_points",
    "import_object",
    "is_import_path",
    "is_registered",
    "kind_of",
    "names",
    "register_builtin",
    "resolve",
    "validate_params",
]
