"""Where results go: names stay inside --results, unwritable roots are one line, one writer."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from btoagents import ConfigError
from btoagents.cli import main
from btoagents.experiment import ResultStore, load_results, sweep
from btoagents.experiment.lock import FolderBusyError
from btoagents.experiment.spec import ExperimentSpec
from btoagents.experiment.sweep import results_folder
from experiment_files import RUNS, TINY, one_error_line, raw_rows, write_experiment

BAD_NAMES = ["../x", "/abs", "", ".hidden", "a/b", "a\\b", "..", "x/../../y", "x" * 101]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_an_experiment_name_that_is_not_a_folder_name_is_refused_before_any_write(tmp_path, name):
    root = tmp_path / "deep" / "root"
    path = write_experiment(tmp_path, TINY.replace('name = "tiny"', f"name = {name!r}"))
    with pytest.raises(ConfigError, match=r"exp\.toml: name = .*folder results/<name>/") as err:
        sweep(path, results_root=root)
    assert "\n" not in str(err.value)
    assert not (tmp_path / "deep").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["exp.toml"]


def test_the_cli_refuses_an_escaping_name_in_one_line(tmp_path, capsys):
    path = write_experiment(tmp_path, TINY.replace('name = "tiny"', 'name = "../escape"'))
    root = tmp_path / "root"
    assert main(["sweep", str(path), "--executor", "serial", "--results", str(root)]) == 2
    assert "name = '../escape'" in one_error_line(capsys.readouterr().err)
    assert not (tmp_path / "escape").exists() and not root.exists()


@pytest.mark.parametrize("name", ["../x", "/abs", "a/b", ".", ""])
def test_results_folder_refuses_a_name_that_would_leave_the_root(tmp_path, name):
    spec = ExperimentSpec.model_construct(name=name)  # past the schema's own check
    with pytest.raises(ConfigError, match="would not be inside"):
        results_folder(spec, tmp_path)
    good = ExperimentSpec.model_construct(name="bto-share_2.1")
    assert results_folder(good, tmp_path) == tmp_path / "bto-share_2.1"


@pytest.mark.parametrize("below", ["", "sub"])
def test_a_results_root_that_is_a_file_is_one_error_line_with_exit_status_2(
    tmp_path, capsys, below
):
    path = write_experiment(tmp_path)
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("x")
    root = a_file / below if below else a_file
    args = ["sweep", str(path), "--executor", "serial", "--results", str(root)]
    assert main(args) == 2
    line = one_error_line(capsys.readouterr().err)
    assert str(a_file) in line and "Not a directory" in line
    assert a_file.read_text() == "x"


def test_the_command_refuses_a_results_root_under_a_file_in_a_subprocess(tmp_path):
    path = write_experiment(tmp_path)
    (tmp_path / "f").write_text("x")
    cmd = [sys.executable, "-m", "btoagents.cli", "sweep", str(path), "--executor", "serial"]
    done = subprocess.run(
        [*cmd, "--results", str(tmp_path / "f" / "results")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert str(tmp_path / "f") in one_error_line(done.stderr)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_results_root_is_one_error_line(tmp_path, capsys):
    path = write_experiment(tmp_path)
    root = tmp_path / "ro"
    root.mkdir()
    root.chmod(0o555)
    try:
        args = ["sweep", str(path), "--executor", "serial", "--results", str(root)]
        assert main(args) == 2
        assert str(root) in one_error_line(capsys.readouterr().err)
    finally:
        root.chmod(0o755)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_analyze_of_a_read_only_results_folder_is_one_error_line(tmp_path, capsys):
    sweep(write_experiment(tmp_path), folder=tmp_path / "res")
    (tmp_path / "res").chmod(0o555)
    capsys.readouterr()
    try:
        assert main(["analyze", str(tmp_path / "res")]) == 2
        assert "cannot write the analysis tables" in one_error_line(capsys.readouterr().err)
    finally:
        (tmp_path / "res").chmod(0o755)


def test_analyze_that_cannot_write_its_tables_is_one_error_line(tmp_path, capsys):
    folder = tmp_path / "res"
    sweep(write_experiment(tmp_path), folder=folder)
    (folder / "analysis").write_text("a file where the tables' folder should be")
    capsys.readouterr()
    assert main(["analyze", str(folder)]) == 2
    line = one_error_line(capsys.readouterr().err)
    assert str(folder / "analysis") in line and "cannot write the analysis tables" in line


def test_a_second_sweep_is_refused_while_the_first_holds_the_lock(tmp_path, capsys):
    path = write_experiment(tmp_path)
    folder = tmp_path / "tiny"
    args = ["sweep", str(path), "--executor", "serial", "--results", str(tmp_path)]
    with ResultStore(folder).lock():
        assert main(args) == 2
        line = one_error_line(capsys.readouterr().err)
        assert f"{folder} is being written by another sweep (pid {os.getpid()})" in line
        assert "wait for it" in line
        assert not (folder / "parts").exists() and not (folder / "manifest.json").exists()
        with pytest.raises(FolderBusyError):
            sweep(path, results_root=tmp_path)
    assert main(args) == 0
    assert len(raw_rows(folder)) == RUNS and len(load_results(folder)) == RUNS


def test_a_sweep_in_another_process_is_refused_while_this_one_holds_the_lock(tmp_path):
    path = write_experiment(tmp_path)
    cmd = [sys.executable, "-m", "btoagents.cli", "sweep", str(path), "--executor", "serial"]
    with ResultStore(tmp_path / "tiny").lock():
        done = subprocess.run(
            [*cmd, "--results", str(tmp_path)], capture_output=True, text=True, timeout=120
        )
    assert done.returncode == 2
    assert f"another sweep (pid {os.getpid()})" in one_error_line(done.stderr)


HOLDER = """
import sys
from btoagents.experiment import ResultStore
with ResultStore(sys.argv[1]).lock():
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_the_lock_of_a_killed_sweep_is_released_by_the_system(tmp_path):
    folder = tmp_path / "res"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(FolderBusyError, match=f"pid {holder.pid}"), ResultStore(folder).lock():
            pass
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=60)
    assert (folder / "sweep.lock").exists()  # the file stays; its lock went with the process
    with ResultStore(folder).lock():
        pass


def test_new_keeps_the_lock_file_and_moves_everything_else_aside(tmp_path):
    path = write_experiment(tmp_path)
    folder = tmp_path / "res"
    sweep(path, folder=folder)
    path.write_text(TINY.replace("seed = 5", "seed = 6"))
    assert sweep(path, folder=folder, new=True).ran == RUNS
    (aside,) = [p for p in tmp_path.iterdir() if p.name.startswith("res.")]
    assert not (aside / "sweep.lock").exists() and (folder / "sweep.lock").exists()
    assert len(load_results(aside)) == RUNS and len(raw_rows(folder)) == RUNS
