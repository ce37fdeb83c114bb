"""The KPI catalogue: every KPI name a run of a scenario may report, with units.

:data:`KPI_TABLE` gives each base KPI its unit and a one-line meaning (the README's glossary
is generated from it: :mod:`btoagents.kpis.glossary`). :func:`kpi_names` lists the names a
run of a scenario may put in its record (:func:`btoagents.kpis.record.kpi_record`), so that
a sweep can check requested names before it runs anything. Suffixed names appear as follows:

- ``name[family]``: the order KPIs of :data:`GROUP_KPIS` and :data:`FAMILY_LEVELS`, per
  product family, whenever the scenario has more than one family (always reported).
- ``name[strategy]`` (``fill_rate[bts]``...): the :data:`GROUP_KPIS` per strategy, for every
  strategy of which a counted order arrived, when orders of two strategies or more arrived.
- ``bullwhip[stage]`` for the three stages of :data:`BULLWHIP_STAGES`, when two stages or
  more saw varying demand over the window's buckets.
- ``holding_cost[echelon]`` for the four echelons of :data:`HOLDING_ECHELONS`, when the
  scenario has dealers or components (:func:`echeloned`); ``supplier_holding_cost`` when
  it has components.
- ``bullwhip_eol[stage]`` for the three stages, when a variant has a life cycle and a
  generation ended during the run.

The KPIs of :data:`DEALER_KPIS` follow the base names when the chain has dealers, those of
:data:`RENEGING_KPIS` when ``customers.renege`` is on, and those of :data:`POOLING_KPIS` when
``dealers.pooling`` is on and there are dealers.

The KPIs that the scenario's KPI plugins declare (``kpis.plugins``, see
:mod:`btoagents.kpis.plugin`) come last, in listed order; every run reports them.

The first kind is exact. The last two depend on what happens in the run, so the catalogue
declares what *can* appear: the strategies a variant may hold (its own, plus what the
fulfillment policy may switch it to: :func:`possible_strategies`) and the stages that can
see demand at all (:func:`possible_stages`). A record's keys are therefore always a subset
of the catalogue, and every name in it is produced by a run of the scenario long enough for
the policy to switch and the stages to see demand in several periods; a short run, or a
policy that never decides to switch, reports fewer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from btoagents.config.policy_schema import adaptive
from btoagents.products import Catalog
from btoagents.vocabulary import Strategy

if TYPE_CHECKING:
    from btoagents.config.schema import Scenario

ATO, BTO, BTS, ETO = Strategy.ATO, Strategy.BTO, Strategy.BTS, Strategy.ETO
SHARE = "share"
PER_DAY = "currency/day"

#: Base KPI name -> (unit, meaning), in record order.
KPI_TABLE: dict[str, tuple[str, str]] = {
    "fg_inventory": ("units", "time-average finished units on hand, plant and dealers"),
    "backorders": ("orders", "time-average accepted final-customer orders not yet delivered"),
    "utilization": (SHARE, "time-average busy share of the plant's regular lines"),
    "discount_cost": (PER_DAY, "markdowns, incentives and slot discounts granted"),
    "holding_cost": (
        PER_DAY,
        "holding rate times the value (unit cost) of the stock the chain owns: finished "
        "units at the plant and the dealers, the plant's components and finished units in "
        "transit to the dealers (Zipkin 2000: echelon and pipeline stock); by echelon as "
        "holding_cost[dealers], [plant], [components], [pipeline]",
    ),
    "supplier_holding_cost": (
        PER_DAY,
        "holding rate times the value of the suppliers' own component stock (the "
        "suppliers' cost, not in holding_cost or profit)",
    ),
    "obsolescence_cost": (PER_DAY, "unit cost minus salvage of units written off at end of life"),
    "revenue": (PER_DAY, "list price of final-customer and bulk units delivered"),
    "overtime_cost": (PER_DAY, "overtime cost times the busy overtime lines"),
    "capacity_cost": (
        PER_DAY,
        "line cost times the regular lines, plus line cost times (1 + overtime premium) "
        "times the busy overtime lines",
    ),
    "profit": (
        PER_DAY,
        "revenue minus discounts, costs of goods, holding, obsolescence, overtime, "
        "capacity, dealer trades, backorder and lost-sale penalties",
    ),
    "bullwhip": (
        "ratio",
        "Var(units ordered upstream)/Var(units demanded) per bucket of kpis.bullwhip_bucket "
        "days (default: the review period; 7 in the realistic presets), most downstream "
        "stage that saw demand; end-of-life refills and build-ups left out (Chen et al. "
        "2000; Fransoo and Wouters 2000 on the bucket); per stage as bullwhip[stage]",
    ),
    "bullwhip_eol": (
        "ratio",
        "bullwhip[stage] with the demand and orders of end-of-life events counted "
        "(reported per stage when a generation ended)",
    ),
    "orders_per_day": ("orders/day", "final-customer orders that arrived in the window"),
    "dealer_inventory": ("units", "time-average finished units on hand at the dealers"),
    "component_inventory": ("units", "time-average components on hand at the plant and suppliers"),
    "orders_awaiting_components": ("orders", "time-average orders waiting for components"),
    "component_fill_rate": (SHARE, "component requests served from supplier stock at once"),
    "supplier_utilization": (SHARE, "time-average busy share of the suppliers' servers"),
    "bulk_orders": ("orders/day", "intermediary (bulk) orders placed"),
    "bulk_units": ("units/day", "units in intermediary orders placed"),
    "bulk_lead_time_mean": ("days", "mean time from a bulk order to its last unit"),
    "restock_orders": ("orders/day", "dealer restocking orders to the plant"),
    "utilization_sd": (SHARE, "standard deviation of the plant utilization per period"),
    "rejected_rate": (SHARE, "orders refused by demand management"),
    "deferred_rate": (SHARE, "requests deferred by demand management, per order"),
    "incentive_rate": (SHARE, "orders that took a stock or slot incentive"),
    "switches": ("switches/year", "strategy switches decided by the fulfillment policy"),
    "bts_share": (SHARE, "time-average share of variants built to stock"),
    "fill_rate": (
        SHARE,
        "type-2 fill rate of stocked demand: orders of variants built to stock when they "
        "arrived, served from stock at once, over those orders (Silver, Pyke and Thomas "
        "2017; one unit per order)",
    ),
    "stock_service_share": (SHARE, "all final-customer orders served from stock at once"),
    "lost_sales_rate": (SHARE, "final-customer orders lost (impatient or refused)"),
    "lead_time_mean": ("days", "mean time from order to delivery (0 from stock)"),
    "lead_time_p95": ("days", "95th percentile of the lead time"),
    "on_time_rate": (SHARE, "delivered orders within kpis.lead_time_target days"),
    "on_time_to_quote": (
        SHARE,
        "delivered orders within their quote plus customers.late_tolerance days (from "
        "stock: quote 0, on time)",
    ),
    "quote_reliability": (
        SHARE,
        "orders that waited and arrived within their quote (no tolerance)",
    ),
    "quote_error_mean": ("days", "mean delivery minus quote of orders that waited"),
}

#: KPIs of a chain with dealers, reported when ``dealers.count`` > 0; name -> (unit, meaning).
DEALER_KPIS: dict[str, tuple[str, str]] = {
    "dealer_days_of_supply": (
        "days",
        "dealer_inventory divided by the units sold from stock per day (orders_per_day x "
        "stock_service_share): days of supply on the lots, as the car trade reports it",
    ),
}

#: KPIs of reneging (:mod:`btoagents.reneging`), reported when ``customers.renege`` is on.
RENEGING_KPIS: dict[str, tuple[str, str]] = {
    "renege_rate": (
        SHARE,
        "final-customer orders accepted, then cancelled when the customer's patience ran "
        "out (also counted in lost_sales_rate)",
    ),
}

#: KPIs of dealer pooling (:mod:`btoagents.pooling`), reported when ``dealers.pooling`` is
#: on and there are dealers; name -> (unit, meaning).
POOLING_KPIS: dict[str, tuple[str, str]] = {
    "transfer_rate": (SHARE, "final-customer orders served by a lateral transfer (dealer trade)"),
    "transfer_cost": (PER_DAY, "dealer trades times dealers.trade_cost (in profit)"),
}

#: The ordering stages whose bullwhip is measured, most downstream first.
BULLWHIP_STAGES: tuple[str, ...] = ("dealers", "plant", "components")

#: The echelons of ``holding_cost[echelon]`` (reported when the chain has more than one
#: echelon: dealers or components, see :func:`echeloned`).
HOLDING_ECHELONS: tuple[str, ...] = ("dealers", "plant", "components", "pipeline")

#: Base names of :data:`KPI_TABLE` reported only with a suffix.
SUFFIX_ONLY: tuple[str, ...] = ("bullwhip_eol",)

#: Base names of :data:`KPI_TABLE` reported only when the scenario has components.
WITH_COMPONENTS: tuple[str, ...] = ("supplier_holding_cost",)


def echeloned(scenario: Scenario) -> bool:
    """Whether stock can sit in more than one echelon (dealers, or plant components beside
    finished goods): then ``holding_cost`` is also reported per echelon."""
    return scenario.dealers.count > 0 or bool(scenario.components)


#: The order KPIs reported per family and per strategy (``OrderStats.kpis``).
GROUP_KPIS: tuple[str, ...] = (
    "fill_rate",
    "stock_service_share",
    "lost_sales_rate",
    "lead_time_mean",
    "lead_time_p95",
    "on_time_rate",
    "on_time_to_quote",
)

#: The time-average levels also reported per family.
FAMILY_LEVELS: tuple[str, ...] = ("fg_inventory", "backorders")

#: The KPI names every run reports, in display order.
CORE_KPIS: tuple[str, ...] = (
    "fill_rate",
    "stock_service_share",
    "fg_inventory",
    "backorders",
    "lead_time_mean",
    "lead_time_p95",
    "on_time_rate",
    "on_time_to_quote",
    "utilization",
    "lost_sales_rate",
    "discount_cost",
    "holding_cost",
    "obsolescence_cost",
    "revenue",
    "profit",
    "bullwhip",
)


def _policy_choices(scenario: Scenario, catalog: Catalog, v: int) -> set[Strategy]:
    """The strategies the fulfillment policy may give switchable variant ``v``.

    The built-ins say what they may choose; a plugin (any other name) may choose any build
    strategy but eto, as the model treats every policy but ``static`` as adaptive
    (:func:`btoagents.config.policy_schema.adaptive`).
    """
    fcfg = scenario.fulfillment
    build = ATO if catalog.variants[v].components else BTO

    def feasible(s: Strategy) -> Strategy:
        return BTO if s == ATO and build == BTO else s

    policy = fcfg.policy
    if not adaptive(fcfg):
        return set()
    if policy == "classification":
        cls = fcfg.classification
        labels = (cls.runner_strategy, cls.repeater_strategy, cls.stranger_strategy)
        return {feasible(Strategy.parse(s)) for s in labels}
    if policy in ("cost", "bandit"):
        return {BTS, build}
    if policy == "postponement":
        users: list[set[int]] = [set() for _ in catalog.components]
        for u, var in enumerate(catalog.variants):
            for c in var.components:
                users[c].add(u)
        comps = catalog.variants[v].components
        need = fcfg.postponement.min_commonality
        return {ATO} if comps and all(len(users[c]) >= need for c in comps) else set()
    # another policy: any build strategy but eto, ato only with components
    return {BTS, BTO, build}


def possible_strategies(scenario: Scenario, catalog: Catalog | None = None) -> set[Strategy]:
    """Every strategy a variant of ``scenario`` may hold during a run.

    A variant holds its configured strategy and, unless it is eto (never switched), any
    strategy the fulfillment policy may switch it to.
    """
    catalog = Catalog(scenario) if catalog is None else catalog
    out: set[Strategy] = set()
    for v, var in enumerate(catalog.variants):
        out.add(Strategy(var.strategy))
        if var.strategy != ETO:
            out |= _policy_choices(scenario, catalog, v)
    return out


def possible_stages(scenario: Scenario, catalog: Catalog | None = None) -> list[str]:
    """The bullwhip stages that can see demand in a run of ``scenario``.

    Dealers and the plant's finished goods see demand only for units of stocked (BTS)
    variants (the dealers only when there are dealers; the unit of a cancelled order goes
    into stock only when its variant is stocked); the plant's component stock only for
    assemble- or build-to-order variants that list components.
    """
    catalog = Catalog(scenario) if catalog is None else catalog
    strategies = possible_strategies(scenario, catalog)
    stocked = BTS in strategies
    drawn = any(
        var.components
        and (var.strategy in (ATO, BTO) or bool(_policy_choices(scenario, catalog, v) - {BTS}))
        for v, var in enumerate(catalog.variants)
        if var.strategy != ETO
    )
    can = {
        "dealers": stocked and scenario.dealers.count > 0,
        "plant": stocked,
        "components": drawn,
    }
    return [s for s in BULLWHIP_STAGES if can[s]]


def kpi_names(scenario: Scenario) -> list[str]:
    """Every KPI name a run of ``scenario`` may report (see the module docstring).

    Base names in :data:`KPI_TABLE` order, then per-family, per-strategy and per-stage
    names, then the KPI plugins' names. No model is built and nothing is drawn (a plugin
    named by import path is imported).
    """
    catalog = Catalog(scenario)
    skip = SUFFIX_ONLY if scenario.components else SUFFIX_ONLY + WITH_COMPONENTS
    names = [n for n in KPI_TABLE if n not in skip]
    if echeloned(scenario):
        at = names.index("holding_cost") + 1
        names[at:at] = [f"holding_cost[{e}]" for e in HOLDING_ECHELONS]
    if scenario.dealers.count > 0:
        names += list(DEALER_KPIS)
    if scenario.customers.renege:
        names += list(RENEGING_KPIS)
    if scenario.dealers.pooling and scenario.dealers.count > 0:
        names += list(POOLING_KPIS)
    families = catalog.families
    if len(families) > 1:
        names += [f"{n}[{fam}]" for fam in families for n in FAMILY_LEVELS]
        names += [f"{n}[{fam}]" for fam in families for n in GROUP_KPIS]
    strategies = sorted(possible_strategies(scenario, catalog))
    if len(strategies) > 1:
        names += [f"{n}[{s.label}]" for s in strategies for n in GROUP_KPIS]
    if len(possible_stages(scenario, catalog)) > 1:
        names += [f"bullwhip[{stage}]" for stage in BULLWHIP_STAGES]
    if any(var.first_end_of_life is not None for var in catalog.variants):
        names += [f"bullwhip_eol[{stage}]" for stage in BULLWHIP_STAGES]
    if scenario.kpis.plugins:
        from btoagents.kpis.plugin import catalogue

        names += list(catalogue(scenario))
    return names


def describe(name: str, scenario: Scenario | None = None) -> tuple[str, str]:
    """Unit and meaning of a KPI name, suffixed or not, or of a KPI that a plugin of
    ``scenario`` declares; KeyError for an unknown name."""
    if scenario is not None and scenario.kpis.plugins and name not in KPI_TABLE:
        from btoagents.kpis.plugin import catalogue

        declared = catalogue(scenario)
        if name in declared:
            return declared[name]
    base, _, suffix = name.partition("[")
    unit, meaning = {**KPI_TABLE, **DEALER_KPIS, **RENEGING_KPIS, **POOLING_KPIS}[base]
    if suffix:
        meaning = f"{meaning} ({suffix.rstrip(']')} only)"
    return unit, meaning
