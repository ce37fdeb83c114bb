"""A user's policy on an external Dask cluster: the worker imports it from its working folder.

A real ``dask scheduler`` and ``dask worker`` run as subprocesses; ``btoagents sweep
--scheduler`` (the console script, which does not put the working directory on sys.path)
runs an arm with ``examples.custom_policy:StockHot`` against a static arm. A worker started
from the repository root runs every run; one started elsewhere cannot import the plugin,
and each run fails with that one line stored (no hang, no lost runs).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from btoagents.experiment import load_results
from experiment_files import HOT, HOT_VS_STATIC

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DASK = BIN / "dask"
BTOAGENTS = BIN / "btoagents"
#: generous bound for anything the test waits for (a loaded 2-core machine)
DEADLINE = 180.0
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}

EXPERIMENT = HOT_VS_STATIC

pytestmark = pytest.mark.skipif(
    not DASK.exists() or not BTOAGENTS.exists(), reason="needs the venv's dask and btoagents"
)


def start(args: list[str], cwd: Path, log: Path) -> subprocess.Popen:
    """A subprocess in its own session (so it and its children can be ended together)."""
    return subprocess.Popen(
        args,
        cwd=cwd,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
        start_new_session=True,
    )


def stop(proc: subprocess.Popen | None) -> None:
    """End ``proc`` and its children: SIGTERM, then SIGKILL if it has not ended by the
    deadline."""
    if proc is None or proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


def wait_for(done, what: str, *procs: subprocess.Popen) -> None:
    """Poll ``done()`` until true; fail if one of ``procs`` ends first or after DEADLINE."""
    deadline = time.monotonic() + DEADLINE
    while not done():
        for p in procs:
            assert p.poll() is None, f"{p.args[:2]} ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE:.0f} s"
        time.sleep(0.05)


def workers_of(address: str) -> int:
    """Workers the scheduler at ``address`` knows now."""
    from distributed import Client

    with Client(address, timeout=10) as client:
        return len(client.scheduler_info().get("workers", {}))


def sweep(tmp_path: Path, name: str, address: str) -> subprocess.CompletedProcess:
    path = tmp_path / f"{name}.toml"
    path.write_text(EXPERIMENT.format(name=name))
    cmd = [str(BTOAGENTS), "sweep", str(path), "--executor", "dask", "--scheduler", address]
    cmd += ["--results", str(tmp_path / "results")]
    return subprocess.run(cmd, cwd=REPO, env=ENV, capture_output=True, text=True, timeout=DEADLINE)


def test_a_sweep_on_an_external_scheduler_runs_a_users_policy(tmp_path):
    scheduler_file = tmp_path / "scheduler.json"
    scheduler = worker = None
    try:
        scheduler = start(
            [
                str(DASK),
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--no-dashboard",
                "--scheduler-file",
                str(scheduler_file),
            ],
            tmp_path,
            tmp_path / "scheduler.log",
        )
        wait_for(scheduler_file.exists, "scheduler file", scheduler)
        address = ""

        def has_address() -> bool:
            nonlocal address
            try:
                address = json.loads(scheduler_file.read_text())["address"]
            except (ValueError, KeyError):
                return False
            return True

        wait_for(has_address, "scheduler address", scheduler)

        def worker_at(cwd: Path, log: str) -> subprocess.Popen:
            proc = start(
                [str(DASK), "worker", address, "--nthreads", "1", "--no-dashboard"],
                cwd,
                tmp_path / log,
            )
            wait_for(lambda: workers_of(address) == 1, "worker", scheduler, proc)
            return proc

        # a worker started from the repository root imports the plugin
        worker = worker_at(REPO, "worker.log")
        done = sweep(tmp_path, "hot-on-dask", address)
        assert done.returncode == 0, done.stderr
        rows = load_results(tmp_path / "results" / "hot-on-dask")
        assert len(rows) == 4 and (rows["status"] == "ok").all(), rows["error"].tolist()
        rows = rows.sort_values(["arm", "replication"])
        hot, static = rows[rows["arm"] == "hot"], rows[rows["arm"] == "static"]
        assert (hot["switches"] > 0).all() and (static["switches"] == 0).all()
        assert (hot["bts_share"].to_numpy() != static["bts_share"].to_numpy()).all()

        # a worker started elsewhere cannot: each plugin run fails with one line
        stop(worker)
        wait_for(lambda: workers_of(address) == 0, "the worker to leave", scheduler)
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        worker = worker_at(elsewhere, "worker-elsewhere.log")
        done = sweep(tmp_path, "hot-elsewhere", address)
        assert done.returncode == 0, done.stderr
        rows = load_results(tmp_path / "results" / "hot-elsewhere")
        assert len(rows) == 4
        assert (rows.loc[rows["arm"] == "static", "status"] == "ok").all()
        failed = rows[rows["arm"] == "hot"]
        assert (failed["status"] == "failed").all()
        for error in failed["error"]:
            assert "\n" not in error
            assert f"fulfillment.policy = '{HOT}': cannot import module" in error
    finally:
        stop(worker)
        stop(scheduler)
