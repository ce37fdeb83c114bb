"""Builders of small test chains from dicts (imported by tests; fixtures in conftest)."""

from __future__ import annotations

import copy
from typing import Any

from btoagents.config.loading import build_scenario
from btoagents.model import SupplyChainModel

BASE: dict[str, Any] = {
    "simulation": {"horizon": 200.0, "warmup": 0.0, "replications": 1, "seed": 1},
    "products": {"standard": {"strategy": "bts", "demand_rate": 0.5, "base_stock": 2}},
    "manufacturer": {"lines": 1, "service_rate": 1.0},
}


def merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def scenario(extra: dict[str, Any] | None = None, replace_products: bool = False):
    data = copy.deepcopy(BASE)
    if extra and replace_products and "products" in extra:
        data["products"] = {}
    data = merge(data, extra or {})
    return build_scenario(data, "test")


def model(extra: dict[str, Any] | None = None, replace_products: bool = False, **kw):
    return SupplyChainModel(scenario(extra, replace_products), **kw)


def quiet(m):
    """Cancel the model's own pending customer arrivals, so a test drives every purchase."""
    m.cal._heap[:] = [e for e in m.cal._heap if e[2] != m._arrival]
    import heapq

    heapq.heapify(m.cal._heap)
    return m
