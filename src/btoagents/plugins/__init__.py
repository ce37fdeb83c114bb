"""Plugins: researchers' own policies, KPIs and agents, named in a scenario next to the built-ins.

A scenario chooses a plugin of each kind (:mod:`btoagents.plugins.kinds`:
``fulfillment.policy``, ``capacity.policy``, ``kpis.plugins`` (a list), ``dealers.agent``,
``customers.agent``, ``manufacturer.agent``, ``supplier.agent``) by a registered name - a
built-in, or a name an installed distribution registers under the entry-point group
``btoagents.policies`` as ``KIND.NAME`` (``fulfillment.NAME``, ``capacity.NAME``,
``kpi.NAME``, ``dealer.NAME``, ``customer.NAME``, ``manufacturer.NAME``,
``supplier.NAME``; the group keeps its first name for every kind) -
or by an import path ``"package.module:Name"``. A plugin's parameters go in the section's
``params`` table (a KPI plugin's in ``kpis.params.<short name>``, see
:mod:`btoagents.kpis.plugin`) and are validated at load against the ``Params`` model its
class declares, with the same one-line errors as every other key. An agent plugin must
subclass the built-in agent it replaces (``btoagents.agents.Dealer``, ``FinalCustomer``,
``Manufacturer``, ``HardwareSupplier``; see :mod:`btoagents.wiring`). What a user writes
for a policy::

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
