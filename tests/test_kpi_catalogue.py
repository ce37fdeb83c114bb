"""The KPI catalogue against the records runs actually return.

The catalogue declares the names a run *may* report: per-strategy and per-stage names depend
on what happens (which strategies orders arrive under, which stages see varying demand). So:
every record's keys are a subset of its scenario's catalogue, under every policy; for the
presets as configured (static strategies) the catalogue is exact at a horizon of a few
hundred days; and under the bandit policy, which plays each of its arms early, every
strategy the catalogue declares is reported.
"""

from __future__ import annotations

import pytest

from btoagents import load_scenario
from btoagents.config import preset_names
from btoagents.kpis import CORE_KPIS, KPI_TABLE, describe, kpi_names
from btoagents.kpis.catalogue import GROUP_KPIS, possible_stages, possible_strategies
from btoagents.model import SupplyChainModel
from btoagents.vocabulary import Strategy
from builders import scenario

POLICIES = [
    [],
    ["fulfillment.policy=cost"],
    ["fulfillment.policy=bandit"],
    ["fulfillment.policy=classification"],
    ["fulfillment.policy=postponement"],
    ["capacity.policy=chase"],
]


def short(preset: str, days: float, extra: list[str] = ()) -> object:
    """``preset`` with ``extra`` overrides, run for ``days`` after its warm-up."""
    warmup = load_scenario(preset).simulation.warmup
    return load_scenario(preset, [*extra, f"simulation.horizon={warmup + days}"])


@pytest.mark.parametrize("policy", POLICIES, ids=lambda p: p[0] if p else "static")
@pytest.mark.parametrize("preset", preset_names())
def test_a_record_reports_only_catalogued_names(preset, policy):
    scn = short(preset, 60.0, policy)
    record = SupplyChainModel(scn, seed=1).run()
    extra = set(record) - set(kpi_names(scn))
    assert not extra, f"{preset} {policy}: reported but not catalogued: {sorted(extra)}"


@pytest.mark.parametrize("preset", preset_names())
def test_the_catalogue_of_a_static_preset_is_exactly_its_record(preset):
    scn = short(preset, 300.0)
    record = SupplyChainModel(scn, seed=1).run()
    catalogue = kpi_names(scn)
    assert len(catalogue) == len(set(catalogue)), "a name is listed twice"
    assert set(catalogue) == set(record), (
        f"only catalogued: {sorted(set(catalogue) - set(record))}; "
        f"only reported: {sorted(set(record) - set(catalogue))}"
    )


@pytest.mark.parametrize("preset", ["mm1-bts", "mm1-bto", "hybrid-mts-mto", "kitchen-cabinets"])
def test_under_the_bandit_every_catalogued_strategy_is_reported(preset):
    scn = load_scenario(preset, ["fulfillment.policy=bandit"])  # its own horizon
    record = SupplyChainModel(scn, seed=1).run()
    labels = {s.label for s in possible_strategies(scn)}
    suffixes = {k[len("fill_rate[") : -1] for k in record if k.startswith("fill_rate[")}
    reported = suffixes & {s.label for s in Strategy}
    assert reported == labels
    assert {n for n in kpi_names(scn) if n.endswith(tuple(f"[{s}]" for s in labels))} <= set(record)


def test_a_single_strategy_static_scenario_has_no_strategy_or_stage_suffixes():
    scn = scenario()  # one bts product, no dealers, no components
    names = kpi_names(scn)
    assert possible_strategies(scn) == {Strategy.BTS}
    assert possible_stages(scn) == ["plant"]
    assert not [n for n in names if "[" in n]
    assert set(CORE_KPIS) <= set(names)


def test_policies_widen_the_possible_strategies_but_never_to_eto():
    data = {
        "products": {
            "standard": {"strategy": "bts", "demand_rate": 0.5, "base_stock": 2},
            "custom": {"strategy": "eto", "demand_rate": 0.2},
        },
    }
    static = possible_strategies(scenario(data))
    assert static == {Strategy.BTS, Strategy.ETO}
    cost = possible_strategies(scenario({**data, "fulfillment": {"policy": "cost"}}))
    assert cost == {Strategy.BTS, Strategy.BTO, Strategy.ETO}  # no components: no ato
    names = kpi_names(scenario({**data, "fulfillment": {"policy": "cost"}}))
    assert {f"{n}[bto]" for n in GROUP_KPIS} <= set(names)
    assert "fill_rate[ato]" not in names


def test_every_name_has_a_unit_and_a_description():
    for name in kpi_names(load_scenario("dealer-network")):
        unit, meaning = describe(name)
        assert unit and meaning
    assert set(CORE_KPIS) <= set(KPI_TABLE)
    with pytest.raises(KeyError):
        describe("no_such_kpi")
