"""The variant catalog: product families expanded into variants with Zipf popularity.

A family of ``n`` variants splits its demand rate by Zipf's law, rank ``k`` (1-based)
getting a share proportional to ``k ** -zipf_exponent``. The least popular ``tail_share``
of a family's variants take ``tail_strategy`` (e.g. BTO) while the rest keep ``strategy``
(e.g. BTS): the classic hybrid with runners stocked and the tail built to order. Each
variant belongs to one family and knows its neighbours (the "near variants" a customer may
accept instead), its components and its life cycle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from btoagents.config.schema import Scenario
from btoagents.vocabulary import Strategy

DECOUPLING_POINTS: dict[str, str] = {
    "bts": "finished goods",
    "ato": "components",
    "bto": "none: built after the order",
    "eto": "none: designed and built after the order",
}


def decoupling_point(strategy: str, dealers: int) -> str:
    """Where stock ends and orders drive work for a variant under ``strategy``."""
    if strategy == "bts":
        return "dealer stock" if dealers > 0 else "plant finished goods"
    return DECOUPLING_POINTS[strategy]


def zipf_shares(n: int, exponent: float) -> np.ndarray:
    """Popularity shares of ranks 1..n under Zipf's law with the given exponent (sum 1)."""
    weights = np.arange(1, n + 1, dtype=float) ** -exponent
    return weights / weights.sum()


@dataclass(slots=True)
class Variant:
    """One sellable variant. Rates in orders/day, money per unit, times in days."""

    name: str
    family: int
    rank: int
    strategy: int
    rate: float
    price: float
    unit_cost: float
    salvage: float
    base_stock: int
    reorder_point: int
    components: tuple[int, ...]
    release_days: float
    engineering_days: float
    life_cycle: float | None
    first_end_of_life: float | None


class Catalog:
    """All variants of a scenario plus lookup tables used on the hot path."""

    def __init__(self, scenario: Scenario) -> None:
        self.families: list[str] = list(scenario.products)
        self.components: list[str] = list(scenario.components)
        comp_index = {c: i for i, c in enumerate(self.components)}
        self.variants: list[Variant] = []
        self.family_variants: list[list[int]] = []
        for f, (fname, prod) in enumerate(scenario.products.items()):
            shares = zipf_shares(prod.variants, prod.zipf_exponent)
            n_tail = round(prod.tail_share * prod.variants)
            members = []
            for k in range(prod.variants):
                tail = k >= prod.variants - n_tail
                strategy = Strategy.parse(prod.tail_strategy if tail else prod.strategy)
                stocked = strategy == Strategy.BTS
                base = prod.base_stock if stocked else 0
                reorder = prod.reorder_point if prod.reorder_point is not None else base - 1
                eol = None
                if prod.life_cycle is not None:
                    eol = prod.life_cycle * (k + 1) / prod.variants
                name = fname if prod.variants == 1 else f"{fname}-{k + 1:02d}"
                members.append(len(self.variants))
                self.variants.append(
                    Variant(
                        name=name,
                        family=f,
                        rank=k,
                        strategy=strategy,
                        rate=prod.demand_rate * float(shares[k]),
                        price=prod.price,
                        unit_cost=prod.unit_cost,
                        salvage=min(prod.salvage_value, prod.unit_cost),
                        base_stock=base,
                        reorder_point=min(reorder, base - 1) if stocked else -1,
                        components=tuple(comp_index[c] for c in prod.components),
                        release_days=prod.release_days,
                        engineering_days=prod.engineering_days,
                        life_cycle=prod.life_cycle,
                        first_end_of_life=eol,
                    )
                )
            self.family_variants.append(members)
        self.total_rate = sum(v.rate for v in self.variants)
        self.cumulative: list[float] = self._cumulative()

    def _cumulative(self) -> list[float]:
        probs = np.array([v.rate for v in self.variants]) / self.total_rate
        cum = np.cumsum(probs)
        cum[-1] = 1.0
        return cum.tolist()

    def reverse_popularity(self) -> None:
        """Reverse each family's ranking of demand rates (a shift in taste): the variant of
        rank ``k`` takes the rate of rank ``n - 1 - k``. Totals per family are unchanged;
        strategies, stock targets and neighbours stay as they were."""
        for members in self.family_variants:
            rates = [self.variants[v].rate for v in members]
            for v, r in zip(members, reversed(rates), strict=True):
                self.variants[v].rate = r
        self.cumulative = self._cumulative()

    def __len__(self) -> int:
        return len(self.variants)

    def near(self, v: int, width: int = 1) -> list[int]:
        """Variants of the same family within ``width`` popularity ranks of ``v`` (not ``v``)."""
        var = self.variants[v]
        members = self.family_variants[var.family]
        return [
            members[k]
            for k in range(max(0, var.rank - width), min(len(members), var.rank + width + 1))
            if k != var.rank
        ]


def days_of_supply_stock(rate: float, days: float) -> int:
    """Units covering ``days`` of demand at ``rate`` per day (at least 1 when days > 0)."""
    if days <= 0:
        return 0
    return max(1, math.ceil(rate * days))
