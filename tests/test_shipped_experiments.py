"""Every experiment file shipped in ``experiments/`` passes the whole pre-run check of the
command that runs it (TOML, keys, scenario, overrides, factor keys, KPI names, budget), so
a file the README or the paper tells a reader to run never fails before its first run."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from btoagents.experiment.search_prepare import prepare_search
from btoagents.experiment.select import prepare_select
from btoagents.experiment.spec import file_command
from btoagents.experiment.sweep import prepare

EXPERIMENTS = Path(__file__).resolve().parents[1] / "experiments"
FILES = sorted(EXPERIMENTS.glob("*.toml"))
PREPARE = {"sweep": prepare, "optimize": prepare_search, "select": prepare_select}


def test_the_experiments_folder_ships_files_of_every_kind():
    kinds = {file_command(tomllib.loads(p.read_text()))[0] for p in FILES}
    assert kinds == set(PREPARE)


@pytest.mark.parametrize("path", FILES, ids=[p.stem for p in FILES])
def test_a_shipped_experiment_file_passes_its_commands_pre_run_check(path):
    command = file_command(tomllib.loads(path.read_text()))[0]
    PREPARE[command](path)
