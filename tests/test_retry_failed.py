"""Failed runs: listed by status with their error, run again by --retry-failed; the manifest
records every sweep attempt."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from btoagents.cli import main
from btoagents.experiment import load_results, status, sweep
from btoagents.experiment.status import error_line
from btoagents.model import SupplyChainModel
from btoagents.random import replication_seed
from experiment_files import RUNS, raw_rows, write_experiment

storing_module = importlib.import_module("btoagents.experiment.storing")


@pytest.fixture
def flaky(monkeypatch):
    """Replication 1 (6 of the 18 runs) fails until the fixture's ``fix()`` is called."""
    original = SupplyChainModel.run

    def run(self):
        if self.seed == replication_seed(5, 1):
            raise RuntimeError("boom in replication 1")
        return original(self)

    monkeypatch.setattr(SupplyChainModel, "run", run)
    return monkeypatch.undo


def manifest_of(folder):
    return json.loads((folder / "manifest.json").read_text())


def test_retry_failed_runs_stored_failures_again_once_the_cause_is_fixed(tmp_path, flaky):
    path, folder = write_experiment(tmp_path), tmp_path / "res"
    first = sweep(path, folder=folder)
    assert (first.ok, first.failed) == (12, 6)
    flaky()  # the cause is fixed
    plain = sweep(path, folder=folder)
    assert (plain.skipped, plain.ran) == (RUNS, 0)  # failures are results: not rerun unasked
    retry = sweep(path, folder=folder, retry_failed=True)
    assert (retry.skipped, retry.ran, retry.ok, retry.failed) == (12, 6, 6, 0)
    assert retry.retried_failed == 6 and "(6 failed runs run again)" in retry.line()
    rows = load_results(folder)
    assert len(rows) == RUNS and rows["run_key"].is_unique and (rows["status"] == "ok").all()
    s = status(folder)
    assert (s["ok"], s["failed"], s["missing"], s["failures"]) == (RUNS, 0, 0, [])
    raw = raw_rows(folder)
    assert len(raw) == RUNS + 6  # the superseded rows stay stored ...
    newest = raw.groupby("run_key").tail(1)  # ... and the newest row of each run counts
    assert len(newest) == RUNS and (newest["status"] == "ok").all()
    assert sweep(path, folder=folder, retry_failed=True).ran == 0


def readme_query() -> str:
    """The DuckDB query the README gives for reading the Parquet parts directly."""
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    (sql,) = re.findall(r"```sql\n(.*?)```", readme, flags=re.S)
    assert "read_parquet('results/NAME/parts/*.parquet'" in sql
    return sql


def test_the_readmes_duckdb_query_reads_the_newest_row_of_each_run_as_load_results_does(
    tmp_path, flaky, monkeypatch
):
    path, folder = write_experiment(tmp_path), tmp_path / "results" / "NAME"
    sweep(path, folder=folder)
    flaky()
    sweep(path, folder=folder, retry_failed=True)
    assert len(raw_rows(folder)) == RUNS + 6  # six runs stored twice: failed, then ok
    monkeypatch.chdir(tmp_path)  # the query names results/NAME/parts relative to here
    queried = duckdb.sql(readme_query()).df()
    loaded = load_results(folder)
    assert len(queried) == RUNS and queried["run_key"].is_unique
    assert (queried["status"] == "ok").all()  # the failed rows were superseded
    by_key = queried.set_index("run_key").sort_index()
    expected = loaded.set_index("run_key").sort_index()
    assert list(by_key.index) == list(expected.index)
    kpis = [c for c in expected.columns if c.startswith(("fill_rate", "lead_time", "profit"))]
    assert kpis
    columns = ["replication", "seed", "status", *kpis]
    pd.testing.assert_frame_equal(by_key[columns], expected[columns], check_dtype=False)


def test_a_retried_run_that_fails_again_keeps_one_failed_row(tmp_path, flaky):
    path, folder = write_experiment(tmp_path), tmp_path / "res"
    sweep(path, folder=folder)
    again = sweep(path, folder=folder, retry_failed=True)
    assert (again.ran, again.failed) == (6, 6)
    s = status(folder)
    assert (s["ok"], s["failed"], s["missing"]) == (12, 6, 0)
    assert len(load_results(folder)) == RUNS


