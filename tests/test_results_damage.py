"""A damaged results folder: readers skip with a warning, a sweep sets aside and recomputes."""

from __future__ import annotations

import errno
import importlib
import json
import os
import warnings

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from btoagents import BtoagentsError
from btoagents.cli import main
from btoagents.experiment import ResultStore, load_results, status, sweep
from btoagents.experiment.parts import DamagedResultsWarning
from experiment_files import RUNS, TINY, one_error_line, raw_rows, write_experiment

#: the module (``btoagents.experiment.sweep`` the attribute is the function)
storing_module = importlib.import_module("btoagents.experiment.storing")


def _random(data: bytes) -> bytes:
    return os.urandom(len(data))


def _truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _empty(data: bytes) -> bytes:
    return b""


def _foreign(data: bytes) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.table({"colour": ["red"]}), sink)  # valid Parquet, not a results part
    return sink.getvalue().to_pybytes()


PART_DAMAGE = {"random": _random, "truncated": _truncated, "empty": _empty, "foreign": _foreign}
MANIFEST_DAMAGE = {
    "cut_off": _truncated,
    "random": _random,
    "empty": _empty,
    "a_list": lambda data: b"[]",
    "no_runs_total": lambda data: json.dumps({"name": "tiny", "experiment_hash": "h"}).encode(),
}


@pytest.fixture
def swept(tmp_path, monkeypatch):
    """A finished tiny sweep stored in four parts (five runs each, three in the last)."""
    monkeypatch.setattr(storing_module, "BATCH_ROWS", 5)
    path = write_experiment(tmp_path)
    folder = tmp_path / "tiny"
    sweep(path, results_root=tmp_path)
    assert len(ResultStore(folder).part_files()) == 4
    return path, folder


def damage(file, how) -> None:
    file.write_bytes(how(file.read_bytes()))


