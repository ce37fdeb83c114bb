"""``btoagents select``: Kim-Nelson selection over runs stored like a sweep's.

A tiny mm1-bts selection among base stocks (300 days): every replication is a stored run
with the replication's common seed, a second invocation runs nothing, an interrupted one
continues to the selection that the stored runs determine, the folder loads and analyses
like a sweep's, and a bad select file is one error line naming the key.
"""

from __future__ import annotations

import json

import pandas as pd
import pyarrow.parquet as pq
import pytest

from btoagents.cli import main
from btoagents.experiment import load_results
from btoagents.experiment.analysis import analyze
from btoagents.experiment.ranking import kim_nelson
from btoagents.experiment.select import select
from experiment_files import write_experiment

#: S0 never fills from stock, S7 nearly always, S6 a little less: KN drops S0 after the
#: first stage; S2 and S6 take more replications
SELECT = """
name = "{name}"
scenario = "mm1-bts"
seed = 7
overrides = ["simulation.horizon=300", "simulation.warmup=30"]
kpis = ["fill_rate", "backorders"]
[select]
kpi = "fill_rate"
alpha = 0.05
delta = {delta}
n0 = {n0}
max_replications = {most}
[arms.S0]
overrides = ["products.standard.base_stock=0"]
[arms.S2]
overrides = ["products.standard.base_stock=2"]
[arms.S7]
overrides = ["products.standard.base_stock=7"]
[arms.S6]
overrides = ["products.standard.base_stock=6"]
"""


def select_file(tmp_path, name="sel", delta=0.02, n0=4, most=40, extra=""):
    return write_experiment(
        tmp_path, SELECT.format(name=name, delta=delta, n0=n0, most=most) + extra, "sel.toml"
    )


def test_select_stores_every_replication_and_a_second_invocation_runs_nothing(tmp_path, capsys):
    path = select_file(tmp_path)
    results = tmp_path / "results"
    args = ["select", str(path), "--executor", "serial", "--out", str(results)]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "selected 'S7'" in out and "already stored" in out
    folder = results / "sel"
    rows = load_results(folder)
    table = pd.read_csv(folder / "selection.csv")
    used = dict(zip(table["arm"], table["replications"], strict=True))
    # one stored run per replication the procedure used, and no other
    assert rows.groupby("arm").size().to_dict() == used
    assert used["S0"] == 4  # never fills from stock: eliminated after n0
    assert used["S7"] == max(used.values()) > 4
    # common random numbers: replication r has one seed, whatever the arm
    assert (rows.groupby("replication")["seed"].nunique() == 1).all()
    record = json.loads((folder / "selection.json").read_text())
    assert record["selected"] == "S7" and record["replications_used"] == sum(used.values())

    assert main(args) == 0
    out = capsys.readouterr().out
    assert f"{sum(used.values())} already stored, ran 0 " in out
    assert len(load_results(folder)) == len(rows)

    # the folder analyses like a sweep's: means per arm, paired differences
    tables = analyze(folder, kpis=["fill_rate"])
    n = tables["summary"].set_index("arm")["n"].to_dict()
    assert n == used
    assert set(tables["paired"]["arm"]) == {"S2", "S7", "S6"}


def test_an_interrupted_selection_continues_from_its_stored_runs(tmp_path, monkeypatch):
    from btoagents.experiment import executors

    path = select_file(tmp_path, delta=0.002, n0=3, most=8)
    real = executors.execute_run
    calls = []

    def stop_in_the_second_stage(task):
        calls.append(task.key)
        if len(calls) == 15:  # the first stage is 12 runs, the second at most 4
            raise KeyboardInterrupt
        return real(task)

    monkeypatch.setattr(executors, "execute_run", stop_in_the_second_stage)
    with pytest.raises(KeyboardInterrupt):
        select(path, results_root=tmp_path)
    stored = load_results(tmp_path / "sel")
    assert len(stored) == 14  # every finished run is kept
    monkeypatch.setattr(executors, "execute_run", real)

    summary = select(path, results_root=tmp_path)
    assert summary.stored_before == 14
    rows = load_results(tmp_path / "sel")
    raw = pd.concat(pq.read_table(p).to_pandas() for p in (tmp_path / "sel/parts").glob("*"))
    assert raw["run_key"].is_unique  # no run ran twice
    assert len(rows) == summary.used

    # the same selection as KN replayed over the stored runs, which hold exactly its draws
    arms = ["S0", "S2", "S7", "S6"]
    value = rows.set_index(["arm", "replication"])["fill_rate"]
    replay = kim_nelson(lambda i, r: value[(arms[i], r)], arms, 0.05, 0.002, 3, 8)
    assert replay == summary.selection


