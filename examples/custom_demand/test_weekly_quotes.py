"""WeeklyQuotes' rules on quotes given by hand, and what they change in a short run."""

from __future__ import annotations

import pytest

from btoagents.config import load_scenario
from btoagents.config.schema import DemandManagementConfig
from btoagents.errors import ConfigError
from btoagents.model import SupplyChainModel
from btoagents.vocabulary import Admission
from examples.custom_demand import WeeklyQuotes

SPEC = "examples.custom_demand:WeeklyQuotes"
SHORT = ["simulation.horizon=400", "simulation.warmup=50"]


def manager(max_weeks: int = 2, **cfg: object) -> WeeklyQuotes:
    return WeeklyQuotes(DemandManagementConfig(**cfg), WeeklyQuotes.Params(max_weeks=max_weeks))


def test_quotes_are_rounded_up_to_whole_weeks():
    dm = manager()
    assert [dm.quote(d) for d in (0.0, 0.5, 7.0, 7.5, 13.9)] == [0.0, 7.0, 7.0, 14.0, 14.0]
    # the scenario's factor and margin come first: 5 * 1.5 + 3 = 10.5 days, week 2
    assert manager(quote_factor=1.5, quote_margin=3.0).quote(5.0) == 14.0


def test_requests_beyond_max_weeks_are_refused_and_the_rest_follow_the_scenario():
    dm = manager(max_weeks=2)
    assert dm.admit(14.0, 0) is Admission.ACCEPT
    assert dm.admit(21.0, 0) is Admission.REJECT
    deferring = manager(max_weeks=4, acceptance="defer", promise=10.0, max_defers=1)
    assert deferring.admit(7.0, 0) is Admission.ACCEPT
    assert deferring.admit(14.0, 0) is Admission.DEFER  # beyond the promise, within 4 weeks
    assert deferring.admit(14.0, 1) is Admission.REJECT  # deferred once already
    assert deferring.admit(35.0, 0) is Admission.REJECT  # beyond 4 weeks: never deferred


def test_in_a_short_run_quotes_hold_more_often_and_long_waits_are_refused():
    busy = [*SHORT, "manufacturer.service_rate=0.85"]  # a long queue at times (rho 0.94)
    plain = SupplyChainModel(load_scenario("mm1-bto", busy), seed=3).run()
    weekly = [*busy, f"demand_management.policy={SPEC}"]
    kpis = SupplyChainModel(load_scenario("mm1-bto", weekly), seed=3).run()
    # patient customers: the same deliveries, quoted later (rounded up), so met more often
    assert kpis["lead_time_mean"] == plain["lead_time_mean"]
    assert kpis["quote_reliability"] > plain["quote_reliability"]
    assert kpis["rejected_rate"] == plain["rejected_rate"] == 0
    model = SupplyChainModel(
        load_scenario("mm1-bto", [*weekly, "demand_management.params.max_weeks=1"]), seed=3
    )
    kpis = model.run()  # conservation is audited at the end of the run
    assert kpis["rejected_rate"] > 0
    assert 0 < model.dm.max_accepted_quote <= 7.0
    assert kpis["lead_time_mean"] < plain["lead_time_mean"]


def test_its_parameters_are_checked_at_load():
    with pytest.raises(ConfigError) as exc:
        load_scenario(
            "mm1-bto", [f"demand_management.policy={SPEC}", "demand_management.params.max_week=2"]
        )
    assert str(exc.value).endswith("did you mean 'demand_management.params.max_weeks'?")