def quiet_main(capsys, *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    return code, out, err


@pytest.mark.parametrize("how", PART_DAMAGE)
def test_readers_skip_a_damaged_part_with_a_warning_and_move_nothing(swept, capsys, how):
    _, folder = swept
    part = ResultStore(folder).part_files()[1]
    damage(part, PART_DAMAGE[how])
    with pytest.warns(DamagedResultsWarning, match=f"{part}: damaged"):
        rows = load_results(folder)
    assert len(rows) == RUNS - 5 and rows["run_key"].is_unique
    with pytest.warns(DamagedResultsWarning):
        s = status(folder)
    assert (s["ok"], s["missing"], s["damaged"]) == (RUNS - 5, 5, [str(part)])
    code, out, err = quiet_main(capsys, "status", str(folder))
    assert code == 0 and "13 ok, 0 failed, 5 missing" in out
    assert f"warning: {part}: damaged" in err and "1 damaged parts skipped" in out
    code, out, err = quiet_main(capsys, "analyze", str(folder))
    assert code == 0 and "summary" in out and f"warning: {part}: damaged" in err
    assert part.exists() and not (folder / "quarantine").exists()


@pytest.mark.parametrize("how", PART_DAMAGE)
def test_a_sweep_sets_a_damaged_part_aside_and_runs_its_runs_again(swept, how):
    path, folder = swept
    part = ResultStore(folder).part_files()[2]
    damage(part, PART_DAMAGE[how])
    with pytest.warns(DamagedResultsWarning, match=f"{part}: damaged.*set aside"):
        again = sweep(path, folder=folder)
    assert (again.skipped, again.ran, again.ok) == (RUNS - 5, 5, 5)
    assert (folder / "quarantine" / "parts" / part.name).exists() and not part.exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = load_results(folder)
    assert len(rows) == RUNS and rows["run_key"].is_unique and (rows["status"] == "ok").all()
    assert len(raw_rows(folder)) == RUNS  # exactly one stored row per run


def test_a_plain_rerun_of_the_command_recovers_a_damaged_part(swept, capsys):
    path, folder = swept
    part = ResultStore(folder).part_files()[0]
    damage(part, _truncated)
    args = ["sweep", str(path), "--executor", "serial", "--results", str(folder.parent)]
    code, out, err = quiet_main(capsys, *args)
    assert code == 0 and "13 already stored; ran 5 (5 ok" in out
    assert f"warning: {part}: damaged" in err
    assert len(raw_rows(folder)) == RUNS


@pytest.mark.parametrize("how", MANIFEST_DAMAGE)
def test_a_damaged_manifest_is_one_line_for_status_and_analyze(swept, capsys, how):
    _, folder = swept
    damage(folder / "manifest.json", MANIFEST_DAMAGE[how])
    for command in ("status", "analyze"):
        code, _, err = quiet_main(capsys, command, str(folder))
        assert code == 2
        line = one_error_line(err)
        assert f"{folder / 'manifest.json'}: damaged" in line and "rebuilds it" in line
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(load_results(folder)) == RUNS  # the runs need no manifest


@pytest.mark.parametrize("how", MANIFEST_DAMAGE)
def test_a_sweep_sets_a_damaged_manifest_aside_and_rebuilds_it(swept, how):
    path, folder = swept
    damage(folder / "manifest.json", MANIFEST_DAMAGE[how])
    with pytest.warns(DamagedResultsWarning, match="manifest.json: damaged.*set aside"):
        again = sweep(path, folder=folder)
    assert (again.skipped, again.ran) == (RUNS, 0)
    assert len(list((folder / "quarantine").glob("manifest-*.json"))) == 1
    s = status(folder)
    assert (s["total"], s["ok"], s["missing"]) == (RUNS, RUNS, 0)
    assert len(raw_rows(folder)) == RUNS


def test_a_rebuilt_manifest_refuses_runs_of_another_version_of_the_file(swept):
    path, folder = swept
    damage(folder / "manifest.json", _truncated)
    path.write_text(TINY.replace("seed = 5", "seed = 6"))
    with (
        pytest.warns(DamagedResultsWarning),
        pytest.raises(BtoagentsError, match="18 runs that are not runs of this.*--new"),
    ):
        sweep(path, folder=folder)
    with pytest.raises(BtoagentsError, match="no manifest.json .*a sweep of the experiment"):
        status(folder)
    assert sweep(path, folder=folder, new=True).ran == RUNS
    (aside,) = [p for p in folder.parent.iterdir() if p.name.startswith("tiny.")]
    assert len(load_results(aside)) == RUNS and len(raw_rows(folder)) == RUNS


def test_a_damaged_time_series_part_is_set_aside_with_its_runs(tmp_path, monkeypatch):
    monkeypatch.setattr(storing_module, "BATCH_ROWS", 5)
    text = TINY.replace('kpis = ["fill', 'timeseries = true\nsample_every = 50.0\nkpis = ["fill')
    path = write_experiment(tmp_path, text)
    folder = tmp_path / "res"
    sweep(path, folder=folder)
    series = sorted((folder / "timeseries").glob("part-*.parquet"))[1]
    damage(series, _truncated)
    with pytest.warns(DamagedResultsWarning, match="its time series"):
        assert len(load_results(folder, timeseries=True)["run_key"].unique()) == RUNS - 5
    with pytest.warns(DamagedResultsWarning, match="set aside"):
        assert sweep(path, folder=folder).ran == 5
    ts = load_results(folder, timeseries=True)
    assert set(ts["run_key"]) == set(load_results(folder)["run_key"])
    assert not ts.duplicated(["run_key", "time"]).any()


def _fail_for_parts(real):
    def fsync(fd: int) -> None:
        if "/parts/" in os.readlink(f"/proc/self/fd/{fd}"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(fd)

    return fsync


@pytest.mark.skipif(not os.path.exists("/proc/self/fd"), reason="needs /proc")
def test_a_full_disk_leaves_no_temporary_file_and_is_one_error_line(tmp_path, capsys, monkeypatch):
    path = write_experiment(tmp_path)
    monkeypatch.setattr(os, "fsync", _fail_for_parts(os.fsync))
    args = ["sweep", str(path), "--executor", "serial", "--results", str(tmp_path)]
    code, _, err = quiet_main(capsys, *args)
    assert code == 2
    assert "No space left on device" in one_error_line(err)
    assert not list(tmp_path.rglob(".tmp-*")) and not list(tmp_path.rglob("part-*"))
    monkeypatch.undo()
    assert main(args) == 0 and len(raw_rows(tmp_path / "tiny")) == RUNS


def test_leftover_temporary_files_and_orphan_time_series_are_removed_by_the_next_sweep(swept):
    path, folder = swept
    debris = [
        folder / "parts" / ".tmp-part-1-2-00001.parquet-999",
        folder / ".tmp-manifest.json-999",
    ]
    debris[0].write_bytes(b"")
    debris[1].write_bytes(b'{"name": "ti')
    orphan = folder / "timeseries" / "part-1-2-00001.parquet"
    orphan.parent.mkdir()
    pd.DataFrame({"run_key": ["x"], "time": [1.0]}).to_parquet(orphan)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert load_results(folder, timeseries=True).empty  # readers ignore the orphan
        assert sweep(path, folder=folder).ran == 0
    assert not any(p.exists() for p in [*debris, orphan])
