"""Interrupting the command line: Ctrl-C (SIGINT to the process group) and SIGTERM.

Every executor stores the rows it holds, ends its worker processes, prints one line
``interrupted: ...`` and exits with 130 or 143, without a traceback; the same command then
finishes the sweep with every run exactly once. An unreachable ``--scheduler`` is one error
line. Signals are sent when an observed event happened (a new part file; in process, a
model run starting), never after a fixed wait.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from btoagents.cli import main
from btoagents.experiment import ResultStore, load_results, prepare
from btoagents.experiment.executors import CONNECT_TIMEOUT
from experiment_files import TINY

#: 3 levels x 2 arms x 20 replications = 120 short runs: a few seconds in all, and several
#: times the 25 rows (or 5 s) after which a sweep writes a part
EXPERIMENT = TINY.replace("replications = 3", "replications = 20")
RUNS = 3 * 2 * 20
#: generous bound for anything the tests wait for (a loaded 2-core machine)
DEADLINE = 180.0
INTERRUPTED = re.compile(r"interrupted: (\d+) runs stored, rerun the same command to continue")
PROGRESS = re.compile(r"tiny: \d+/\d+ runs, ")
ENV = {**os.environ, "PYTHONUNBUFFERED": "1"}


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "btoagents.cli", *args]


def sweep_args(path: Path, executor: str, results: Path) -> list[str]:
    return cli(
        "sweep", str(path), "--executor", executor, "--workers", "2", "--results", str(results)
    )


def live_members(pgid: int) -> list[int]:
    """Processes of process group ``pgid`` that are not zombies (Linux ``/proc``; elsewhere
    none are found)."""
    pids = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        fields = text.rsplit(")", 1)[1].split()  # after "pid (name)": state, ppid, pgrp
        if int(fields[2]) == pgid and fields[0] != "Z":
            pids.append(int(stat.parent.name))
    return pids


def wait_until(done, proc: subprocess.Popen, what: str) -> None:
    """Poll ``done()`` until true; fail if ``proc`` ends first or after ``DEADLINE``."""
    deadline = time.monotonic() + DEADLINE
    while not done():
        assert proc.poll() is None, f"the command ended before {what}"
        assert time.monotonic() < deadline, f"no {what} within {DEADLINE:.0f} s"
        time.sleep(0.02)


def end_of(proc: subprocess.Popen, err_file: Path) -> str:
    """Wait for ``proc`` and every process of its session; return what they wrote to stderr."""
    proc.wait(timeout=DEADLINE)
    deadline = time.monotonic() + DEADLINE
    while live_members(proc.pid):
        assert time.monotonic() < deadline, (
            f"processes outlived the sweep: {live_members(proc.pid)}"
        )
        time.sleep(0.02)
    return err_file.read_text()


def interrupt_sweep(cmd: list[str], folder: Path, signum: int, tmp_path: Path) -> tuple[int, str]:
    """Start ``cmd``, signal it once it stored a new part file; its exit status and stderr.

    SIGINT goes to the whole process group, as a Ctrl-C at a terminal does (the workers get
    it too); SIGTERM to the command alone, as ``kill PID`` does.
    """
    before = len(ResultStore(folder).part_files())
    err_file = tmp_path / f"stderr-{signum}.txt"
    with err_file.open("w") as err:
        proc = subprocess.Popen(
            cmd, stdout=subprocess.DEVNULL, stderr=err, env=ENV, start_new_session=True
        )
        try:
            wait_until(
                lambda: len(ResultStore(folder).part_files()) > before, proc, "new part file"
            )
            if signum == signal.SIGINT:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)
            err_text = end_of(proc, err_file)
            return proc.returncode, err_text
        finally:
            if live_members(proc.pid):  # a failed test leaves nothing running
                os.killpg(proc.pid, signal.SIGKILL)


def assert_one_interrupted_line(err: str) -> int:
    """stderr: progress lines at most, then the one ``interrupted:`` line; returns its N."""
    assert "Traceback" not in err, err
    assert "leaked" not in err, err
    lines = err.splitlines()
    assert lines, "nothing on stderr"
    *others, last = lines
    match = INTERRUPTED.fullmatch(last)
    assert match, err
    assert all(PROGRESS.match(line) for line in others), err
    return int(match.group(1))


@pytest.mark.parametrize("executor", ["serial", "process", "dask"])
def test_ctrl_c_and_sigterm_store_what_is_held_and_the_same_command_finishes(tmp_path, executor):
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    results = tmp_path / "results"
    folder = results / "tiny"
    cmd = sweep_args(path, executor, results)
    stored = 0
    for signum in (signal.SIGINT, signal.SIGTERM):
        status, err = interrupt_sweep(cmd, folder, signum, tmp_path)
        assert status == 128 + signum, err
        n = assert_one_interrupted_line(err)
        rows = load_results(folder)
        assert n == len(rows) and rows["run_key"].is_unique
        assert (rows["status"] == "ok").all()
        assert stored < n < RUNS, "the sweep was not interrupted while it ran"
        stored = n

    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=DEADLINE)
    assert done.returncode == 0, done.stderr
    assert f"{stored} already stored" in done.stdout
    rows = load_results(folder)
    expected = {t.key for t in prepare(path).tasks()}
    assert len(rows) == RUNS and rows["run_key"].is_unique and set(rows["run_key"]) == expected
    assert (rows["status"] == "ok").all()


@pytest.fixture
def signals_fail_the_test():
    """SIGINT and SIGTERM that reach the test (not handled by ``main``) fail it."""

    def fail(signum, frame):
        raise AssertionError(f"{signal.Signals(signum).name} was not handled by main()")

    previous = {s: signal.signal(s, fail) for s in (signal.SIGINT, signal.SIGTERM)}
    yield fail
    for s, handler in previous.items():
        signal.signal(s, handler)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
@pytest.mark.parametrize(
    "command",
    [
        ["run", "mm1-bts", "-r", "2", "--set", "simulation.horizon=2000"],
        ["validate", "--quick", "--family", "mm1-bts"],
    ],
    ids=["run", "validate"],
)
def test_a_command_interrupted_in_a_replication_is_one_line_and_restores_the_handlers(
    tmp_path, capsys, monkeypatch, signals_fail_the_test, command, signum
):
    from btoagents.model import SupplyChainModel

    original = SupplyChainModel.run

    def run_then_signal(self, *args, **kwargs):
        os.kill(os.getpid(), signum)  # handled before the next line of Python runs
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SupplyChainModel, "run", run_then_signal)
    monkeypatch.chdir(tmp_path)  # validate writes its report here when it finishes
    status = main(command)
    out, err = capsys.readouterr()
    assert status == 128 + signum
    assert err == f"interrupted: btoagents {command[0]} stopped before it finished\n"
    assert "Traceback" not in out
    assert signal.getsignal(signal.SIGINT) is signals_fail_the_test
    assert signal.getsignal(signal.SIGTERM) is signals_fail_the_test
    assert not list(tmp_path.iterdir())


def test_an_unreachable_scheduler_is_one_error_line(tmp_path):
    assert CONNECT_TIMEOUT <= 10
    with socket.socket() as sock:  # a free local port with nothing listening on it
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    path = tmp_path / "exp.toml"
    path.write_text(EXPERIMENT)
    cmd = [*sweep_args(path, "dask", tmp_path), "--scheduler", address]
    done = subprocess.run(cmd, capture_output=True, text=True, env=ENV, timeout=DEADLINE)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(
        f"error: --scheduler {address}: no Dask scheduler answered within {CONNECT_TIMEOUT:g} s"
    )


@pytest.mark.parametrize("sig, code", [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_while_the_command_line_loads_is_one_line_too(sig, code):
    # the console script installs these handlers before it imports the heavy stack; the
    # signal is sent by the process itself right after, so no timing decides the moment
    script = (
        "import os, signal\n"
        "from btoagents.entry import install_loading_handlers\n"
        "install_loading_handlers()\n"
        f"os.kill(os.getpid(), {int(sig)})\n"
        "import btoagents.cli\n"
        "print('not stopped')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == code
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "interrupted: btoagents stopped while starting; nothing was written"
    ]


def test_the_console_script_enters_through_the_loading_handlers():
    from importlib import metadata

    (script,) = [e for e in metadata.entry_points(group="console_scripts") if e.name == "btoagents"]
    assert script.value == "btoagents.entry:main"
