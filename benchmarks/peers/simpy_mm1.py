"""M/M/1 make-to-stock with base stock S in SimPy (a lean process-based peer).

Same logic as heapq_mm1: a Store holds finished units, a Resource is the line; each order
takes a unit (or waits for one) and starts one replenishment process.
"""

from __future__ import annotations

import simpy


def run(interarrivals: list[float], services: list[float], base_stock: int) -> float:
    env = simpy.Environment()
    stock = simpy.Container(env, init=base_stock)
    line = simpy.Resource(env, capacity=1)
    state = {"served": 0, "job": 0}

    def replenish():
        with line.request() as req:
            yield req
            i = state["job"]
            state["job"] += 1
            yield env.timeout(services[i])
        yield stock.put(1)

    def order():
        if stock.level > 0:
            state["served"] += 1
        env.process(replenish())
        yield stock.get(1)

    def source():
        for gap in interarrivals:
            yield env.timeout(gap)
            env.process(order())

    env.process(source())
    env.run()
    return state["served"] / len(interarrivals)