BAD = [
    ("", "[select]", "select: no [select] section"),
    ("delta = -1.0", "delta = 0.02", "select.delta = -1"),
    ("alpah = 0.05", "alpha = 0.05", "select.alpah"),
    ("kpi = 'fill_rat'", 'kpi = "fill_rate"', "select.kpi"),
    ("direction = 'max'", "alpha = 0.05", "select.direction"),
    ("max_replications = 2", "max_replications = 40", "max_replications = 2"),
    ("replications = 5\n[select]", "[select]", "replications"),
    (
        "[factors.S]\nkey = 'products.standard.base_stock'\nlevels = [1]\n[select]",
        "[select]",
        "factors",
    ),
]


@pytest.mark.parametrize(("new", "old", "named"), BAD)
def test_a_bad_select_file_is_one_error_line_naming_the_key(tmp_path, capsys, new, old, named):
    text = SELECT.format(name="bad", delta=0.02, n0=4, most=40)
    assert old in text
    if old == "[select]" and not new:
        text = text.split("[select]")[0] + "[arms.S0]" + text.split("[arms.S0]")[1]
    else:
        text = text.replace(old, new, 1)
    path = write_experiment(tmp_path, text, "bad.toml")
    assert main(["select", str(path), "--out", str(tmp_path / "results")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ")
    assert named in err and "bad.toml" in err
    assert not (tmp_path / "results").exists()  # refused before any run


def test_sweep_and_select_each_point_to_the_other_for_the_others_file(tmp_path, capsys):
    path = select_file(tmp_path)
    assert main(["sweep", str(path), "--results", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "btoagents select" in err
    sweep_file = write_experiment(tmp_path)
    assert main(["select", str(sweep_file), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no [select] section" in err and "btoagents sweep" in err


def test_one_arm_is_refused(tmp_path, capsys):
    text = SELECT.format(name="one", delta=0.02, n0=4, most=40).split("[arms.S2]")[0]
    path = write_experiment(tmp_path, text, "one.toml")
    assert main(["select", str(path), "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "arms" in err and "two" in err


def test_a_failed_run_stops_the_selection_in_one_line_and_runs_again_next_time(
    tmp_path, monkeypatch
):
    from btoagents.errors import BtoagentsError
    from btoagents.experiment import executors

    path = select_file(tmp_path, n0=3, most=3)
    real = executors.execute_run

    def s2_fails_once(task):
        row = real(task)
        if task.arm == "S2" and task.replication == 1:
            row.update(status="failed", error="RuntimeError: boom")
        return row

    monkeypatch.setattr(executors, "execute_run", s2_fails_once)
    with pytest.raises(BtoagentsError, match=r"arm 'S2', replication 1\) failed: RuntimeError"):
        select(path, results_root=tmp_path)
    assert len(load_results(tmp_path / "sel")) == 12  # the first stage is kept
    monkeypatch.setattr(executors, "execute_run", real)
    summary = select(path, results_root=tmp_path)
    assert (summary.stored_before, summary.ran) == (11, 1)
    assert (load_results(tmp_path / "sel")["status"] == "ok").all()


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["process", "dask"])
def test_every_executor_reaches_the_same_selection_as_the_serial_one(tmp_path, executor):
    path = select_file(tmp_path, delta=0.005, n0=3, most=12)
    serial = select(path, executor="serial", results_root=tmp_path / "serial")
    other = select(path, executor=executor, workers=2, results_root=tmp_path / executor)
    assert other.selection == serial.selection
    assert other.ran == serial.ran == serial.used


def test_progress_grows_with_each_stage_and_names_the_leader():
    import io

    from btoagents.experiment.progress import Progress

    out = io.StringIO()
    progress = Progress(0, "select x", stream=out, every=0.0)
    progress.extend(4, "select x: first stage")
    for _ in range(4):
        progress.advance(False)
    progress.extend(2, "select x: 2 arms left after 4 replications, best so far b (0.9)")
    progress.advance(True)
    lines = out.getvalue().splitlines()
    assert lines[3].startswith("select x: first stage: 4/4 runs, 0 failed")
    assert lines[4].startswith("select x: 2 arms left after 4 replications, best so far b")
    assert "5/6 runs, 1 failed" in lines[4]
