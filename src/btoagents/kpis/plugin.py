"""KPI plugins: a researcher's own KPIs, computed at the end of a run's KPI window.

A scenario lists them under ``[kpis]``; each plugin's parameters go in the table
``kpis.params.<short name>``, the short name being the class name of an import path or the
registered name itself (``StockTurns`` for ``"examples.custom_kpi:StockTurns"``, ``turns``
for an entry point ``kpi.turns`` of the group ``btoagents.policies``)::

    [kpis]
    plugins = ["examples.custom_kpi:StockTurns"]

    [kpis.params.StockTurns]
    basis = "value"

    # or on the command line:
    btoagents run dealer-network --set 'kpis.plugins=["examples.custom_kpi:StockTurns"]' \\
        --set kpis.params.StockTurns.basis=units

What a user writes::

    class StockTurns:
        class Params(Section):                      # btoagents.config.section.Section
            basis: Literal["value", "units"] = "value"

        #: KPI name -> (unit, one-line meaning), as in btoagents.kpis.catalogue.KPI_TABLE
        names = {"stock_turns": ("turns/year", "cost of goods sold / mean finished-goods value")}

        def __init__(self, params: Params) -> None:
            self.basis = params.basis

        def record(self, kpis: dict[str, float], chain: Recorded) -> dict[str, float]:
            return {"stock_turns": ...}

When it is called: once per run, when the KPI window closes at the horizon
(``chain.cal.now`` is the horizon): ``kpis`` holds the window's KPIs (time averages, money
per day and counts: every built-in KPI but the order KPIs of :data:`ORDER_KPIS`, which wait
for the window's orders to be delivered), plus the values of the plugins listed before it;
``chain`` is the model as :class:`btoagents.chain.Recorded` sees it, read only
(:class:`ChainView`: its attributes cannot be set). Its accumulators'
``mean(chain.cal.now)`` are the window's time averages, its ``kpi.flows`` the window's
money and counts over ``chain.cal.now - chain.warmup`` days.
A plugin whose class sets ``after_drain = True`` is called instead at the end of the run,
with the complete record (order KPIs included); the chain's time averages have then run
past the window, so such a plugin reads the record, not the accumulators.

Its values join the run's KPI record after the built-in KPIs (so sweeps store them and
``analyze`` reads them like any KPI); a declared name it does not return is NaN, an
undeclared one is refused. A plugin's names must be identifiers (letters, digits and ``_``)
and may clash neither with a built-in KPI (:data:`~btoagents.kpis.catalogue.KPI_TABLE`) nor
with another plugin's: refused at load, in one line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from pydantic import BaseModel, Field, create_model

from btoagents.config.section import Section
from btoagents.kpis.catalogue import KPI_TABLE
from btoagents.plugins import Plugin, PluginError, resolve, validate_params

if TYPE_CHECKING:
    from btoagents.chain import Recorded
    from btoagents.config.schema import Scenario

KIND = "kpi"

#: a KPI plugin's names: identifiers, so they never look like ``name[suffix]``
KPI_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

#: the built-in KPIs that are not yet in ``kpis`` when the window closes (order KPIs)
ORDER_KPIS: tuple[str, ...] = (
    "fill_rate",
    "lost_sales_rate",
    "lead_time_mean",
    "lead_time_p95",
    "on_time_rate",
    "quote_reliability",
    "quote_error_mean",
)


class KpiPlugin(Protocol):
    """What a KPI plugin class provides (see the module docstring)."""

    Params: ClassVar[type[BaseModel]]
    names: ClassVar[Mapping[str, tuple[str, str]]]

    def record(self, kpis: Mapping[str, float], chain: Recorded) -> Mapping[str, float]:
        """The plugin's KPI values for the run, by name."""
        ...


def short_name(spec: str) -> str:
    """The key of a plugin's table in ``kpis.params``: the class name of an import path
    (its last dotted part), else the registered name."""
    return spec.rpartition(":")[2].rpartition(".")[2] if ":" in spec else spec


def declared_names(spec: str, cls: Any) -> dict[str, tuple[str, str]]:
    """The KPI names ``cls`` declares, each with (unit, meaning); a PluginError in one line
    when ``names`` is missing or malformed, or a name clashes with a built-in KPI."""
    names = getattr(cls, "names", None)
    if not isinstance(names, Mapping) or not names:
        raise PluginError(
            f"{spec} is not a KPI plugin: it needs names = {{'kpi_name': ('unit', "
            "'one-line meaning'), ...}"
        )
    out: dict[str, tuple[str, str]] = {}
    for name, about in names.items():
        if not isinstance(name, str) or KPI_NAME.fullmatch(name) is None:
            raise PluginError(
                f"{spec} declares the KPI name {name!r}: expected an identifier "
                "(letters, digits and _)"
            )
        if name in KPI_TABLE:
            raise PluginError(
                f"{spec} declares the KPI {name!r}, which is a built-in KPI; choose another name"
            )
        if not (
            isinstance(about, tuple) and len(about) == 2 and all(isinstance(a, str) for a in about)
        ):
            raise PluginError(
                f"{spec} declares the KPI {name!r} with {about!r}: expected (unit, meaning)"
            )
        out[name] = about
    return out


