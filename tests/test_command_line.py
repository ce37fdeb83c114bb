"""The btoagents command line, end to end."""

from __future__ import annotations

import json
import subprocess
import sys
import tomllib

import pandas as pd
import pytest

from btoagents.cli import main
from btoagents.config import preset_names
from btoagents.kpis import CORE_KPIS

FAST = ["--set", "simulation.horizon=2000", "--set", "simulation.warmup=100"]


def run_json(capsys, *args):
    assert main(["run", "mm1-bts", *FAST, "--json", *args]) == 0
    return json.loads(capsys.readouterr().out)


def test_run_json_has_every_core_kpi_with_its_interval(capsys):
    doc = run_json(capsys, "-r", "3")
    assert doc["scenario"] == "mm1-bts" and doc["replications"] == 3
    for name in CORE_KPIS:
        assert set(doc["kpis"][name]) == {"mean", "ci_low", "ci_high", "sd"}
    fill = doc["kpis"]["fill_rate"]
    assert fill["ci_low"] <= fill["mean"] <= fill["ci_high"]


def test_run_prints_a_table_with_confidence_intervals(capsys):
    assert main(["run", "mm1-bts", *FAST, "-r", "2"]) == 0
    out = capsys.readouterr().out
    assert "95% CI" in out and "fill_rate" in out and "lead_time_p95" in out


def test_set_changes_the_simulated_chain(capsys):
    no_stock = run_json(capsys, "-r", "2", "--set", "products.standard.base_stock=0")
    assert no_stock["kpis"]["fill_rate"]["mean"] == 0.0
    bto = run_json(capsys, "-r", "2", "--set", "products.standard.strategy=bto")
    assert bto["kpis"]["fg_inventory"]["mean"] == 0.0


def test_seed_makes_runs_reproducible(capsys):
    a = run_json(capsys, "-r", "2", "--seed", "5")
    b = run_json(capsys, "-r", "2", "--seed", "5")
    c = run_json(capsys, "-r", "2", "--seed", "6")
    assert a == b
    assert a["kpis"]["fill_rate"] != c["kpis"]["fill_rate"]


def test_runs_csv_has_one_row_per_replication(tmp_path, capsys):
    out = tmp_path / "runs.csv"
    assert main(["run", "mm1-bto", *FAST, "-r", "4", "--runs", str(out)]) == 0
    frame = pd.read_csv(out)
    assert len(frame) == 4 and "lead_time_mean" in frame.columns


@pytest.mark.parametrize(
    "args",
    [
        ["run", "mm1-bts", "--set", "manufacturer.servce_rate=2"],
        ["run", "mm1-bts", "--set", "products.standard.demand_rate=-1"],
        ["run", "does/not/exist.toml"],
        ["run", "mm1-bts", "-r", "0"],
        ["scenarios", "--show", "nonexistent"],
    ],
)
def test_bad_input_is_one_error_line_and_exit_status_2(args, capsys):
    assert main(args) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert "Traceback" not in captured.err


def test_malformed_toml_through_the_cli(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[products.standard\n")
    assert main(["run", str(bad)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {bad}: malformed TOML")


def test_steady_state_warning_is_one_line_and_the_run_goes_on(capsys):
    args = ["run", "mm1-bto", "--set", "manufacturer.service_rate=0.5", "-r", "1"]
    assert main([*args, "--set", "simulation.horizon=200", "--set", "simulation.warmup=10"]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("warning: ") and "no steady state" in err[0]


def test_scenarios_lists_every_preset_and_shows_parseable_toml(capsys):
    assert main(["scenarios"]) == 0
    out = capsys.readouterr().out
    for name in preset_names():
        assert name in out
    assert len(preset_names()) == 8
    assert main(["scenarios", "--show", "mm1-bts"]) == 0
    data = tomllib.loads(capsys.readouterr().out)
    assert data["products"]["standard"]["strategy"] == "bts"


def test_the_installed_command_runs_in_a_subprocess():
    cmd = [sys.executable, "-m", "btoagents.cli", "run", "mm1-bto", *FAST, "-r", "2", "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["replications"] == 2
    bad = subprocess.run(
        [sys.executable, "-m", "btoagents.cli", "run", "missing.toml"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stderr.startswith("error: missing.toml")


def test_help_of_run_mentions_set(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--help"])
    assert exit_info.value.code == 0
    assert "--set" in capsys.readouterr().out


def test_demo_writes_csv_and_figure(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "-r", "2"]) == 0
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert set(summary["arm"]) == {"pure BTS", "pure BTO", "hybrid (as shipped)"}
    inv = summary[summary["kpi"] == "fg_inventory"].set_index("arm")["mean"]
    assert inv["pure BTO"] == 0 < inv["hybrid (as shipped)"] < inv["pure BTS"]
    assert (tmp_path / "frontier.png").stat().st_size > 10_000
    assert "frontier.png" in capsys.readouterr().out
