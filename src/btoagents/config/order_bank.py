"""Scenario section ``[order_bank]``: one capacity-limited order bank for all orders.

Part of the scenario schema (:mod:`btoagents.config.schema` holds it as
``Scenario.order_bank``); units: days, units per slot, shares in [0, 1].

With ``enabled = true`` customer (bto/ato/eto), dealer-stock (the plant's finished-goods
replenishment) and bulk orders share one build-slot schedule (:mod:`btoagents.orderbank`):
each order goes to the earliest slot with room at or after ``now + release_days`` of its
product (the frozen horizon) and is released to the line at its slot time, so the
build-to-order lead time rises with the load and has a spread (Holweg, Disney, Hines and
Naim, "Towards responsive vehicle supply: a simulation-based investigation into automotive
scheduling systems", Journal of Operations Management 23(5), 2005: order bank, frozen
horizon, slot scheduling). With ``enabled = false`` (the default, so that the single-stage
theory presets have no order bank) the simpler behaviour stays: a customer order waits a
fixed ``release_days`` delay, whatever the load, and stock and bulk work go straight to
the line.
"""

from __future__ import annotations

from typing import Literal, Self

from pydantic import Field, model_validator

from btoagents.config.limits import MAX_DAYS, MAX_UNITS, MIN_PERIOD_DAYS
from btoagents.config.section import Section

BankPriority = Literal["fcfs", "reserve"]


class OrderBankConfig(Section):
    """One order bank of build slots shared by customer, dealer-stock and bulk orders.

    Slot capacity is ``capacity`` units, or by default
    ``floor(lines * service_rate * slot_days * load_factor)`` (at least 1): the plant plans
    slots at a share ``load_factor`` of its regular capacity so that the line keeps some
    slack for service-time variation. ``load_factor`` 0.95 is an UNCALIBRATED assumption
    (plausible range 0.85-1.0: car plants plan near full capacity, Holweg et al. 2005).

    ``priority``: ``fcfs`` places every order in booking order (the default);
    ``reserve`` keeps a share ``customer_share`` of each slot for customer orders, which
    stock and bulk orders may not book.

    With the bank on, demand management's slot booking (``demand_management.slot_days``)
    books no second schedule: the bank's slots take its place, and the slot discount of
    demand management acts on the bank's quotes.

    ``pipeline_matching`` ("virtual build to order", Holweg and Pil, "The Second Century",
    MIT Press 2004): a customer order that would wait may take over an unsold unit of the
    exact variant already in the bank, on the line or in transit to a dealer (a stock
    order), when that unit comes sooner; the stock order's destination loses the unit on
    order and re-orders as its policy says. It works with the bank off as well (units on the
    line and in transit only).
    """

    enabled: bool = Field(
        False,
        description="one slot schedule for customer, stock and bulk orders (false: a fixed "
        "release_days delay for customer orders only, stock and bulk work go straight to "
        "the line)",
    )
    slot_days: float = Field(
        1.0,
        ge=MIN_PERIOD_DAYS,
        le=MAX_DAYS,
        description=f"days per build slot, at least {MIN_PERIOD_DAYS}",
    )
    capacity: int | None = Field(
        None,
        ge=1,
        le=MAX_UNITS,
        description="units per slot (default: lines x service_rate x slot_days x load_factor)",
    )
    load_factor: float = Field(
        0.95,
        gt=0,
        le=1,
        description="share of regular line capacity the slots plan for (default capacity)",
    )
    priority: BankPriority = Field(
        "fcfs",
        description="fcfs: slots in booking order; reserve: customer_share of each slot is "
        "kept for customer orders",
    )
    customer_share: float = Field(
        0.0,
        ge=0,
        lt=1,
        description="reserve: share of each slot only customer orders may book (below 1; "
        "stock orders keep at least one unit per slot)",
    )
    pipeline_matching: bool = Field(
        False,
        description="a waiting customer order may take over an unsold unit of its variant "
        "in the bank, on the line or in transit to a dealer",
    )

    @model_validator(mode="after")
    def _share_with_reserve(self) -> Self:
        if self.customer_share > 0 and self.priority != "reserve":
            raise ValueError(f"customer_share ({self.customer_share}) needs priority = 'reserve'")
        return self
