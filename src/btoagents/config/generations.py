"""How a variant generation ends (``[generations]``): instant write-off or a run-out.

A variant with ``products.NAME.life_cycle`` ends a generation every ``life_cycle`` days.
``life_cycle_end = "write_off"`` (the default) writes off the finished stock on hand at the
end of life and refills the successor's targets at once. ``"run_out"`` stops replenishing
the ending generation ``run_out_days`` before its end of life (dealer and plant targets go
to 0), sells the stock left down with escalating incentives, writes off only the remainder
at salvage value, and then builds the successor's stock up over ``ramp_up_days``.

Source: Copeland, Dunn and Hall, "Inventories and the automobile market", RAND Journal of
Economics 42(1), 2011 - model-year prices fall and inventories are run down before the
change-over. The window length and the incentive steps are UNCALIBRATED assumptions
(plausible ranges in the field descriptions).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from btoagents.config.limits import MAX_DAYS
from btoagents.config.section import Number, Section


class GenerationsConfig(Section):
    """The end of a variant generation (model-year change-over)."""

    life_cycle_end: Literal["write_off", "run_out"] = Field(
        "write_off",
        description=(
            "what happens at a generation's end of life: 'write_off' (stock on hand written "
            "off at salvage at once, successor targets refilled the same day) or 'run_out' "
            "(replenishment stops run_out_days before, stock sold down with incentives, only "
            "the remainder written off, the successor's stock built up over ramp_up_days)"
        ),
    )
    run_out_days: float = Field(
        75.0,
        gt=0,
        le=MAX_DAYS,
        description=(
            "days before the end of life at which replenishment of the ending generation "
            "stops (UNCALIBRATED; plausible 60-90 days, Copeland, Dunn and Hall 2011)"
        ),
    )
    run_out_discounts: list[Number] = Field(
        default_factory=lambda: [0.03, 0.06, 0.10],
        min_length=1,
        max_length=100,
        description=(
            "incentive shares of list price in equal steps over the run-out window, in "
            "order (UNCALIBRATED; plausible 0-0.15 at the end of the window)"
        ),
    )
    ramp_up_days: float = Field(
        28.0,
        ge=0,
        le=MAX_DAYS,
        description=(
            "days over which the successor's stock targets rise to full, in four equal "
            "steps (0: at once at the end of life; UNCALIBRATED, plausible 0-60 days)"
        ),
    )

    @field_validator("run_out_discounts")
    @classmethod
    def _shares(cls, v: list[float]) -> list[float]:
        for x in v:
            if not 0 <= x < 1:
                raise ValueError(f"each discount must be in [0, 1), got {x}")
        return v
