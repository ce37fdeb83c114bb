"""The README's "Your own policy" example is real code: it loads, validates and switches."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from btoagents.config import load_scenario
from btoagents.errors import ConfigError
from btoagents.runner import run_replication

README = Path(__file__).resolve().parents[1] / "README.md"


def readme_policy() -> str:
    text = README.read_text()
    section = text[text.index("## Your own policy") :]
    section = section[: section.index("\n## ", 1)]
    return re.findall(r"```python\n(.*?)```", section, re.S)[0]


@pytest.fixture
def readme_module(tmp_path, monkeypatch) -> str:
    (tmp_path / "readme_hot.py").write_text(readme_policy())
    monkeypatch.chdir(tmp_path)
    yield "readme_hot:StockHot"
    sys.modules.pop("readme_hot", None)


def test_readme_policy_runs_and_switches(readme_module: str) -> None:
    short = ["simulation.horizon=200", "simulation.warmup=20"]
    policy = [f"fulfillment.policy={readme_module}", "fulfillment.params.threshold=3"]
    record = run_replication(load_scenario("dealer-network", [*short, *policy]), seed=1)
    static = run_replication(load_scenario("dealer-network", short), seed=1)
    assert record["switches"] > 0
    assert static["switches"] == 0
    assert record["bts_share"] != static["bts_share"]


def test_readme_policy_params_are_checked(readme_module: str) -> None:
    with pytest.raises(ConfigError, match=r"did you mean 'fulfillment\.params\.threshold'"):
        load_scenario(
            "dealer-network",
            [f"fulfillment.policy={readme_module}", "fulfillment.params.treshold=3"],
        )
