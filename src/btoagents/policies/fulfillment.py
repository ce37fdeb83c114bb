"""Fulfillment policies: which variants are built to stock, assembled or built to order.

Every policy follows :class:`~btoagents.policies.protocol.Policy`: ``review(state)`` returns
a :class:`~btoagents.policies.protocol.Decision` naming the variants whose strategy changes.

- :class:`StaticPolicy`: the scenario's assignment, never changed.
- :class:`ClassificationPolicy`: runners / repeaters / strangers by rate and variability
  (the runner-repeater-stranger scheme of lean production planning, e.g. Parnaby,
  "Concept of a manufacturing system", Int. J. Production Research 17(2), 1979).
- :class:`CostPolicy`: the cheaper of stocking and building to order, per variant, from the
  current cost and lead-time estimates, with a hysteresis margin.
- :class:`BanditPolicy`: per-variant epsilon-greedy learning over strategies and stock
  cover, rewarded by the variant's profit per day (Sutton and Barto, "Reinforcement
  Learning", 2nd ed., 2018, section 2.2).
- :class:`PostponementPolicy`: assemble to order the variants whose components are common
  to several variants (postponement; Lee and Tang, "Modelling the costs and benefits of
  delayed product differentiation", Management Science 43(1), 1997).

The switching policies (classification, cost) keep a variant's new strategy for at least
``hold_days`` (:class:`Hold`), so that variants do not flap between strategies.

Each is registered in the plugin registry (:mod:`btoagents.plugins`) under its name, with
its sub-table of ``fulfillment`` as its parameters; :func:`make_fulfillment` looks the
scenario's policy up there, so a researcher's own policy is built the same way.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

from btoagents.config.policy_schema import (
    BanditConfig,
    ClassificationConfig,
    CostSwitchConfig,
    FulfillmentConfig,
    PostponementConfig,
)
from btoagents.plugins import PolicyContext, build, register_builtin
from btoagents.policies.protocol import Decision, Unchanged
from btoagents.policies.state import ATO, BTO, BTS, ChainState
from btoagents.vocabulary import Strategy


def build_alternative(state: ChainState, v: int) -> int:
    """The build-after-order strategy open to variant ``v``: ato with components, else bto."""
    return ATO if state.has_components[v] else BTO


def feasible(state: ChainState, v: int, strategy: int) -> int:
    """``strategy`` for variant ``v``, with ato falling back to bto when it has no components."""
    if strategy == ATO and not state.has_components[v]:
        return BTO
    return strategy


class Hold:
    """Remembers each variant's last switch and refuses another within ``hold_days``."""

    def __init__(self, hold_days: float) -> None:
        self.hold_days = hold_days
        self.last: dict[int, float] = {}

    def filter(self, state: ChainState, wanted: dict[int, int]) -> dict[int, int]:
        """The changes in ``wanted`` that are real and allowed now; records them as switches."""
        out = {}
        for v, s in wanted.items():
            if s == state.strategy[v] or not state.switchable[v]:
                continue
            last = self.last.get(v)
            if last is not None and state.now - last < self.hold_days:
                continue
            self.last[v] = state.now
            out[v] = s
        return out


class StaticPolicy(Unchanged):
    """The scenario's strategies, for ever."""


class ClassificationPolicy:
    """Runners, repeaters and strangers by rolling demand rate and CV, with a hold period."""

    def __init__(self, cfg: FulfillmentConfig) -> None:
        self.review_period = cfg.review_period
        self.cfg = cfg.classification
        self.cover = cfg.cover_days
        self.hold = Hold(cfg.hold_days)

    def classify(self, rate: float, cv: float) -> str:
        """``runner``, ``repeater`` or ``stranger`` for a variant's rate (orders/day) and CV."""
        c = self.cfg
        if rate < c.stranger_rate or cv > c.stranger_cv:
            return "stranger"
        if rate >= c.runner_rate and cv <= c.runner_cv:
            return "runner"
        return "repeater"

    def review(self, state: ChainState) -> Decision:
        c = self.cfg
        target = {
            "runner": Strategy.parse(c.runner_strategy),
            "repeater": Strategy.parse(c.repeater_strategy),
            "stranger": Strategy.parse(c.stranger_strategy),
        }
        wanted = {
            v: feasible(state, v, target[self.classify(state.rate[v], state.cv[v])])
            for v in range(state.n)
            if state.switchable[v]
        }
        changes = self.hold.filter(state, wanted)
        return Decision(
            strategy=changes, cover={v: self.cover for v, s in changes.items() if s == BTS}
        )


