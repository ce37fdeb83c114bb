"""The vocabulary enums agree with the scenario schema and with the KPI names."""

from typing import get_args

from btoagents.config import load_scenario
from btoagents.config.schema import StrategyLabel
from btoagents.products import Catalog
from btoagents.vocabulary import STRATEGY_LABELS, Strategy


def test_scenario_labels_are_the_strategy_labels() -> None:
    assert get_args(StrategyLabel) == STRATEGY_LABELS
    assert [Strategy.parse(label) for label in STRATEGY_LABELS] == list(Strategy)


def test_catalog_holds_strategy_members() -> None:
    cat = Catalog(load_scenario("hybrid-mts-mto"))
    strategies = {v.strategy for v in cat.variants}
    assert strategies == {Strategy.BTS, Strategy.BTO}
    assert all(isinstance(s, Strategy) for s in strategies)
