"""A run's budget: expected events and memory, estimated from the scenario before it starts.

Bounds on single values (:mod:`btoagents.config.limits`) cannot see combinations: a long
horizon is fine at a low rate and not at a high one. :func:`estimate` adds up, for one
replication, the events the model will process and the bytes it will hold::

    events ~ T x (candidate arrivals/day x events per order + bulk units/day x events per
             unit) + T / period x (1 + items reviewed) for each recurring review
             + variants x T / life_cycle x (2 + dealers) + setup (customers, stock units)
    memory ~ customers x 500 B + variants x 2.5 kB + dealers x variants x 2 kB
             + stock units x 40 B + open orders x 500 B (+ trace, time series, windows)

where T is the horizon plus the drain after it. The per-entity sizes were measured on
this project's reference machine (CPython 3.12); the model processes about 100,000 events
a second. :func:`check_budget` refuses, in one line, a run whose estimate exceeds
``MAX_EVENTS`` or ``MAX_MEMORY_BYTES``; ``force`` lifts those limits, but not
``MAX_FORCED_EVENTS`` nor the machine's physical memory.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from btoagents.config.policy_schema import adaptive, reviewed
from btoagents.config.schema import Scenario
from btoagents.errors import ConfigError

#: events of one command's simulation work (a ``run`` with all its replications, or one run
#: of a sweep) accepted without ``--force``: about 17 minutes at 100,000 events/s.
MAX_EVENTS = 100_000_000
#: bytes one replication may hold without ``--force`` (the model's own data).
MAX_MEMORY_BYTES = 2 * 1024**3
#: events refused even with ``--force``: about 12 days of computing.
MAX_FORCED_EVENTS = 100_000_000_000
#: events the model processes per second (for the time shown in a refusal).
EVENTS_PER_SECOND = 100_000

BYTES_PER_CUSTOMER = 500
BYTES_PER_VARIANT = 2_500
BYTES_PER_DEALER_VARIANT = 2_000
BYTES_PER_UNIT = 40
BYTES_PER_OPEN_ORDER = 500
BYTES_PER_TRACE_ROW = 100
BYTES_PER_SAMPLE = 200


@dataclass(frozen=True)
class Estimate:
    """Expected work of one replication: ``events`` (events processed plus items touched
    by reviews and set-up) and ``memory`` (bytes held at the peak); ``events_why`` and
    ``memory_why`` name the largest contribution in words."""

    events: float
    memory: float
    events_why: str
    memory_why: str


def _largest(terms: dict[str, float]) -> str:
    return max(terms, key=lambda k: terms[k]) if terms else "nothing"


def _bts(strategy: str, tail_share: float, tail_strategy: str) -> bool:
    return strategy == "bts" or (tail_share > 0 and tail_strategy == "bts")


def estimate(scn: Scenario) -> Estimate:
    """The expected events and peak memory of one replication of ``scn`` (see the module
    docstring for the formula); takes microseconds, whatever the scenario's size."""
    sim, dealers, dm = scn.simulation, scn.dealers, scn.demand_management
    n_dealers = dealers.count
    rho = scn.offered_load()
    drain = 0.0
    if sim.drain:
        limit = sim.drain_limit if sim.drain_limit is not None else sim.horizon - sim.warmup
        drain = limit if rho >= 1 else min(limit, 0.25 * sim.horizon)
    days = sim.horizon + drain
    products = scn.products.values()
    variants = sum(p.variants for p in products)
    components = len(scn.components)
    peak = 1 + scn.demand.amplitude if scn.demand.process == "seasonal" else 1.0
    order_rate = sum(p.demand_rate for p in products)
    # customers built: all of customers.count, or with a purchase cycle those met (drawn
    # when first picked: at most one per candidate arrival)
    customers = scn.customers.population(order_rate)
    if scn.customers.purchase_cycle is not None:
        customers = min(customers, math.ceil(order_rate * peak * days))

    per_day = 0.0  # events per day from final-customer orders
    for p in products:
        e = 2.5 + (2 if n_dealers else 0) + 2 * len(p.components)
        e += 2 if (p.release_days > 0 or "eto" in (p.strategy, p.tail_strategy)) else 0
        e += dm.max_defers if dm.acceptance == "defer" else 0
        per_day += p.demand_rate * peak * e
    bulk_units = sum(i.rate * i.size_mean for i in scn.intermediaries.values())
    bulk_per_day = sum(i.rate for i in scn.intermediaries.values()) + 3 * bulk_units

    reviews: dict[str, float] = {}
    forecast = scn.forecast
    periodic = dealers.policy == "order_up_to" or any(
        c.plant_policy == "order_up_to" for c in scn.components.values()
    )
    if periodic:
        items = 1 + variants * n_dealers + components
        reviews["order-up-to reviews (forecast.review_period)"] = (
            days / forecast.review_period * items
        )
    if adaptive(scn.fulfillment):
        f = scn.fulfillment
        reviews["fulfillment reviews (fulfillment.review_period)"] = (
            days / f.review_period * (1 + variants * (1 + n_dealers))
        )
        reviews["demand buckets (fulfillment.bucket_days)"] = days / f.bucket_days * (1 + variants)
    if reviewed(scn.capacity):
        reviews["capacity reviews (capacity.review_period)"] = (
            days / scn.capacity.review_period * (1 + variants)
        )
    reviews["utilization periods (kpis.utilization_period)"] = days / scn.kpis.utilization_period
    if sim.sample_every > 0:
        reviews["time-series samples (simulation.sample_every)"] = days / sim.sample_every * 10
    life = sum(p.variants * days / p.life_cycle for p in products if p.life_cycle is not None)
    if life:
        reviews["end-of-life events (products.*.life_cycle)"] = life * (2 + n_dealers)

    units = _initial_units(scn, order_rate)
    events: dict[str, float] = {
        f"final-customer orders ({order_rate:.4g} orders/day over {days:,.0f} days)": days
        * per_day,
        "bulk orders (intermediaries)": days * bulk_per_day,
        "setting up customers and stock": customers + units + variants * n_dealers,
        **reviews,
    }

    capacity = scn.manufacturer.lines * scn.manufacturer.service_rate
    arriving = order_rate + bulk_units
    if rho >= 1:
        open_orders = (arriving - capacity) * days
        if math.isfinite(scn.customers.patience):
            open_orders = min(open_orders, arriving * scn.customers.patience)
    else:
        pipeline = max((p.release_days + p.engineering_days for p in products), default=0)
        pipeline += dealers.transport_time + scn.supplier.lead_time + 30
        open_orders = arriving * pipeline
    memory: dict[str, float] = {
        f"customers ({customers:,})": customers * BYTES_PER_CUSTOMER,
        f"variants ({variants:,}) at {n_dealers:,} dealers": variants
        * (BYTES_PER_VARIANT + n_dealers * BYTES_PER_DEALER_VARIANT),
        f"units in stock ({units:.3g})": units * BYTES_PER_UNIT,
        f"open orders ({open_orders:.3g})": open_orders * BYTES_PER_OPEN_ORDER,
    }
    if sim.trace:
        memory["the order trace (simulation.trace)"] = days * order_rate * BYTES_PER_TRACE_ROW
    if sim.sample_every > 0:
        memory["time-series samples (simulation.sample_every)"] = (
            days / sim.sample_every * BYTES_PER_SAMPLE
        )
    if adaptive(scn.fulfillment):
        f = scn.fulfillment
        memory["demand buckets (fulfillment.window / bucket_days)"] = (
            variants * (f.window / f.bucket_days + 1) * 8
        )
    if periodic:
        memory["forecast windows (forecast.window)"] = (
            (variants * n_dealers + components) * forecast.window * 8
        )
    return Estimate(sum(events.values()), sum(memory.values()), _largest(events), _largest(memory))


