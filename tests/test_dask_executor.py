"""The Dask executor: guided chunks, and runs whose worker died are sent again, run by run."""

from __future__ import annotations

import os
from pathlib import Path

import dask
import distributed  # noqa: F401 - its config defaults, before dask.config.set below
import pytest

from btoagents.experiment.executors import (
    CHUNKS_PER_WORKER,
    MAX_ATTEMPTS,
    MAX_CHUNK,
    WAIT,
    chunk_size,
    execute_runs,
    run_dask,
    run_serial,
)
from btoagents.experiment.sweep import prepare

EXPERIMENT = """
name = "dying"
scenario = "mm1-bts"
replications = 4
seed = 5
overrides = ["simulation.horizon=200", "simulation.warmup=20"]
kpis = ["fill_rate"]
[design]
kind = "full_factorial"
[factors.S]
key = "products.standard.base_stock"
levels = [0, 2, 4]
"""

#: environment variables read in the workers (spawned after the test sets them)
DIE_ONCE = "BTOAGENTS_TEST_DIE_ONCE"  # a marker file: the first chunk to see it missing dies
POISON = "BTOAGENTS_TEST_POISON"  # a run key whose worker dies every time


def dying_chunks(tasks):
    """Like :func:`execute_runs`, but kills its worker process as the variables say."""
    marker = os.environ.get(DIE_ONCE)
    if marker and not Path(marker).exists():
        Path(marker).touch()
        os._exit(1)
    if any(t.key == os.environ.get(POISON) for t in tasks):
        os._exit(1)
    return execute_runs(tasks)


def tasks_of(tmp_path):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    return list(prepare(path).tasks())


def test_chunks_shrink_to_single_runs_and_cover_every_run():
    workers, left, sizes = 2, 1000, []
    while left:
        k = min(chunk_size(left, workers), left)
        sizes.append(k)
        left -= k
    assert sum(sizes) == 1000
    assert max(sizes) == MAX_CHUNK and sizes == sorted(sizes, reverse=True)
    # once fewer than 2 chunks per worker and round are left, runs go out one by one
    tail = 2 * workers * CHUNKS_PER_WORKER - 1
    assert sizes[-tail:] == [1] * tail and sizes[-tail - 1] == 2


def test_a_chunk_whose_worker_died_runs_again_and_every_run_has_one_row(tmp_path, monkeypatch):
    tasks = tasks_of(tmp_path)
    marker = tmp_path / "died"
    monkeypatch.setenv(DIE_ONCE, str(marker))
    rows = []
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        stats = run_dask(tasks, rows.append, workers=2, run_chunk=dying_chunks)
    assert marker.exists(), "no worker died: the test did not test anything"
    assert sorted(r["run_key"] for r in rows) == sorted(t.key for t in tasks)
    assert all(r["status"] == "ok" for r in rows)
    assert stats.retried >= 1


def test_a_run_that_always_kills_its_worker_is_lost_and_the_others_are_not(tmp_path, monkeypatch):
    tasks = tasks_of(tmp_path)
    poison = tasks[len(tasks) // 2].key
    monkeypatch.setenv(POISON, poison)
    rows = []
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        stats = run_dask(tasks, rows.append, workers=2, run_chunk=dying_chunks)
    by_key = {r["run_key"]: r for r in rows}
    assert len(rows) == len(by_key) == len(tasks)
    assert by_key[poison]["status"] == "lost"
    assert f"worker died {MAX_ATTEMPTS} times" in by_key[poison]["error"]
    assert all(r["status"] == "ok" for k, r in by_key.items() if k != poison)
    assert stats.retried >= MAX_ATTEMPTS - 1


def waiting_feed(tasks, rows, size=3):
    """A feed in rounds of ``size`` tasks, each given only once every earlier row is back
    (as a search asks its next candidates)."""
    for i in range(0, len(tasks), size):
        yield from tasks[i : i + size]
        while len(rows) < min(i + size, len(tasks)):
            yield WAIT


@pytest.mark.slow  # a LocalCluster: about 10 s
def test_a_feed_that_waits_for_rows_gets_all_its_tasks_run(tmp_path):
    tasks = tasks_of(tmp_path)
    for run in (run_serial, lambda feed, on_row: run_dask(feed, on_row, workers=2)):
        rows = []
        run(waiting_feed(tasks, rows), rows.append)
        assert sorted(r["run_key"] for r in rows) == sorted(t.key for t in tasks)
