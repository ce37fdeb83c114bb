"""Wiring: the chain's agents, their stock points and the accumulators those feed.

The model builds the manufacturer first (everyone else refers to its stocks), then the
suppliers, the dealers, the final customers and the intermediaries, in that order: the
customers' attributes are drawn from the ``customers`` stream here, so the order of
construction is part of a seed's meaning. Every stock point then starts its KPI window at
the end of the warm-up and feeds the review-period counters of its bullwhip stage.

The manufacturer, the suppliers, the dealers and the final customers are built from the
class their section names (``manufacturer.agent``, ``supplier.agent``, ``dealers.agent``,
``customers.agent``; the built-in class by default, else a subclass from the plugin
registry, :mod:`btoagents.plugins`), resolved once here, with the built-in's arguments
plus ``params=`` (the agent's validated ``Params``). So are the demand manager
(``demand_management.policy``) and the periodic review rule (``forecast.rule``). Nothing
is looked up per event.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from btoagents import plugins
from btoagents.agents import Dealer, FinalCustomer, HardwareSupplier, Intermediary, Manufacturer
from btoagents.population import LazyPopulation

if TYPE_CHECKING:
    from pydantic import BaseModel

    from btoagents.chain import Chain, Levels
    from btoagents.config.schema import Scenario
    from btoagents.kpis.collector import KpiCollector
    from btoagents.policies.demand_management import DemandManager
    from btoagents.policies.ledger import VariantLedger
    from btoagents.policies.replenishment import PeriodicReview
    from btoagents.products import Catalog
    from btoagents.stock import StockPoint


def finished_levels(
    kpi: KpiCollector, catalog: Catalog, ledger: VariantLedger | None, dealer: bool = False
) -> Levels:
    """Per variant, the accumulators a finished unit on hand feeds: its family's units, the
    ledger's stock of the variant (adaptive policies) and, for a dealer's lot, dealer
    units (each with weight 1 unit) and the dealers' stock value (weight: unit cost)."""
    levels = [[(kpi.fg_by_family[v.family], 1.0)] for v in catalog.variants]
    if ledger is not None:
        for entry, acc in zip(levels, ledger.stock, strict=True):
            entry.append((acc, 1.0))
    if dealer:
        for entry, var in zip(levels, catalog.variants, strict=True):
            entry.append((kpi.dealer_units, 1.0))
            entry.append((kpi.dealer_value, var.unit_cost))
    return levels


def component_levels(kpi: KpiCollector, scenario: Scenario) -> Levels:
    """Per component, the accumulators a component on hand feeds: units (weight 1) and
    value (weight: its unit cost)."""
    costs = [c.unit_cost for c in scenario.components.values()]
    return [[(kpi.comp_units, 1.0), (kpi.comp_value, c)] for c in costs]


def agent_class(kind: str, section: Any) -> tuple[type, BaseModel]:
    """The agent class ``section.agent`` names (a plugin of ``kind``: ``dealer``,
    ``customer``, ``manufacturer``) and its parameters from ``section.params``."""
    plugin = plugins.resolve(kind, section.agent)
    return plugin.factory, plugin.params_of(section)


def plugin_class(kind: str, section: Any) -> tuple[type, BaseModel, bool]:
    """The class the key of ``kind`` in ``section`` names (``demand_management.policy``,
    ``forecast.rule``), its parameters from ``section.params``, and whether it is the
    built-in."""
    plugin = plugins.resolve(kind, getattr(section, plugins.kind_of(kind).field))
    return plugin.factory, plugin.params_of(section), plugin.builtin


def build_demand_manager(chain: Chain) -> DemandManager | None:
    """The demand manager ``demand_management.policy`` names; None for the built-in when no
    key departs from plain quoting (the customers then skip it). A plugin is always built."""
    cfg = chain.cfg.demand_management
    cls, params, builtin = plugin_class("demand_management", cfg)
    if builtin and not cls.active(cfg):
        return None
    return cls(cfg, params=params, chain=chain)


def build_periodic_review(chain: Chain) -> PeriodicReview:
    """The periodic review rule ``forecast.rule`` names, built once the stock points exist
    (it sets their forecasts, lead times in periods and initial targets)."""
    cls, params, _ = plugin_class("replenishment", chain.cfg.forecast)
    return cls(chain, params=params)


def build_manufacturer(chain: Chain) -> Manufacturer:
    """The plant, of the class ``manufacturer.agent`` names."""
    cls, params = agent_class("manufacturer", chain.cfg.manufacturer)
    return cls(chain, params=params)


