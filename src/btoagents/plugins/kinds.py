"""The kinds of plugin a scenario can name, and what a plugin of each kind must provide.

A kind is a place in the scenario where a plugin is chosen: the section holding the choice
and its ``params`` table, the module whose import registers the built-ins of that kind,
and what a plugin class must be (its methods, or the built-in class it must subclass).

- policies (``fulfillment.policy``, ``capacity.policy``): a class with ``review(state)``,
  built as ``Class(params, context)`` (:mod:`btoagents.policies.protocol`);
- KPIs (``kpis.plugins``, a list: several at once): a class with ``names`` and
  ``record(kpis, chain)``, built as ``Class(params)`` (:mod:`btoagents.kpis.plugin`);
- demand management (``demand_management.policy``): a subclass of
  :class:`~btoagents.policies.demand_management.DemandManager` (the built-in ``standard``),
  built once by :mod:`btoagents.wiring` as ``Class(cfg, params=..., chain=...)``;
- dealer and plant replenishment (``forecast.rule``): a subclass of
  :class:`~btoagents.policies.replenishment.PeriodicReview` (the built-in
  ``order_up_to``), built once as ``Class(chain, params=...)``;
- agents (``dealers.agent``, ``customers.agent``, ``manufacturer.agent``,
  ``supplier.agent`` for every supplier): a subclass of the built-in agent class, built by
  :mod:`btoagents.wiring` with the built-in's arguments plus ``params=`` (the way ciw takes
  a ``node_class``); the built-in class is the default.

A further kind is one more row of :data:`KINDS` plus the model hook that builds and calls
it.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Kind:
    """One kind of plugin.

    Attributes:
        name: the kind, also the prefix of its entry-point names (``fulfillment.NAME``).
        section: the scenario section holding the choice and its ``params`` (a TOML table).
        builtins: the module whose import registers the built-in plugins of this kind.
        methods: methods a plugin class must have, as messages show them
            (``"review(state)"``), checked at load.
        role: what a plugin of this kind is, as messages name it.
        field: the key of ``section`` that names the plugin.
        base: the class a plugin must subclass, as an import path (agents), if any.
        many: ``field`` holds a list of plugins (KPIs), not one name.
    """

    name: str
    section: str
    builtins: str
    methods: tuple[str, ...]
    role: str
    field: str = "policy"
    base: str | None = None
    many: bool = False

    @property
    def key(self) -> str:
        """The scenario key naming the plugin (``fulfillment.policy``)."""
        return f"{self.section}.{self.field}"


def _agent(name: str, section: str, module: str, cls: str) -> Kind:
    return Kind(name, section, module, (), f"{name} agent", "agent", f"{module}:{cls}")


def _subclass(name: str, section: str, field: str, module: str, cls: str, role: str) -> Kind:
    """A kind whose plugins subclass a built-in class (named by ``section.field``)."""
    return Kind(name, section, module, (), role, field, f"{module}:{cls}")


KINDS: dict[str, Kind] = {
    "fulfillment": Kind(
        "fulfillment",
        "fulfillment",
        "btoagents.policies.fulfillment",
        ("review(state)",),
        "fulfillment policy",
    ),
    "capacity": Kind(
        "capacity",
        "capacity",
        "btoagents.policies.capacity",
        ("review(state)",),
        "capacity policy",
    ),
    "demand_management": _subclass(
        "demand_management",
        "demand_management",
        "policy",
        "btoagents.policies.demand_management",
        "DemandManager",
        "demand manager",
    ),
    "replenishment": _subclass(
        "replenishment",
        "forecast",
        "rule",
        "btoagents.policies.replenishment",
        "PeriodicReview",
        "replenishment rule",
    ),
    "kpi": Kind(
        "kpi",
        "kpis",
        "btoagents.kpis.plugin",
        ("record(kpis, chain)",),
        "KPI plugin",
        field="plugins",
        many=True,
    ),
    "dealer": _agent("dealer", "dealers", "btoagents.agents.dealer", "Dealer"),
    "customer": _agent("customer", "customers", "btoagents.agents.customer", "FinalCustomer"),
    "manufacturer": _agent(
        "manufacturer", "manufacturer", "btoagents.agents.manufacturer", "Manufacturer"
    ),
    "supplier": _agent("supplier", "supplier", "btoagents.agents.supplier", "HardwareSupplier"),
}


def kind_of(name: str) -> Kind:
    """The kind called ``name`` (a ``KeyError`` naming the known kinds otherwise)."""
    try:
        return KINDS[name]
    except KeyError:
        raise KeyError(f"unknown plugin kind {name!r} (known: {', '.join(KINDS)})") from None
