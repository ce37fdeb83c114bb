"""The end-of-run audit: units and orders must balance, and levels must agree with times.

Two checks read a finished (or paused) run without changing it:

- :func:`check_conservation`: every unit produced or held at the start is delivered, on
  hand, in transit or written off; every final-customer order that arrived is delivered,
  lost or still found in a queue (the order bank's and pipeline matching's included); no
  stock point is ever negative. A violation raises
  :class:`~btoagents.errors.ConservationError` naming the counts, so a broken flow cannot
  pass as a plausible KPI.
- :func:`littles_law_gaps`: the time-average backlog and finished stock minus the time
  their orders and units spent in the system per day of window (sample-path Little's law).

Both take the model; they read its conservation counters (whole run, warm-up included)
and its Little's-law counters (backlog residence over the window).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from btoagents.errors import ConservationError
from btoagents.records import FINAL, Order

if TYPE_CHECKING:
    from btoagents.chain import Audited


def check_conservation(model: Audited) -> None:
    """Units and orders must balance; stock never negative. Raises ConservationError."""
    plant = model.plant
    finished = [plant.finished, *(d.stock for d in model.dealers)]
    for sp in model.stock_points:
        if min(sp.on_hand, default=0) < 0:
            raise ConservationError(f"{sp.name}: negative stock {min(sp.on_hand)}")
    on_hand = sum(sum(sp.on_hand) for sp in finished)
    produced = plant.produced
    lhs = produced + model.initial_units
    rhs = model.delivered_units + on_hand + model.in_transit_units + model.written_off
    if lhs != rhs:
        raise ConservationError(
            f"units: produced {produced} + initial {model.initial_units} != delivered "
            f"{model.delivered_units} + in stock {on_hand} + in transit "
            f"{model.in_transit_units} + written off {model.written_off}"
        )
    waiting = sum(
        1 for sp in finished for c in sp.waiting_claims() if type(c) is Order and c.kind == FINAL
    )
    in_work = sum(
        1 for j in plant.workcenter.jobs() if j.order is not None and j.order.kind == FINAL
    )
    backlog = (
        waiting + in_work + plant.in_planning + plant.awaiting_components + model.in_transit_orders
    )
    bank, matcher = plant.bank, plant.matcher
    if bank is not None:
        # every order in planning waits in the order bank: booked, or on a stock job it took
        if bank.final_orders() != plant.in_planning:
            raise ConservationError(
                f"order bank: {bank.final_orders()} customer orders held but "
                f"{plant.in_planning} counted in planning"
            )
        if bank.placed != bank.released + bank.held():
            raise ConservationError(
                f"order bank: placed {bank.placed} != released {bank.released} + held {bank.held()}"
            )
    if matcher is not None:
        backlog += matcher.in_transit  # orders riding on a unit taken over in transit
    if model.reneging is not None:
        backlog -= model.reneging.in_flight  # cancelled orders whose unit is on its way
    if model.arrived_final != model.delivered_final + backlog + model.lost_final:
        raise ConservationError(
            f"orders: arrived {model.arrived_final} != delivered {model.delivered_final} "
            f"+ backlogged {backlog} + lost {model.lost_final}"
        )
    if backlog != model.open_final:
        raise ConservationError(
            f"orders: {backlog} found in queues but {model.open_final} counted open"
        )


def littles_law_gaps(model: Audited) -> dict[str, float]:
    """Time-average backlog and finished stock minus their residence per day of window.

    Sample-path Little's law over the window [warmup, now] (Stidham, "A last word on
    L = lambda W", Operations Research 22(2), 1974): the area under the number in a
    system equals the time its items spend in it inside the window, edge items
    included. Both gaps are 0 up to rounding when levels and unit times agree.

    Returns:
        ``{"backlog": orders, "stock": units}``, each a time-average level minus the
        residence (order-days or unit-days) per day of window.
    """
    now, w = model.cal.now, model.warmup
    days = now - w
    orders = model.backlog_residence + (
        model.open_before_warmup * days + model.open_after_warmup * now - model.open_arrival_sum
    )
    units = 0.0
    for sp in (model.plant.finished, *(d.stock for d in model.dealers)):
        units += sp.residence + sum(now - max(a, w) for q in sp.ages for a in q)
    kpi = model.kpi
    return {
        "backlog": kpi.backlog.mean(now) - orders / days,
        "stock": kpi.fg_inventory_mean(now) - units / days,
    }