def build_suppliers(chain: Chain) -> tuple[list[HardwareSupplier], list[HardwareSupplier]]:
    """The suppliers, and per component the supplier that makes it (components without a
    named supplier go to the first). Of the class ``supplier.agent``, all of them."""
    scn = chain.cfg
    names = scn.supplier_names()
    owner = [c.supplier or names[0] for c in scn.components.values()]
    cls, params = agent_class("supplier", scn.supplier)
    by_name = {}
    for name in names:
        mine = [i for i, o in enumerate(owner) if o == name]
        by_name[name] = cls(chain, name, scn.supplier_config(name), mine, params=params)
    return list(by_name.values()), [by_name[o] for o in owner]


def build_dealers(chain: Chain) -> list[Dealer]:
    """``dealers.count`` dealers sharing demand equally, of the class ``dealers.agent``."""
    n = chain.cfg.dealers.count
    cls, params = agent_class("dealer", chain.cfg.dealers)
    return [cls(chain, i, 1.0 / n, params=params) for i in range(n)]


def build_customers(chain: Chain, dealers: list[Dealer]) -> list[FinalCustomer] | LazyPopulation:
    """The final customers: patience, price sensitivity and favourite variant drawn from
    the ``customers`` stream (in that order, customer by customer); homes assigned to the
    dealers in turn. Of the class ``customers.agent``.

    Without ``customers.purchase_cycle``: ``customers.count`` customers, built now. With it:
    a population of the total demand rate x the cycle, each customer built when the arrival
    process first picks it (:mod:`btoagents.population`).
    """
    cfg = chain.cfg.customers
    maker = _CustomerMaker(chain, dealers)
    if cfg.purchase_cycle is not None:
        return LazyPopulation(cfg.population(chain.catalog.total_rate), maker.make)
    return [maker.make(i) for i in range(cfg.count)]


class _CustomerMaker:
    """Draws and builds customer ``i`` (its attributes from the ``customers`` stream).

    The scenario's values are read once here: a lazily drawn population builds thousands of
    customers during a run, and pydantic attribute reads are slow."""

    def __init__(self, chain: Chain, dealers: list[Dealer]) -> None:
        cfg = chain.cfg.customers
        self.chain = chain
        self.dealers = dealers
        self.cls, self.params = agent_class("customer", cfg)
        self.stream = chain.streams["customers"]
        self.patience = cfg.patience
        self.distribution = cfg.patience_distribution
        self.lo, self.hi = cfg.switch_discount

    def make(self, i: int) -> FinalCustomer:
        """Customer ``i``: patience, price sensitivity, favourite, home dealer ``i mod n``."""
        s, dealers = self.stream, self.dealers
        lo = self.lo
        if self.distribution == "exponential":
            patience = self.patience * s.exponential()
        elif self.distribution == "uniform":
            patience = self.patience * (0.5 + s.uniform())
        else:
            patience = self.patience
        switch = lo + (self.hi - lo) * s.uniform()
        favourite = self.chain.pick_variant(s.uniform())
        dealer = dealers[i % len(dealers)] if dealers else None
        return self.cls(self.chain, i, patience, switch, favourite, dealer, params=self.params)


def build_intermediaries(chain: Chain) -> list[Intermediary]:
    """One bulk buyer per ``[intermediaries.NAME]`` table."""
    return [Intermediary(chain, name, cfg) for name, cfg in chain.cfg.intermediaries.items()]


def stock_points(
    plant: Manufacturer, dealers: list[Dealer], suppliers: list[HardwareSupplier]
) -> list[StockPoint]:
    """Every stock point of the chain, downstream first after the plant's two."""
    return [
        plant.finished,
        plant.components,
        *(d.stock for d in dealers),
        *(s.stock for s in suppliers),
    ]


def start_windows(
    kpi: KpiCollector,
    points: list[StockPoint],
    plant: Manufacturer,
    dealers: list[Dealer],
    review_period: float,
    warmup: float,
) -> None:
    """Start every stock point's KPI window at ``warmup`` (days) and attach the bullwhip
    stages: the plant's finished goods (``plant``), its component stock (``components``)
    and the dealers' lots (``dealers``, one stage for all), counted per bucket of
    ``review_period`` days (``kpis.bullwhip_bucket``, by default the review period); and
    make the plant's component stock feed the plant's component value (holding cost per
    echelon)."""
    for sp in points:
        sp.window_start = warmup
    comps = plant.components
    for entry in comps.levels:
        value = [w for acc, w in entry if acc is kpi.comp_value]
        if value:
            entry.append((kpi.plant_comp_value, value[0]))
    plant.finished.stage = kpi.stage("plant", review_period, warmup)
    plant.components.stage = kpi.stage("components", review_period, warmup)
    for d in dealers:
        d.stock.stage = kpi.stage("dealers", review_period, warmup)
