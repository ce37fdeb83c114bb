"""ImpatientCustomer: a final customer who never waits more than ``max_wait`` days.

Whatever patience the scenario draws for it (``customers.patience``,
``patience_distribution``), a quote beyond ``max_wait`` days loses the sale; with
``customers.memory`` its patience recovers towards at most that cap.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field

from btoagents.agents import FinalCustomer
from btoagents.config.section import Section


class ImpatientCustomer(FinalCustomer):
    """A final customer whose patience is capped at ``max_wait`` days."""

    class Params(Section):
        """What ``customers.params`` may hold."""

        max_wait: float = Field(7.0, gt=0, le=3650, description="days a customer waits at most")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cap = self.params.max_wait
        self.base_patience = min(self.base_patience, cap)
        self.patience = min(self.patience, cap)
