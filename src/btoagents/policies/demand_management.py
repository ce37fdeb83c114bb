"""Proactive demand management at the point of sale, for requests that would wait.

Applied in this order to a final customer's request for a variant that is not in stock at
its point of sale (a backorder of a stocked variant, or an order built to order):

1. **Quoting.** The lead time quoted from the current queue (the plant's estimate) is
   stretched to ``quote * quote_factor + quote_margin`` days; the realised lead time is
   compared with it (KPIs ``quote_reliability``, ``quote_error_mean``).
2. **Stock incentive.** When the quote exceeds ``incentive_after`` days and a near variant
   is in stock at the point of sale, the customer is offered it at ``stock_discount`` off
   list price and takes it when that meets its own switching threshold.
3. **Acceptance.** A quote above ``promise`` days is rejected (the request is lost) or, with
   ``defer``, the customer is asked to come back after ``defer_days`` (up to
   ``max_defers`` times; then it is lost). No accepted order is quoted beyond the
   promise.
4. **Slots.** With ``slot_days`` > 0 orders are booked into production slots
   (:mod:`btoagents.policies.slots`); a customer whose patience falls short of the quoted
   slot by at most ``slot_extra_days`` takes the later slot for ``slot_discount`` off list
   price when that meets its switching threshold.

These rules are the built-in demand manager, ``demand_management.policy = "standard"``
(the default), a registry entry like any plugin (:mod:`btoagents.plugins`). A scenario may
name instead a subclass of :class:`DemandManager` (an import path ``"package.module:Name"``
or an installed entry point ``demand_management.NAME``) that overrides any rule; its
parameters, declared as ``Params``, go in ``demand_management.params``. The built-in is
built only when a key departs from plain quoting (:meth:`DemandManager.active`); a plugin
is always built and consulted for every request that would wait.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from btoagents.config.policy_schema import DemandManagementConfig
from btoagents.plugins import NoParams, register_builtin
from btoagents.plugins.registry import SECTION_KEYS
from btoagents.vocabulary import Admission

ACCEPT, REJECT, DEFER = Admission.ACCEPT, Admission.REJECT, Admission.DEFER


class DemandManager:
    """The scenario's demand-management rules; the model applies their outcomes.

    A subclass named by ``demand_management.policy`` replaces it: it keeps this
    constructor, declares its parameters as ``Params`` (read from
    ``demand_management.params``, held in ``self.params``) and overrides any of
    :meth:`quote`, :meth:`wants_incentive`, :meth:`admit`, :meth:`slot_offer` and
    :meth:`accepted`. ``self.chain`` is the model as agents see it
    (:class:`btoagents.chain.Chain`, which refers to this class: hence typed ``Any`` here),
    to be read when a rule is applied, not at construction (the agents are built after the
    demand manager); None when the rules are used on their own.
    """

    Params: type[BaseModel] = NoParams

    def __init__(
        self,
        cfg: DemandManagementConfig,
        params: BaseModel | None = None,
        chain: Any = None,
    ) -> None:
        self.params = params if params is not None else self.Params()
        self.chain = chain
        self.cfg = cfg
        self.factor = cfg.quote_factor
        self.margin = cfg.quote_margin
        self.acceptance = cfg.acceptance
        self.promise = cfg.promise
        self.max_accepted_quote = 0.0

    @staticmethod
    def active(cfg: DemandManagementConfig) -> bool:
        """Whether any rule departs from plain quoting and accepting within patience."""
        return (
            cfg.quote_factor != 1.0
            or cfg.quote_margin > 0
            or cfg.acceptance != "accept_all"
            or cfg.stock_discount > 0
            or cfg.slot_days > 0
        )

    def quote(self, estimate: float) -> float:
        """The lead time (days) quoted for an estimate of ``estimate`` days."""
        return estimate * self.factor + self.margin

    def wants_incentive(self, quote: float) -> bool:
        """Whether a stocked near variant is offered instead of a wait of ``quote`` days."""
        return self.cfg.stock_discount > 0 and quote > self.cfg.incentive_after

    def admit(self, quote: float, attempt: int) -> Admission:
        """ACCEPT, REJECT or DEFER a request quoted ``quote`` days on its ``attempt``-th try."""
        if self.acceptance == "accept_all" or quote <= self.promise:
            return ACCEPT
        if self.acceptance == "defer" and attempt < self.cfg.max_defers:
            return DEFER
        return REJECT

    def slot_offer(self, quote: float, patience: float, switch_discount: float) -> bool:
        """Whether a customer of ``patience`` days takes a slot ``quote`` days away for the
        slot discount (its patience falls short by at most ``slot_extra_days``)."""
        c = self.cfg
        return (
            c.slot_discount > 0
            and quote <= patience + c.slot_extra_days
            and c.slot_discount >= switch_discount
        )

    def accepted(self, quote: float) -> None:
        """Record an accepted order's quote (the promise property's witness)."""
        if quote > self.max_accepted_quote:
            self.max_accepted_quote = quote


register_builtin("demand_management", "standard", DemandManager, params_at=SECTION_KEYS)
