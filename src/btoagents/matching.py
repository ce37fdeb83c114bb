"""Pipeline matching ("virtual build to order"): a waiting customer takes over a unit
already on its way.

Holweg and Pil ("The Second Century", MIT Press 2004) describe how car makers search the
pipeline - the order bank, the line and the trucks to the dealers - for an unsold unit of
the exact specification a customer wants, instead of scheduling a new one. With
``order_bank.pipeline_matching = true`` a customer order that would wait (a build order,
or a backorder of a stocked variant its dealer does not have) looks for the unsold unit of
its variant that reaches it soonest:

- a stock job of the variant in the order bank (released at its slot time; then one mean
  production time), on the line (in service: its remaining time; waiting: its place in the
  queue), each plus the plant-to-dealer transport; stock jobs are the plant's
  finished-goods replenishment, so the plant's finished goods lose that unit on order and
  re-order as their policy says (only while no customer or bulk order waits at the plant
  for the variant: those units are sold; dealers' stock orders waiting there are not);
- a unit in transit to a dealer that has no customer waiting for the variant (so the unit
  is unsold): it is rerouted to the customer's dealer and arrives when it would have
  (UNCALIBRATED assumption: rerouting adds no time; plausible range 0 to one
  plant-to-dealer transport time); that dealer loses the unit on order and re-orders as
  its policy says.

It takes the unit when that comes sooner than the ordinary quote, and is quoted that time.
"""

from __future__ import annotations

from collections import deque
from typing import TYPE_CHECKING, Any, Protocol

from btoagents.records import Job, Order, Transfer

if TYPE_CHECKING:
    from btoagents.calendar import Calendar
    from btoagents.production import Workcenter
    from btoagents.stock import StockPoint


class Plant(Protocol):
    """What matching reads and changes of the plant (:class:`btoagents.chain.Plant` has
    it; named here so that the chain's interface and this module do not import each
    other)."""

    workcenter: Workcenter
    finished: StockPoint
    bank: Any  # the order bank (btoagents.orderbank.OrderBank), or None
    in_planning: int


INF = float("inf")
BANK, LINE, TRANSIT = 0, 1, 2


def unsold(stock: StockPoint, item: int) -> bool:
    """Whether the units on order for ``item`` at ``stock`` are unsold: no customer or bulk
    order waits there for one (a dealer's stock order waiting at the plant is no sale)."""
    return all(type(claim) is Transfer for claim in stock.waiting[item])


class PipelineMatcher:
    """The plant's view of unsold units in the pipeline, per variant.

    Args:
        cal: the model's calendar.
        plant: the manufacturer (its order bank, line and finished goods).
        n_items: number of variants.
        transport: plant-to-dealer days of a unit built for a customer (0 without dealers).
    """

    def __init__(self, cal: Calendar, plant: Plant, n_items: int, transport: float) -> None:
        self.cal = cal
        self.plant = plant
        self.transport = transport
        self.transit: list[deque[tuple[float, Transfer]]] = [deque() for _ in range(n_items)]
        self.matched = 0  # orders that took over a unit (whole run)
        self.in_transit = 0  # customer orders riding on a unit taken over in transit

    # -- units in transit to the dealers -----------------------------------------------
    def shipped(self, transfer: Transfer, arrival: float) -> None:
        """A replenishment unit leaves the plant for a dealer, arriving at ``arrival``."""
        self.transit[transfer.item].append((arrival, transfer))

    def arrived(self, transfer: Transfer) -> None:
        """An unclaimed unit reached its dealer: it leaves the pipeline."""
        queue = self.transit[transfer.item]
        if queue and queue[0][1] is transfer:
            queue.popleft()
        else:
            queue.remove(next(e for e in queue if e[1] is transfer))

    # -- search ------------------------------------------------------------------------
    def best(self, variant: int) -> tuple[float, int, Any]:
        """(days until the soonest unsold unit of ``variant`` reaches a customer's dealer,
        where it is, the unit); ``(inf, -1, None)`` when there is none."""
        plant = self.plant
        now = self.cal.now
        best: tuple[float, int, Any] = (INF, -1, None)
        for arrival, transfer in self.transit[variant]:
            if unsold(transfer.dest, variant):
                best = (arrival - now, TRANSIT, transfer)
                break
        wc = plant.workcenter
        if not unsold(plant.finished, variant):
            return best  # customers (or a bulk buyer) wait at the plant for the stock jobs
        mean = wc.duration.mean
        for job in wc.in_service:
            if job.item == variant and job.order is None and job.dest is not None:
                eta = job.token - now + self.transport
                if eta < best[0]:
                    best = (eta, LINE, job)
        if best[1] != LINE:
            ahead = len(wc.in_service)
            for queue in wc.queues:
                for job in queue:
                    if job.item == variant and job.order is None and job.dest is not None:
                        eta = max(0, ahead - wc.lines + 1) * mean / wc.lines + mean
                        eta += self.transport
                        if eta < best[0]:
                            best = (eta, LINE, job)
                        break
                    ahead += 1
                else:
                    continue
                break
        bank = plant.bank
        if bank is not None:
            first = bank.first_stock_job(variant)
            if first is not None:
                eta = first[0] - now + mean + self.transport
                if eta < best[0]:
                    best = (eta, BANK, first[1])
        return best

    def quote(self, variant: int) -> float:
        """Days until the soonest unsold unit of ``variant`` reaches a customer's dealer
        (inf: none in the pipeline)."""
        return self.best(variant)[0]

    # -- taking a unit over ------------------------------------------------------------
    def take(self, order: Order, ordinary: float) -> bool:
        """Give ``order`` the soonest unsold unit of its variant when it reaches the
        customer sooner than ``ordinary`` (days, the ordinary quote); returns whether it
        did. The unit's stock destination loses it on order and re-orders."""
        eta, where, unit = self.best(order.variant)
        if where < 0 or eta >= ordinary:
            return False
        v = order.variant
        self.matched += 1
        if where == TRANSIT:
            queue = self.transit[v]
            if queue[0][1] is unit:
                queue.popleft()
            else:
                queue.remove(next(e for e in queue if e[1] is unit))
            unit.order = order
            self.in_transit += 1
            dest = unit.dest
        else:
            job: Job = unit
            dest = job.dest
            if where == BANK:
                self.plant.bank.claim(v, order)
                self.plant.in_planning += 1
            job.order = order
            job.dest = None
        dest.on_order[v] -= 1
        dest.replenish(v)
        return True
