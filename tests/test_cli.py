"""The ``btoagents`` command line end to end: in process through ``main`` and as a subprocess."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tomllib
from pathlib import Path

import pandas as pd
import pytest

from btoagents.cli import main
from btoagents.config import preset_names
from btoagents.kpis import CORE_KPIS

#: Short runs: every `run` below simulates at most a few thousand days in total.
FAST = ["--set", "simulation.horizon=2000", "--set", "simulation.warmup=100"]
TINY = ["--set", "simulation.horizon=300", "--set", "simulation.warmup=20"]

PRESETS = (
    "mm1-bts",
    "mm1-bto",
    "hybrid-mts-mto",
    "bullwhip",
    "ato-decoupling",
    "dealer-network",
    "kitchen-cabinets",
    "school-library-fixtures",
)

MINIMAL = """\
[products.standard]
strategy = "bts"
demand_rate = 0.5
base_stock = 2
"""


def run_json(capsys, *args: str, preset: str = "mm1-bts") -> tuple[dict, str]:
    """`btoagents run PRESET --json ARGS`: the parsed document and the raw stdout."""
    status = main(["run", preset, "--json", *args])
    out, err = capsys.readouterr()
    assert status == 0, err
    assert err == ""
    return json.loads(out), out


def assert_one_error_line(status: int, out: str, err: str) -> str:
    """Exit status 2, nothing on stdout, one ``error: `` line on stderr; returns that line."""
    assert status == 2
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    assert "Traceback" not in err and "For further information" not in err
    return lines[0]


def command() -> list[str]:
    """The installed console script next to this interpreter, else ``python -m btoagents.cli``."""
    search = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    script = shutil.which("btoagents", path=search)
    return [script] if script else [sys.executable, "-m", "btoagents.cli"]


def run_subprocess(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*command(), *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
        check=False,
    )


# --- run: JSON and table -----------------------------------------------------------------


def test_run_json_prints_one_object_with_every_core_kpi_and_its_interval(capsys):
    doc, out = run_json(capsys, *FAST, "-r", "3")
    assert json.loads(out) == doc  # the whole of stdout is one JSON document
    assert set(doc) == {"scenario", "replications", "kpis"}
    assert doc["scenario"] == "mm1-bts"
    assert doc["replications"] == 3
    for name in CORE_KPIS:
        assert name in doc["kpis"], name
        assert set(doc["kpis"][name]) == {"mean", "ci_low", "ci_high", "sd"}, name
    fill = doc["kpis"]["fill_rate"]
    assert 0.0 < fill["mean"] < 1.0
    assert fill["ci_low"] <= fill["mean"] <= fill["ci_high"]
    assert fill["sd"] >= 0.0


def test_run_json_replications_follow_the_r_option(capsys):
    doc, _ = run_json(capsys, *TINY, "-r", "2")
    assert doc["replications"] == 2
    doc, _ = run_json(capsys, *TINY, "--replications", "4")
    assert doc["replications"] == 4


def test_run_json_with_one_replication_has_null_interval(capsys):
    doc, out = run_json(capsys, *TINY, "-r", "1")
    assert "NaN" not in out  # undefined values are JSON null, not the non-standard NaN
    fill = doc["kpis"]["fill_rate"]
    assert fill["mean"] is not None
    assert fill["ci_low"] is None and fill["ci_high"] is None and fill["sd"] is None


def test_run_table_shows_kpi_names_and_95_ci(capsys):
    assert main(["run", "mm1-bts", *FAST, "-r", "2"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert "95% CI" in out
    assert "mm1-bts: 2 replications of 2000 days (warm-up 100)" in out
    for name in ("fill_rate", "fg_inventory", "lead_time_mean", "utilization", "profit"):
        assert name in out, name
    assert "lead_time_p95" in out


# --- --set and --seed --------------------------------------------------------------------


def test_set_base_stock_zero_gives_zero_fill_rate(capsys):
    base, _ = run_json(capsys, *FAST, "-r", "2")
    none, _ = run_json(capsys, *FAST, "-r", "2", "--set", "products.standard.base_stock=0")
    assert base["kpis"]["fill_rate"]["mean"] > 0.3
    assert none["kpis"]["fill_rate"]["mean"] == 0.0
    assert none["kpis"]["fg_inventory"]["mean"] == 0.0


def test_set_strategy_bto_gives_zero_finished_goods_inventory(capsys):
    base, _ = run_json(capsys, *FAST, "-r", "2")
    bto, _ = run_json(capsys, *FAST, "-r", "2", "--set", "products.standard.strategy=bto")
    assert base["kpis"]["fg_inventory"]["mean"] > 0.5
    assert bto["kpis"]["fg_inventory"]["mean"] == 0.0


def test_same_seed_gives_identical_json(capsys):
    _, first = run_json(capsys, *FAST, "-r", "2", "--seed", "5")
    _, second = run_json(capsys, *FAST, "-r", "2", "--seed", "5")
    assert first == second


def test_different_seeds_give_different_results(capsys):
    a, _ = run_json(capsys, *FAST, "-r", "2", "--seed", "5")
    b, _ = run_json(capsys, *FAST, "-r", "2", "--seed", "6")
    assert a["kpis"]["fill_rate"]["mean"] != b["kpis"]["fill_rate"]["mean"]
    assert a["kpis"]["lead_time_mean"]["mean"] != b["kpis"]["lead_time_mean"]["mean"]


# --- --runs CSV --------------------------------------------------------------------------


def test_runs_csv_has_one_row_per_replication(tmp_path, capsys):
    path = tmp_path / "runs.csv"
    doc, _ = run_json(capsys, *TINY, "-r", "3", "--seed", "9", "--runs", str(path))
    frame = pd.read_csv(path)
    assert len(frame) == 3
    assert list(frame["replication"]) == [0, 1, 2]
    assert frame["seed"].nunique() == 3
    for name in CORE_KPIS:
        assert name in frame.columns, name
    assert frame["fill_rate"].mean() == pytest.approx(doc["kpis"]["fill_rate"]["mean"])


def test_runs_csv_into_a_missing_folder_is_one_error_line(tmp_path, capsys):
    path = tmp_path / "no-such-folder" / "runs.csv"
    status = main(["run", "mm1-bts", *TINY, "-r", "1", "--runs", str(path)])
    out, err = capsys.readouterr()
    assert "no-such-folder" in assert_one_error_line(status, "", err)


# --- bad input: exit 2, one error line ---------------------------------------------------


def test_unknown_key_via_set_is_one_error_line(capsys):
    status = main(["run", "mm1-bts", "--set", "manufacturer.servce_rate=2"])
    line = assert_one_error_line(status, *capsys.readouterr())
    assert "manufacturer.servce_rate" in line
    assert "did you mean 'manufacturer.service_rate'" in line


def test_malformed_toml_file_is_one_error_line(tmp_path, capsys):
    path = tmp_path / "broken.toml"
    path.write_text(MINIMAL + "\n[manufacturer\n", "utf-8")
    status = main(["run", str(path)])
    line = assert_one_error_line(status, *capsys.readouterr())
    assert line.startswith(f"error: {path}: malformed TOML")


def test_missing_file_is_one_error_line(tmp_path, capsys):
    path = tmp_path / "nowhere.toml"
    status = main(["run", str(path)])
    line = assert_one_error_line(status, *capsys.readouterr())
    assert str(path) in line and "no such scenario file" in line


def test_negative_rate_is_one_error_line(capsys):
    status = main(["run", "mm1-bts", "--set", "products.standard.demand_rate=-1"])
    line = assert_one_error_line(status, *capsys.readouterr())
    assert "products.standard.demand_rate = -1" in line


@pytest.mark.parametrize("flag", ["-r", "--replications"])
def test_zero_replications_is_one_error_line(capsys, flag):
    status = main(["run", "mm1-bts", flag, "0"])
    line = assert_one_error_line(status, *capsys.readouterr())
    assert "--replications = 0" in line and "at least 1" in line


def test_negative_seed_is_one_error_line(capsys):
    status = main(["run", "mm1-bts", "--seed", "-3"])
    assert "--seed = -3" in assert_one_error_line(status, *capsys.readouterr())


def test_unknown_preset_is_one_error_line_with_suggestion(capsys):
    status = main(["run", "mm1-btx"])
    line = assert_one_error_line(status, *capsys.readouterr())
    assert "did you mean 'mm1-bts'" in line


@pytest.mark.parametrize("item", ["manufacturer.lines", "=2", "manufacturer..lines=2"])
def test_bad_set_syntax_is_one_error_line(capsys, item):
    status = main(["run", "mm1-bts", "--set", item])
    line = assert_one_error_line(status, *capsys.readouterr())
    assert line.startswith(f"error: --set {item!r}: ")


def test_warmup_not_shorter_than_horizon_is_one_error_line(capsys):
    status = main(["run", "mm1-bts", "--set", "simulation.warmup=50000"])
    line = assert_one_error_line(status, *capsys.readouterr())
    assert "warmup" in line and "horizon" in line


def test_non_utf8_scenario_file_is_one_error_line(tmp_path, capsys):
    path = tmp_path / "latin1.toml"
    path.write_bytes(MINIMAL.encode() + b'name = "caf\xe9"\n')
    status = main(["run", str(path)])
    assert str(path) in assert_one_error_line(status, *capsys.readouterr())


# --- steady-state warning ----------------------------------------------------------------


def test_steady_state_warning_is_one_line_and_the_run_still_happens(capsys):
    status = main(
        ["run", "mm1-bto", *TINY, "-r", "2", "--json", "--set", "manufacturer.service_rate=0.5"]
    )
    out, err = capsys.readouterr()
    assert status == 0
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("warning: ")
    assert "offered load is 1.600 >= 1" in lines[0] and "no steady state" in lines[0]
    assert "error" not in err and "Traceback" not in err
    doc = json.loads(out)  # the run went ahead
    assert doc["replications"] == 2
    assert doc["kpis"]["utilization"]["mean"] > 0.9


def test_no_warning_below_full_load(capsys):
    run_json(capsys, *TINY, "-r", "1", preset="mm1-bto")  # asserts stderr is empty


# --- scenarios and help ------------------------------------------------------------------


def test_scenarios_lists_all_eight_presets(capsys):
    assert main(["scenarios"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    listed = {line.split(":", 1)[0] for line in out.splitlines() if not line.startswith(" ")}
    assert set(preset_names()) == set(PRESETS)  # exactly the eight, none unlisted here
    assert set(PRESETS) <= listed
    assert "rho = 0.80" in out  # mm1-bts and mm1-bto


def test_scenarios_show_prints_toml_that_tomllib_parses(capsys):
    assert main(["scenarios", "--show", "mm1-bts"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    data = tomllib.loads(out)
    assert data["name"] == "mm1-bts"
    assert data["products"]["standard"]["strategy"] == "bts"
    assert data["manufacturer"]["service_rate"] == 1.0


@pytest.mark.parametrize("name", PRESETS)
def test_every_preset_shows_as_valid_toml(capsys, name):
    assert main(["scenarios", "--show", name]) == 0
    assert tomllib.loads(capsys.readouterr().out)["name"] == name


def test_scenarios_show_unknown_preset_is_one_error_line(capsys):
    status = main(["scenarios", "--show", "bullwhp"])
    assert "did you mean 'bullwhip'" in assert_one_error_line(status, *capsys.readouterr())


def test_run_help_mentions_set(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--set" in out and "KEY=VALUE" in out
    assert "--json" in out and "--runs" in out and "--seed" in out


# --- demo --------------------------------------------------------------------------------


def test_demo_writes_csv_and_figure(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path), "-r", "2"]) == 0
    summary = pd.read_csv(tmp_path / "summary.csv")
    assert set(summary["arm"]) == {"pure BTS", "pure BTO", "hybrid (as shipped)"}
    inv = summary[summary["kpi"] == "fg_inventory"].set_index("arm")["mean"]
    assert inv["pure BTO"] == 0 < inv["hybrid (as shipped)"] < inv["pure BTS"]
    assert (tmp_path / "frontier.png").stat().st_size > 10_000
    # the console wraps a long path at its width: compare without the line breaks
    assert "frontier.png" in "".join(capsys.readouterr().out.split())


# --- a real subprocess -------------------------------------------------------------------


def test_subprocess_run_prints_json(tmp_path):
    proc = run_subprocess(tmp_path, "run", "mm1-bts", *FAST, "-r", "2", "--json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    doc = json.loads(proc.stdout)
    assert doc["scenario"] == "mm1-bts" and doc["replications"] == 2
    assert set(CORE_KPIS) <= set(doc["kpis"])


def test_subprocess_bad_input_exits_2_with_one_error_line(tmp_path):
    proc = run_subprocess(tmp_path, "run", "mm1-bts", "--set", "manufacturer.servce_rate=2")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: ")
    assert "manufacturer.servce_rate" in lines[0]
    assert "Traceback" not in proc.stderr


def test_subprocess_steady_state_warning_is_one_line(tmp_path):
    proc = run_subprocess(
        tmp_path,
        "run",
        "mm1-bto",
        *TINY,
        "-r",
        "1",
        "--json",
        "--set",
        "manufacturer.service_rate=0.5",
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("warning: "), proc.stderr
    assert json.loads(proc.stdout)["replications"] == 1


def test_subprocess_missing_relative_file_names_it_as_typed(tmp_path):
    proc = run_subprocess(tmp_path, "run", "missing.toml")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("error: missing.toml")


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_a_command_imports_its_stack_is_that_commands_interruption(sig, code):
    # the command line loads without the scientific stack; a command imports it in its `run`,
    # under the command line's own handlers. The signal is sent by an import hook when the
    # stack's first module is looked up, so no timing decides the moment.
    script = (
        "import os, sys\n"
        "from btoagents.entry import main\n"
        "class SignalOnImport:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'btoagents.replications':\n"
        f"            os.kill(os.getpid(), {int(sig)})\n"
        "        return None\n"
        "sys.meta_path.insert(0, SignalOnImport())\n"
        "sys.argv = ['btoagents', 'run', 'mm1-bts']\n"
        "sys.exit(main())\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == code, done.stderr
    assert done.stdout == ""
    assert done.stderr == "interrupted: btoagents run stopped before it finished\n"
