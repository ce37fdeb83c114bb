"""A large population of final customers, each drawn when it first appears.

With a realistic purchase cycle (``customers.purchase_cycle``: a new-car owner keeps a car
for about 6.6 years, IHS Markit, "Vehicles getting older: average age of light cars and
trucks in U.S. rises again in 2016 to 11.6 years", press release 2016: average length of
ownership of new vehicles 79.3 months at the end of 2015), the population that produces a
demand rate ``lambda`` (orders/day) is ``lambda x cycle``: about 91,000 customers for the
dealer network's 38 orders a day over 2,400 days. Building one Mesa agent per customer up
front took about 2.3 s per replication (23 us each), longer than the run itself, while a
run of 425 days meets only the 16,000 or so customers who are picked in it. So a customer
is built (a Mesa agent, of the class ``customers.agent``) the first time the arrival
process picks it, whatever happens to that candidate purchase afterwards; memory is bounded
by the customers met, not by the population.

Common random numbers still hold: the ``demand`` stream picks the same customer indices
in the same order under every policy, and each new customer draws its patience, price
sensitivity and favourite variant from the ``customers`` stream at its first pick, so two
policies under one seed meet the same customers with the same attributes. (The draws
differ from those of the eagerly built population of ``customers.count``, which is kept
unchanged when no purchase cycle is set.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any


class LazyPopulation:
    """``size`` customers, indexed 0..size-1; customer ``i`` is made by ``make(i)`` on first
    access and kept. Iteration yields the customers made so far (in index order)."""

    __slots__ = ("size", "_make", "_made")

    def __init__(self, size: int, make: Callable[[int], Any]) -> None:
        self.size = size
        self._make = make
        self._made: dict[int, Any] = {}

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):  # customers[a:b]: each built as if picked, in order
            return [self[i] for i in range(*index.indices(self.size))]
        cust = self._made.get(index)
        if cust is None:
            if not 0 <= index < self.size:
                raise IndexError(f"customer {index} outside a population of {self.size}")
            cust = self._made[index] = self._make(index)
        return cust

    def __iter__(self) -> Iterator[Any]:
        return iter([self._made[i] for i in sorted(self._made)])

    @property
    def met(self) -> int:
        """Customers made so far (those the arrival process has picked at least once)."""
        return len(self._made)