def _initial_units(scn: Scenario, order_rate: float) -> float:
    """Units put in stock at the start or held as targets: plant and dealer finished goods,
    component and supplier stock."""
    products = scn.products.values()
    units = 0.0
    dealers = scn.dealers
    bts_rate = 0.0
    for p in products:
        if _bts(p.strategy, p.tail_share, p.tail_strategy):
            units += p.variants * p.base_stock
            bts_rate += p.demand_rate
    if dealers.count:
        cover = max(dealers.days_of_supply, dealers.transport_time + scn.forecast.review_period)
        units += cover * bts_rate
        if dealers.policy == "order_up_to":
            variants = sum(p.variants for p in products)
            units += scn.forecast.safety_stock * variants * dealers.count
    for comp in scn.components.values():
        supplier = scn.supplier_config(comp.supplier or scn.supplier_names()[0])
        units += comp.plant_base_stock + supplier.base_stock
    if adaptive(scn.fulfillment):
        covers = [scn.fulfillment.cover_days, *scn.fulfillment.bandit.cover_days]
        units += max(covers) * order_rate
    return units


def physical_memory() -> int | None:
    """This machine's physical memory in bytes, or None where the system does not say."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _duration(events: float) -> str:
    seconds = events / EVENTS_PER_SECOND
    for unit, size in (("days", 86_400), ("hours", 3_600), ("minutes", 60)):
        if seconds >= 2 * size:
            return f"about {seconds / size:,.0f} {unit}"
    return f"about {seconds:.0f} seconds"


def _bytes(n: float) -> str:
    for unit, size in (("TB", 1024**4), ("GB", 1024**3), ("MB", 1024**2)):
        if n >= size:
            return f"{n / size:,.1f} {unit}"
    return f"{n / 1024:,.0f} kB"


def check_budget(
    scn: Scenario,
    replications: int = 1,
    force: bool = False,
    label: str | None = None,
    hint: str = "add --force to run it anyway",
) -> Estimate:
    """Refuse, before any work, runs of ``scn`` that would be too long or too large.

    Args:
        scn: the scenario, validated.
        replications: replications run one after another (their events add up; memory
            is that of one).
        force: lift ``MAX_EVENTS`` and ``MAX_MEMORY_BYTES`` (not ``MAX_FORCED_EVENTS`` nor
            the machine's physical memory).
        label: what the message names (default: the scenario's name).
        hint: how to force the run, ending the message.

    Returns:
        The estimate of one replication.

    Raises:
        ConfigError: one line with the estimate, its largest cause and the limit.
    """
    est = estimate(scn)
    label = label or scn.name
    events = est.events * replications
    reps = f" ({replications:,} replications)" if replications > 1 else ""
    what = f"{label}: about {events:.2g} events{reps}, {_duration(events)}, mostly {est.events_why}"
    if events > MAX_FORCED_EVENTS or not math.isfinite(events):
        raise ConfigError(
            f"{what}; expected at most {MAX_FORCED_EVENTS:.0e} events even when forced: "
            "shorten simulation.horizon or lower the rates"
        )
    if not force and events > MAX_EVENTS:
        raise ConfigError(
            f"{what}; the limit is {MAX_EVENTS:.0e} events ({_duration(MAX_EVENTS)}): "
            f"shorten simulation.horizon, lower the rates or replications, or {hint}"
        )
    need = f"{label}: about {_bytes(est.memory)} of memory per replication, mostly {est.memory_why}"
    physical = physical_memory()
    if physical is not None and est.memory > physical:
        raise ConfigError(f"{need}; more than this machine's {_bytes(physical)}, even when forced")
    if not force and est.memory > MAX_MEMORY_BYTES:
        raise ConfigError(f"{need}; the limit is {_bytes(MAX_MEMORY_BYTES)}: {hint}")
    return est
