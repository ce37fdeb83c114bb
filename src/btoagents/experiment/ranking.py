"""Fully sequential indifference-zone selection of the best of k arms (Kim and Nelson 2001).

Procedure KN of S.-H. Kim and B. L. Nelson, "A fully sequential procedure for
indifference-zone selection in simulation", ACM Transactions on Modeling and Computer
Simulation 11(3):251-273, 2001. With k arms, a first stage of ``n0`` replications of every
arm, confidence ``1 - alpha`` and indifference zone ``delta`` (in the KPI's units):

- eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2 and h^2 = 2 eta (n0 - 1);
- S^2_il is the first-stage sample variance of the paired differences X_ij - X_lj, j =
  1..n0 (the arms share random numbers in replication j, so the differences cancel much of
  the noise: common random numbers are allowed, Kim and Nelson section 3);
- after r replications of every surviving arm, arm i survives when for every other
  survivor l: mean_i(r) >= mean_l(r) - W_il(r), with
  W_il(r) = max(0, delta / (2 r) * (h^2 S^2_il / delta^2 - r));
- one more replication of each survivor, until one arm is left.

If the arms' KPIs are normal (replication means of a long run are close to it) and the best
arm's mean beats every other by at least ``delta``, the arm left is the best with
probability at least ``1 - alpha``. Arms within ``delta`` of the best are "good enough":
the procedure may return any of them. It adds replications only where arms are close: a
clearly worse arm is eliminated at the first screening, after ``n0`` replications.

Two additions of this implementation, neither of which changes the procedure when it ends
on its own: arms with identical observations in every replication (S^2_il = 0, equal
means) cannot be told apart, so the one listed later is dropped; and ``max_replications``
truncates the procedure, returning the survivor with the best mean and ``truncated =
True`` (then the probability guarantee does not hold; KN ends by itself after at most
max_il floor(h^2 S^2_il / delta^2) + 1 replications).

:class:`KimNelson` is the procedure as a state machine over a "replication r of arm i"
interface (it asks for draws, it is told their values), so the same stored observations
always lead to the same state: a resumed selection replays its stored runs.
:func:`kim_nelson` runs it over a function ``draw(arm, replication) -> float``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from btoagents.replications import confidence_interval


def kn_eta(alpha: float, k: int, n0: int) -> float:
    """KN's eta = ((2 alpha / (k - 1)) ** (-2 / (n0 - 1)) - 1) / 2 (Kim and Nelson 2001)."""
    return 0.5 * ((2.0 * alpha / (k - 1)) ** (-2.0 / (n0 - 1)) - 1.0)


def kn_h2(alpha: float, k: int, n0: int) -> float:
    """KN's h^2 = 2 eta (n0 - 1): the width of the continuation region in variance units."""
    return 2.0 * kn_eta(alpha, k, n0) * (n0 - 1)


@dataclass
class ArmOutcome:
    """One arm at the end: replications used, when and by whom it was eliminated (None for
    the selected arm), its mean with a CI, and its paired difference from the selected arm
    (this arm minus the selected one, over this arm's replications) with a CI. KPI units."""

    arm: str
    replications: int
    eliminated_at: int | None
    eliminated_by: str | None
    mean: float
    ci_low: float
    ci_high: float
    difference: float
    difference_low: float
    difference_high: float
    selected: bool


@dataclass
class Selection:
    """What KN returns: the selected arm, each arm's outcome, and the procedure's settings."""

    selected: str
    arms: list[ArmOutcome]
    alpha: float
    delta: float
    n0: int
    eta: float
    h2: float
    maximize: bool
    truncated: bool
    level: float

    @property
    def total_replications(self) -> int:
        """Replications the procedure used, summed over the arms."""
        return sum(a.replications for a in self.arms)

    def records(self) -> list[dict[str, Any]]:
        """One dict per arm (the table written as CSV)."""
        return [vars(a).copy() for a in self.arms]