def test_the_cli_retries_failed_runs_and_status_lists_them_with_their_error(
    tmp_path, flaky, capsys
):
    path = write_experiment(tmp_path)
    args = ["sweep", str(path), "--executor", "serial", "--results", str(tmp_path)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "6 runs failed" in out and "--retry-failed" in out
    assert main(["status", str(tmp_path / "tiny")]) == 0
    out = capsys.readouterr().out
    assert "12 ok, 6 failed, 0 missing" in out
    assert "point 0, arm stock, replication 1: RuntimeError: boom in replication 1" in out
    assert out.count("RuntimeError: boom in replication 1") == 6
    assert f"btoagents sweep {path} --retry-failed" in out
    flaky()
    assert main([*args, "--retry-failed"]) == 0
    assert "(6 failed runs run again); ran 6 (6 ok, 0 failed" in capsys.readouterr().out
    assert main(["status", str(tmp_path / "tiny")]) == 0
    out = capsys.readouterr().out
    assert "18 ok, 0 failed, 0 missing" in out and "RuntimeError" not in out
    assert "retrying failed runs" in out


def test_status_names_the_exception_line_of_a_stored_traceback(tmp_path, flaky):
    sweep(write_experiment(tmp_path), folder=tmp_path / "res")
    failures = status(tmp_path / "res")["failures"]
    assert len(failures) == 6 and {f["replication"] for f in failures} == {1}
    assert {f["error"] for f in failures} == {"RuntimeError: boom in replication 1"}


def _traceback_of(fn) -> str:
    import traceback

    try:
        fn()
    except Exception:  # noqa: BLE001 - the test wants its text
        return traceback.format_exc()
    raise AssertionError("no exception")


def _chained():
    try:
        {}["key"]
    except KeyError as exc:
        raise ValueError("bad value\nsecond line of the message") from exc


def test_error_line_is_the_last_exception_of_a_chain_and_its_first_message_line():
    assert error_line(_traceback_of(_chained)) == "ValueError: bad value"
    assert error_line("worker died 3 times: pool broken") == "worker died 3 times: pool broken"
    assert error_line(None) == "" and error_line("") == ""


def test_the_manifest_records_every_sweep_attempt(tmp_path, flaky):
    path, folder = write_experiment(tmp_path), tmp_path / "res"
    sweep(path, folder=folder)
    flaky()
    sweep(path, folder=folder)
    sweep(path, folder=folder, retry_failed=True)
    attempts = manifest_of(folder)["sweeps"]
    assert len(attempts) == 3
    first, plain, retry = attempts
    assert (first["ran"], first["ok"], first["failed"], first["lost"]) == (18, 12, 6, 0)
    assert (plain["ran"], retry["ran"], retry["ok"]) == (0, 6, 6)
    assert [a["retry_failed"] for a in attempts] == [False, False, True]
    assert not any(a["interrupted"] for a in attempts)
    for a in attempts:
        assert a["started"] <= a["finished"] and a["executor"] == "serial"


def test_an_interrupted_sweep_is_recorded_as_such_and_keeps_what_it_stored(tmp_path, monkeypatch):
    monkeypatch.setattr(storing_module, "BATCH_ROWS", 5)
    original = SupplyChainModel.run

    def interrupted_in_replication_1(self):
        if self.seed == replication_seed(5, 1):
            raise KeyboardInterrupt
        return original(self)

    monkeypatch.setattr(SupplyChainModel, "run", interrupted_in_replication_1)
    path, folder = write_experiment(tmp_path), tmp_path / "res"
    with pytest.raises(KeyboardInterrupt):
        sweep(path, folder=folder)
    (attempt,) = manifest_of(folder)["sweeps"]
    assert attempt["interrupted"] and attempt["stopped_by"] == "KeyboardInterrupt"
    # replication 0's six runs: five in a full batch, the sixth flushed on the way out
    assert attempt["ran"] == attempt["ok"] == 6 == len(raw_rows(folder))
    monkeypatch.undo()
    resumed = sweep(path, folder=folder)
    assert (resumed.skipped, resumed.ran) == (6, RUNS - 6)
    assert manifest_of(folder)["sweeps"][-1]["interrupted"] is False
    assert len(raw_rows(folder)) == RUNS