def check_plugins(specs: list[str]) -> dict[str, Plugin]:
    """The KPI plugins ``specs`` names, by short name, each resolved (imported) and checked:
    the protocol, its names, and no two plugins sharing a short name or a KPI name.
    Raises a PluginError (a ValueError) with one line otherwise."""
    plugins: dict[str, Plugin] = {}
    owner: dict[str, str] = {}
    for spec in specs:
        plugin = resolve(KIND, spec)
        short = short_name(spec)
        if short in plugins:
            raise PluginError(
                f"{spec} and {plugins[short].name} share the short name {short!r} "
                f"(the key of kpis.params.{short}); list each plugin once"
            )
        for name in declared_names(spec, plugin.factory):
            if name in owner:
                raise PluginError(f"{spec} and {owner[name]} both declare the KPI {name!r}")
            owner[name] = spec
        plugins[short] = plugin
    return plugins


def params_model(plugins: Mapping[str, Plugin]) -> type[BaseModel]:
    """The model of the ``kpis.params`` table: one sub-table per plugin, by short name,
    holding that plugin's ``Params`` (absent: its defaults)."""
    fields: dict[str, Any] = {}
    for short, plugin in plugins.items():
        model = plugin.params
        if any(f.is_required() for f in model.model_fields.values()):
            fields[short] = (model, ...)
        else:
            fields[short] = (model, Field(default_factory=model))
    return create_model("KpiPluginParams", __base__=Section, **fields)


def check_params(specs: list[str], params: dict[str, Any]) -> None:
    """Validate the ``kpis.params`` table against the listed plugins' ``Params``: a table
    for a plugin that is not listed, or a bad key inside one, is a line error at its key
    (with a did-you-mean)."""
    validate_params(params_model(check_plugins(specs)), params)


def catalogue(scenario: Scenario) -> dict[str, tuple[str, str]]:
    """Every KPI name the scenario's plugins add, with (unit, meaning), in listed order."""
    out: dict[str, tuple[str, str]] = {}
    for spec in scenario.kpis.plugins:
        out.update(declared_names(spec, resolve(KIND, spec).factory))
    return out


class ChainView:
    """The chain as a KPI plugin sees it: every attribute of the model reads through, none
    can be set (an AttributeError naming it). What the attributes hold (stock points,
    accumulators) is the model's own: a plugin reads it and leaves it as it is."""

    __slots__ = ("_chain",)

    def __init__(self, chain: Recorded) -> None:
        object.__setattr__(self, "_chain", chain)

    def __getattr__(self, name: str) -> Any:
        return getattr(object.__getattribute__(self, "_chain"), name)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"a KPI plugin reads the chain, it cannot set chain.{name}")


@dataclass(frozen=True)
class KpiRun:
    """A KPI plugin object of one run, with what it declared."""

    spec: str
    obj: Any
    names: tuple[str, ...]
    after_drain: bool

    def values(self, kpis: Mapping[str, float], chain: Recorded) -> dict[str, float]:
        """The plugin's values (floats; NaN for a declared name it did not return)."""
        got = self.obj.record(kpis, chain)
        unknown = [k for k in got if k not in self.names]
        if unknown:
            raise PluginError(
                f"{self.spec}.record returned {unknown[0]!r}, which it does not declare in "
                f"names ({', '.join(self.names)})"
            )
        return {name: float(got.get(name, math.nan)) for name in self.names}


def build(scenario: Scenario) -> list[KpiRun]:
    """A new object of each KPI plugin of ``scenario`` (``Class(params)``, or ``Class()``
    for a class without its own ``__init__``), in listed order: one per run, so a plugin
    may keep state between its construction and its call."""
    specs = scenario.kpis.plugins
    if not specs:
        return []
    plugins = check_plugins(specs)
    params = validate_params(params_model(plugins), scenario.kpis.params)
    out = []
    for short, plugin in plugins.items():
        cls = plugin.factory
        names = tuple(declared_names(plugin.name, cls))
        # a class without its own __init__ (nothing to set up) is built without arguments
        obj = cls() if cls.__init__ is object.__init__ else cls(getattr(params, short))
        out.append(KpiRun(plugin.name, obj, names, bool(getattr(cls, "after_drain", False))))
    return out


def evaluate(runs: list[KpiRun], kpis: dict[str, float], chain: Recorded) -> dict[str, float]:
    """The values of ``runs`` in order, each plugin seeing ``kpis`` plus the values of the
    plugins before it."""
    seen = dict(kpis)
    view = ChainView(chain)
    out: dict[str, float] = {}
    for run in runs:
        values = run.values(seen, view)
        seen.update(values)
        out.update(values)
    return out