@dataclass
class KimNelson:
    """Procedure KN as a state machine: ask :meth:`wanted`, :meth:`observe` each draw,
    :meth:`advance`; repeat until :attr:`done`.

    Args:
        arms: the arms' names, in order (ties are broken towards earlier arms).
        alpha: 1 - the probability of correct selection, in (0, 1 - 1/k).
        delta: indifference zone, the smallest difference worth detecting, in KPI units.
        n0: first-stage replications of every arm, at least 2.
        max_replications: most replications of any arm (truncation, see the module).
        maximize: the best arm has the largest mean (else the smallest).
        level: confidence level of the reported CIs (Student t).
    """

    arms: Sequence[str]
    alpha: float
    delta: float
    n0: int
    max_replications: int
    maximize: bool = True
    level: float = 0.95
    stage: int = field(init=False, default=0)  # replications every survivor has
    survivors: list[int] = field(init=False)
    eliminated: dict[int, tuple[int, int]] = field(init=False, default_factory=dict)
    truncated: bool = field(init=False, default=False)
    eta: float = field(init=False, default=math.nan)
    h2: float = field(init=False, default=math.nan)
    _obs: dict[tuple[int, int], float] = field(init=False, default_factory=dict)
    _s2: np.ndarray | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        k = len(self.arms)
        if k < 2:
            raise ValueError("KN needs at least 2 arms")
        if len(set(self.arms)) != k:
            raise ValueError("arm names must be distinct")
        if not 0 < self.alpha < 1 - 1 / k:
            raise ValueError(f"alpha = {self.alpha}: must be in (0, 1 - 1/k)")
        if not self.delta > 0 or not math.isfinite(self.delta):
            raise ValueError(f"delta = {self.delta}: must be positive")
        if self.n0 < 2:
            raise ValueError(f"n0 = {self.n0}: must be at least 2")
        if self.max_replications < self.n0:
            raise ValueError(f"max_replications = {self.max_replications}: must be >= n0")
        self.survivors = list(range(k))
        self.eta = kn_eta(self.alpha, k, self.n0)
        self.h2 = kn_h2(self.alpha, k, self.n0)

    @property
    def done(self) -> bool:
        """One arm left, or truncated at ``max_replications``."""
        return len(self.survivors) == 1 or self.truncated

    def wanted(self) -> list[tuple[int, int]]:
        """(arm index, replication index from 0) of the draws the next screening needs and
        that have not been observed: the first stage for every arm, then one more
        replication of each survivor. Empty when done."""
        if self.done:
            return []
        upto = self.n0 if self.stage == 0 else self.stage + 1
        return [(i, r) for i in self.survivors for r in range(upto) if (i, r) not in self._obs]

    def observe(self, arm: int, replication: int, value: float) -> None:
        """Record the KPI of replication ``replication`` of arm ``arm`` (its raw value)."""
        if not math.isfinite(value):
            raise ValueError(f"arm {self.arms[arm]!r}, replication {replication}: KPI {value}")
        self._obs[(arm, replication)] = float(value)

    def advance(self) -> None:
        """Screen once every wanted draw is observed (a ValueError otherwise)."""
        missing = self.wanted()
        if missing:
            raise ValueError(f"{len(missing)} draws not observed yet, e.g. {missing[0]}")
        if self.done:
            return
        self.stage = self.n0 if self.stage == 0 else self.stage + 1
        if self._s2 is None:
            self._s2 = self._first_stage_variances()
        self._screen()
        if len(self.survivors) > 1 and self.stage >= self.max_replications:
            self.truncated = True

    def _values(self, arm: int, n: int) -> np.ndarray:
        sign = 1.0 if self.maximize else -1.0
        return sign * np.array([self._obs[(arm, r)] for r in range(n)])

    def _first_stage_variances(self) -> np.ndarray:
        k = len(self.arms)
        first = np.array([self._values(i, self.n0) for i in range(k)])  # k x n0
        diffs = first[:, None, :] - first[None, :, :]
        return diffs.var(axis=2, ddof=1)  # S^2_il, k x k

    def _screen(self) -> None:
        assert self._s2 is not None
        r = self.stage
        old = list(self.survivors)
        means = {i: float(self._values(i, r).mean()) for i in old}
        keep = []
        for i in old:
            by = None
            for l in old:  # noqa: E741 - KN's notation
                if l == i:
                    continue
                w = max(0.0, self.delta / (2 * r) * (self.h2 * self._s2[i, l] / self.delta**2 - r))
                tie = self._s2[i, l] == 0 and means[i] == means[l] and l < i
                if means[i] < means[l] - w or tie:
                    by = l
                    break
            if by is None:
                keep.append(i)
            else:
                self.eliminated[i] = (r, by)
        self.survivors = keep

    def leader(self) -> tuple[str, float] | None:
        """The surviving arm with the best mean so far and that mean (raw units); None
        before the first screening."""
        if self.stage == 0:
            return None
        sign = 1.0 if self.maximize else -1.0
        means = {i: float(self._values(i, self.stage).mean()) for i in self.survivors}
        best = max(means, key=lambda i: (means[i], -i))
        return self.arms[best], sign * means[best]

    def result(self) -> Selection:
        """The selection (at the end; before, a ValueError)."""
        if not self.done:
            raise ValueError("the procedure has not ended")
        r = self.stage
        sign = 1.0 if self.maximize else -1.0
        best = max(self.survivors, key=lambda i: (float(self._values(i, r).mean()), -i))
        best_values = sign * self._values(best, r)
        outcomes = []
        for i, name in enumerate(self.arms):
            at, by = self.eliminated.get(i, (None, None))
            n = at if at is not None else r
            values = sign * self._values(i, n)
            mean, lo, hi, _ = confidence_interval(values, self.level)
            if i == best:
                d, dlo, dhi = 0.0, 0.0, 0.0
            else:
                d, dlo, dhi, _ = confidence_interval(values - best_values[:n], self.level)
            outcomes.append(
                ArmOutcome(
                    arm=name,
                    replications=n,
                    eliminated_at=at,
                    eliminated_by=self.arms[by] if by is not None else None,
                    mean=mean,
                    ci_low=lo,
                    ci_high=hi,
                    difference=d,
                    difference_low=dlo,
                    difference_high=dhi,
                    selected=i == best,
                )
            )
        return Selection(
            selected=self.arms[best],
            arms=outcomes,
            alpha=self.alpha,
            delta=self.delta,
            n0=self.n0,
            eta=self.eta,
            h2=self.h2,
            maximize=self.maximize,
            truncated=self.truncated,
            level=self.level,
        )


def kim_nelson(
    draw: Callable[[int, int], float],
    arms: Sequence[str],
    alpha: float,
    delta: float,
    n0: int,
    max_replications: int,
    maximize: bool = True,
    level: float = 0.95,
) -> Selection:
    """Run KN, calling ``draw(arm index, replication index)`` for each observation it needs
    (replication r of every arm should share random numbers: common random numbers)."""
    kn = KimNelson(arms, alpha, delta, n0, max_replications, maximize, level)
    while not kn.done:
        for i, r in kn.wanted():
            kn.observe(i, r, draw(i, r))
        kn.advance()
    return kn.result()
