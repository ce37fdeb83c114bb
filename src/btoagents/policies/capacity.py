"""Capacity policies against seasonal demand: level, chase (overtime) and pre-build.

- :class:`LevelPolicy`: regular lines only; the backlog (and any stock) absorbs the peak.
- :class:`ChasePolicy`: before each period, open the overtime lines needed to clear the
  queue plus the forecast demand of the period (chase demand; Hopp and Spearman, "Factory
  Physics", 3rd ed., 2008, on aggregate planning).
- :class:`PrebuildPolicy`: raise the plant's finished-goods targets of the variants held to
  stock ahead of a known peak, to the largest cumulative shortfall of capacity against the
  demand forecast over the coming cycle - the stock that lets level capacity meet the
  peak (the cumulative-requirements argument of aggregate planning; the closed form for a
  sinusoidal rate is :func:`btoagents.theory.seasonal_prebuild`).

Each is registered in the plugin registry (:mod:`btoagents.plugins`) under its name, with
its keys of ``capacity`` as its parameters; :func:`make_capacity` looks the scenario's
policy up there.
"""

from __future__ import annotations

import math

import numpy as np

from btoagents.config.policy_schema import CapacityConfig, ChaseParams, PrebuildParams
from btoagents.plugins import PolicyContext, build, register_builtin
from btoagents.policies.protocol import Decision, Unchanged
from btoagents.policies.state import BTS, ChainState


class LevelPolicy(Unchanged):
    """Fixed regular capacity; nothing changes at a review."""


class ChasePolicy:
    """Overtime lines for the next period: enough to clear the queue and the forecast."""

    #: it owns the plant's overtime (see :class:`btoagents.policies.protocol.Policy`)
    controls_overtime = True

    def __init__(self, cfg: CapacityConfig) -> None:
        self.review_period = cfg.review_period
        self.max_lines = cfg.max_overtime_lines

    def review(self, state: ChainState) -> Decision:
        p = self.review_period
        work = state.plant_queue + state.forecast(state.now, state.now + p)
        per_line = state.service_rate * p
        extra = math.ceil(work / per_line - state.lines - 1e-9)
        return Decision(overtime_lines=min(self.max_lines, max(0, extra)))


def prebuild_target(demand: np.ndarray, capacity_per_step: float, stock_share: float) -> float:
    """Units to hold now so that capacity meets ``demand`` (units per step, coming cycle).

    The largest cumulative shortfall ``max_k sum_{i<=k} (demand_i - capacity)``, capped by
    the demand for stocked variants up to that step (only their units can be made ahead).
    """
    shortfall = np.cumsum(demand - capacity_per_step)
    k = int(np.argmax(shortfall))
    need = float(shortfall[k])
    if need <= 0:
        return 0.0
    return min(need, stock_share * float(demand[: k + 1].sum()))


class PrebuildPolicy:
    """Finished-goods targets raised ahead of a peak, spread over the BTS variants by rate."""

    def __init__(self, cfg: CapacityConfig, cycle: float) -> None:
        self.review_period = cfg.review_period
        self.utilization = cfg.target_utilization
        self.cycle = cycle

    def review(self, state: ChainState) -> Decision:
        steps = max(1, math.ceil(self.cycle))
        dt = self.cycle / steps
        t = state.now + dt * np.arange(steps)
        demand = np.array([state.forecast(a, a + dt) for a in t])
        capacity = state.lines * state.service_rate * self.utilization * dt
        stocked = [v for v in range(state.n) if state.strategy[v] == BTS]
        rates = np.array([state.rate[v] for v in stocked])
        total = float(sum(state.rate))
        share = float(rates.sum()) / total if total > 0 else 0.0
        units = prebuild_target(demand, capacity, share)
        decision = Decision(prebuild={v: 0 for v in range(state.n)})
        if units > 0 and rates.sum() > 0:
            for v, r in zip(stocked, rates, strict=True):
                decision.prebuild[v] = round(units * r / rates.sum())
        return decision


register_builtin("capacity", "level", lambda params, ctx: LevelPolicy(ctx.section))
register_builtin("capacity", "chase", lambda params, ctx: ChasePolicy(ctx.section), ChaseParams, "")
register_builtin(
    "capacity",
    "prebuild",
    lambda params, ctx: PrebuildPolicy(ctx.section, ctx.cycle),
    PrebuildParams,
    "",
)


def make_capacity(cfg: CapacityConfig, cycle: float):
    """The capacity policy named by ``cfg.policy``, from the plugin registry; ``cycle`` is
    the season's length (days)."""
    return build("capacity", PolicyContext(cfg, cycle=cycle))