def stock_cost_per_day(state: ChainState, v: int, cover: float) -> float:
    """Expected holding + markdown + obsolescence cost per day of stocking variant ``v``.

    Stock target ``S = rate * cover``; mean on hand ``max(S - rate * L, S / 2)`` with ``L``
    the replenishment days (the base-stock approximation; observed stock replaces it while
    the variant is stocked); a unit's mean age is stock / rate (Little's law) and sets its
    expected markdown share; units on hand at end of life lose ``unit_cost - salvage``
    once per life cycle.
    """
    rate = state.rate[v]
    if state.strategy[v] == BTS and state.now > state.since:
        on_hand = state.stock[v]
    else:
        target = rate * cover
        on_hand = max(target - rate * state.replenish_days[v], target / 2)
    holding = state.holding_rate / 365.0 * state.unit_cost[v] * on_hand
    age = on_hand / rate if rate > 0 else math.inf
    markdown = rate * state.price[v] * state.markdown_share(age)
    life = state.life_cycle[v]
    obsolete = on_hand * (state.unit_cost[v] - state.salvage[v]) / life if life > 0 else 0.0
    return holding + markdown + obsolete


def build_cost_per_day(state: ChainState, v: int) -> float:
    """Expected waiting and lost-sale cost per day of building variant ``v`` to order.

    Orders wait the current quote ``W``; those whose customer's patience is below ``W``
    are lost, with their margin and the goodwill cost of a lost sale.
    """
    wait = state.build_quote[v]
    lost = state.lost_share(wait)
    margin = state.price[v] - state.unit_cost[v]
    return state.rate[v] * (
        (1 - lost) * state.backorder_cost * wait + lost * (margin + state.lost_sale_cost)
    )


class CostPolicy:
    """Stock a variant when stocking is cheaper than building to order, by a margin."""

    def __init__(self, cfg: FulfillmentConfig) -> None:
        self.review_period = cfg.review_period
        self.hysteresis = cfg.cost.hysteresis
        self.cover = cfg.cover_days
        self.hold = Hold(cfg.hold_days)

    def review(self, state: ChainState) -> Decision:
        wanted = {}
        for v in range(state.n):
            if not state.switchable[v]:
                continue
            stock = stock_cost_per_day(state, v, self.cover)
            build = build_cost_per_day(state, v)
            if state.strategy[v] == BTS:
                if build < stock * (1 - self.hysteresis):
                    wanted[v] = build_alternative(state, v)
            elif stock < build * (1 - self.hysteresis):
                wanted[v] = BTS
        changes = self.hold.filter(state, wanted)
        return Decision(
            strategy=changes, cover={v: self.cover for v, s in changes.items() if s == BTS}
        )


