"""M/M/1 make-to-stock with base stock S on a plain heapq event loop (the speed reference).

Orders arrive at the given inter-arrival times; each order takes a unit from stock if there
is one (else waits, FCFS) and triggers one replenishment job on a single FCFS server with
the given service times. Returns the fill rate (share of orders served from stock at once).
"""

from __future__ import annotations

import heapq
from collections import deque


def run(interarrivals: list[float], services: list[float], base_stock: int) -> float:
    heap: list[tuple[float, int, int]] = []  # (time, sequence, kind) kind 0 arrival, 1 done
    seq = 0
    stock = base_stock
    waiting: deque[float] = deque()
    queue = 0  # jobs waiting for the server
    busy = False
    next_service = 0
    served = 0
    n = len(interarrivals)
    arrived = 0
    heapq.heappush(heap, (interarrivals[0], seq, 0))
    while heap:
        t, _, kind = heapq.heappop(heap)
        if kind == 0:
            arrived += 1
            if stock > 0:
                stock -= 1
                served += 1
            else:
                waiting.append(t)
            if busy:
                queue += 1
            else:
                busy = True
                seq += 1
                heapq.heappush(heap, (t + services[next_service], seq, 1))
                next_service += 1
            if arrived < n:
                seq += 1
                heapq.heappush(heap, (t + interarrivals[arrived], seq, 0))
        else:
            if waiting:
                waiting.popleft()
            else:
                stock += 1
            if queue:
                queue -= 1
                seq += 1
                heapq.heappush(heap, (t + services[next_service], seq, 1))
                next_service += 1
            else:
                busy = False
    return served / n
