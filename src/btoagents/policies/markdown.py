"""Markdown schedules: the discount a unit gets for its age on the lot."""

from __future__ import annotations

from collections.abc import Sequence

from btoagents.config.dealer_schema import MarkdownStep


class MarkdownSchedule:
    """Discount (share of list price) as a step function of a unit's age in days."""

    __slots__ = ("steps",)

    def __init__(self, steps: Sequence[MarkdownStep]) -> None:
        self.steps = sorted((s.after_days, s.discount) for s in steps)

    def discount(self, age: float) -> float:
        """Share of list price taken off a unit ``age`` days old (0 when none applies)."""
        share = 0.0
        for after, d in self.steps:
            if age >= after:
                share = d
            else:
                break
        return share