class BanditPolicy:
    """Per-variant epsilon-greedy over arms ``build`` and ``bts`` at each configured cover.

    The reward of the arm played since the last review is the variant's profit per day in
    that interval. Untried arms are played first, in order; then at review ``k`` a draw
    below ``max(min_epsilon, epsilon * decay**k)`` explores a uniformly chosen arm, else
    the best mean reward is played. Draws come from the model's ``policy`` stream, so the
    exploration is reproducible under the seed and leaves the customers' streams alone.
    """

    def __init__(self, cfg: FulfillmentConfig, uniform: Callable[[], float]) -> None:
        self.review_period = cfg.review_period
        self.cfg = cfg.bandit
        self.covers = list(cfg.bandit.cover_days)
        self.uniform = uniform
        self.k = 0
        self.counts: np.ndarray | None = None
        self.means: np.ndarray | None = None
        self.arm: list[int] = []

    @property
    def n_arms(self) -> int:
        """Arm 0 builds to order; arm ``i >= 1`` stocks ``covers[i - 1]`` days."""
        return 1 + len(self.covers)

    def epsilon(self, k: int) -> float:
        """Exploration probability at review ``k`` (the fixed schedule)."""
        return max(self.cfg.min_epsilon, self.cfg.epsilon * self.cfg.decay**k)

    def review(self, state: ChainState) -> Decision:
        if self.counts is None:
            self.counts = np.zeros((state.n, self.n_arms))
            self.means = np.zeros((state.n, self.n_arms))
            self.arm = [1 if state.strategy[v] == BTS else 0 for v in range(state.n)]
            return Decision()  # the first review only starts the clock of the first arms
        self.k += 1
        eps = self.epsilon(self.k)
        decision = Decision()
        for v in range(state.n):
            if not state.switchable[v]:
                continue
            a = self.arm[v]
            self.counts[v, a] += 1
            self.means[v, a] += (state.profit[v] - self.means[v, a]) / self.counts[v, a]
            u = self.uniform()
            untried = np.flatnonzero(self.counts[v] == 0)
            if len(untried):
                nxt = int(untried[0])
            elif u < eps:
                nxt = min(int(self.uniform() * self.n_arms), self.n_arms - 1)
            else:
                nxt = int(np.argmax(self.means[v]))
            self.arm[v] = nxt
            strategy = build_alternative(state, v) if nxt == 0 else BTS
            if strategy != state.strategy[v]:
                decision.strategy[v] = strategy
            if nxt > 0:
                decision.cover[v] = self.covers[nxt - 1]
        return decision


class PostponementPolicy:
    """Assemble to order each variant whose every component serves ``min_commonality``
    variants or more; the others keep their strategy. The component stock that ato needs is
    sized by the reviewer from the observed rates at every review."""

    def __init__(self, cfg: FulfillmentConfig) -> None:
        self.review_period = cfg.review_period
        self.min_commonality = cfg.postponement.min_commonality

    def postpone(self, state: ChainState, v: int) -> bool:
        """Whether variant ``v`` is assembled to order (all its components are common)."""
        comps = [c for c, users in enumerate(state.component_users) if v in users]
        return bool(comps) and all(
            len(state.component_users[c]) >= self.min_commonality for c in comps
        )

    def review(self, state: ChainState) -> Decision:
        changes = {
            v: ATO
            for v in range(state.n)
            if state.switchable[v] and state.strategy[v] != ATO and self.postpone(state, v)
        }
        return Decision(strategy=changes)


register_builtin("fulfillment", "static", lambda params, ctx: StaticPolicy(ctx.section))
register_builtin(
    "fulfillment",
    "classification",
    lambda params, ctx: ClassificationPolicy(ctx.section),
    ClassificationConfig,
    "classification",
)
register_builtin(
    "fulfillment", "cost", lambda params, ctx: CostPolicy(ctx.section), CostSwitchConfig, "cost"
)
register_builtin(
    "fulfillment",
    "bandit",
    lambda params, ctx: BanditPolicy(ctx.section, ctx.uniform),
    BanditConfig,
    "bandit",
)
register_builtin(
    "fulfillment",
    "postponement",
    lambda params, ctx: PostponementPolicy(ctx.section),
    PostponementConfig,
    "postponement",
)


def make_fulfillment(cfg: FulfillmentConfig, uniform: Callable[[], float]):
    """The fulfillment policy named by ``cfg.policy``, from the plugin registry.

    ``uniform`` draws from [0, 1) on the model's policy stream (for randomized policies).
    """
    return build("fulfillment", PolicyContext(cfg, uniform=uniform))
