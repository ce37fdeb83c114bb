"""Pattern-oriented calibration (btoagents.calibration, `btoagents calibrate`): a pattern
passes when the model's mean lies in the reported range, fails otherwise, and bad patterns
are refused with one line naming the key."""

from __future__ import annotations

import json

import pytest

from btoagents import ConfigError
from btoagents.calibration import check_patterns
from btoagents.cli import main
from btoagents.errors import BtoagentsError
from btoagents.replications import simulate
from builders import scenario

# M/M/1 make-to-stock, rho = 0.8: utilization 0.8 in theory (Buzacott and Shanthikumar 1993)
MM1 = {
    "simulation": {"horizon": 4000.0, "warmup": 200.0},
    "products": {"standard": {"demand_rate": 0.8, "base_stock": 3}},
}


def with_patterns(*patterns: dict) -> object:
    return scenario({**MM1, "calibration": {"replications": 4, "patterns": list(patterns)}})


def test_a_pattern_holding_the_theory_value_passes_and_one_excluding_it_fails():
    scn = with_patterns(
        {"name": "busy share", "kpi": "utilization", "low": 0.75, "high": 0.85, "source": "theory"},
        {"name": "too busy", "kpi": "utilization", "low": 0.85, "source": "none"},
        {"name": "idle", "kpi": "utilization", "high": 0.75, "source": "none"},
    )
    ok, high, low = check_patterns(scn)
    assert ok.passed and ok.ci_low < 0.8 < ok.ci_high
    assert not high.passed and not low.passed
    assert ok.range_text() == "[0.75, 0.85]" and high.range_text() == ">= 0.85"


def test_a_ratio_pattern_is_the_mean_of_the_per_replication_ratios():
    scn = with_patterns(
        {
            "name": "stock per busy share",
            "kpi": "fg_inventory",
            "per": "utilization",
            "low": 0.0,
            "source": "test",
        }
    )
    (check,) = check_patterns(scn, seed=5)
    runs = simulate(scn, replications=4, seed=5)
    assert check.mean == pytest.approx((runs.fg_inventory / runs.utilization).mean(), rel=1e-12)


def test_an_unknown_kpi_is_refused_naming_the_key():
    scn = with_patterns({"name": "x", "kpi": "utilisation", "low": 0, "source": "s"})
    with pytest.raises(BtoagentsError, match=r"calibration\.patterns\[0\]\.kpi: 'utilisation'"):
        check_patterns(scn)


@pytest.mark.parametrize(
    ("pattern", "needle"),
    [
        ({"name": "x", "kpi": "utilization", "source": "s"}, "low, high or both"),
        ({"name": "x", "kpi": "utilization", "low": 2, "high": 1, "source": "s"}, "above high"),
        ({"name": "x", "kpi": "utilization", "low": 0}, "source"),
    ],
)
def test_a_malformed_pattern_is_one_line_naming_it(pattern, needle):
    with pytest.raises(ConfigError) as info:
        with_patterns(pattern)
    msg = str(info.value)
    assert needle in msg and "calibration.patterns" in msg and "\n" not in msg


def test_the_command_exits_1_on_a_failed_pattern_and_prints_json(tmp_path, capsys):
    path = tmp_path / "mm1.toml"
    path.write_text(
        'name = "mm1"\n[simulation]\nhorizon = 3000.0\nwarmup = 100.0\n'
        '[products.standard]\nstrategy = "bts"\ndemand_rate = 0.8\nbase_stock = 3\n'
        "[manufacturer]\nlines = 1\nservice_rate = 1.0\n"
        "[calibration]\nreplications = 3\n"
        '[[calibration.patterns]]\nname = "busy"\nkpi = "utilization"\nlow = 0.7\nhigh = 0.9\n'
        'source = "theory"\n'
    )
    assert main(["calibrate", str(path), "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["failed"] == 0 and out["patterns"][0]["passed"]
    assert main(["calibrate", str(path), "--set", "products.standard.demand_rate=0.5"]) == 1
    assert "FAIL" in capsys.readouterr().out


def test_a_scenario_without_patterns_is_one_line(capsys):
    assert main(["calibrate", "mm1-bts"]) == 2
    err = capsys.readouterr().err
    assert "no [calibration] patterns" in err and "\n" not in err.strip()


REALISTIC = ("dealer-network", "kitchen-cabinets", "school-library-fixtures")


@pytest.mark.parametrize("preset", REALISTIC)
def test_every_realistic_preset_reproduces_its_empirical_patterns(preset):
    from btoagents.config import load_scenario

    scn = load_scenario(preset)
    assert len(scn.calibration.patterns) >= 3, "a realistic preset lists its patterns"
    failed = [
        f"{c.pattern.name}: {c.mean:.4g} outside {c.range_text()}"
        for c in check_patterns(scn)
        if not c.passed
    ]
    assert not failed, failed
