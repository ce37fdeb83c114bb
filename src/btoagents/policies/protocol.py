"""The policy protocol: at a review a policy observes the chain and returns a decision.

Policies are plain objects with a ``review_period`` (days) and a ``review(state)`` method.
They read a :class:`~btoagents.policies.state.ChainState` snapshot (never the model itself)
and return a :class:`Decision`; :class:`~btoagents.policies.review.Reviewer` applies it.
Keeping the rule apart from its effect is what lets a test say "given this state, the
policy decides that" without building a model, and lets the same scenario swap policies
from TOML (``fulfillment.policy``, ``capacity.policy``): a built-in, or a researcher's own
class named by its import path (see :mod:`btoagents.plugins`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from btoagents.policies.state import ChainState


@dataclass
class Decision:
    """What a review changes; anything not named stays as it is.

    Attributes:
        strategy: variant index -> :class:`~btoagents.vocabulary.Strategy`.
        cover: variant index -> days of its sales to hold as stock when it is BTS.
        prebuild: variant index -> extra finished units the plant holds above its target.
        overtime_lines: extra plant lines that may open until the next review.
    """

    strategy: dict[int, int] = field(default_factory=dict)
    cover: dict[int, float] = field(default_factory=dict)
    prebuild: dict[int, int] = field(default_factory=dict)
    overtime_lines: int | None = None


class Policy(Protocol):
    """A reviewed decision rule.

    Attributes:
        review_period: days between reviews.
        controls_overtime: optional, False when absent. A capacity policy that sets it
            (``controls_overtime = True`` on its class, as
            :class:`~btoagents.policies.capacity.ChasePolicy` does) owns the plant's
            overtime: no overtime line is allowed at the start, and the
            ``Decision.overtime_lines`` it returns open as soon as one job waits. Without it
            a decision's ``overtime_lines`` open only when ``manufacturer.overtime_threshold``
            jobs wait.
    """

    review_period: float

    def review(self, state: ChainState) -> Decision:
        """Observe ``state`` at a review and return what to change."""
        ...


class Unchanged:
    """A policy under which nothing changes at a review (static fulfillment, level capacity).

    Args:
        cfg: its configuration section; only ``review_period`` (days) is read.
    """

    def __init__(self, cfg) -> None:
        self.review_period = cfg.review_period

    def review(self, state: ChainState) -> Decision:
        return Decision()
