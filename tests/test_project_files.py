"""The project's files a user and a packager rely on: the licence, the citation, the
changelog, the typing marker, and one version reported by the package, the command line and
a results manifest together with the git commit of a checkout."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import tomllib
from importlib import metadata, resources
from pathlib import Path

import pytest
import yaml

import btoagents
from btoagents.build_info import build_info, checkout_root, git_commit, git_dirty
from btoagents.experiment.store import ResultStore

ROOT = Path(__file__).resolve().parents[1]


def test_the_licence_is_the_mit_licence_that_pyproject_declares():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert "Copyright (c)" in text and "The btoagents authors" in text
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"


def test_citation_cff_has_the_keys_cff_1_2_0_requires_and_the_package_version():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    for key in ("message", "title"):
        assert isinstance(cff[key], str) and cff[key].strip(), key
    assert cff["type"] in ("software", "dataset")
    assert cff["authors"] and all(
        isinstance(a, dict) and (a.get("name") or a.get("family-names")) for a in cff["authors"]
    )
    assert cff["version"] == btoagents.__version__
    assert cff["license"] == "MIT"
    released = cff["date-released"]  # YAML reads an unquoted date as a date
    assert isinstance(released, dt.date) or re.fullmatch(r"\d{4}-\d{2}-\d{2}", released)


def test_the_changelog_keeps_an_unreleased_section_and_one_for_this_version():
    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## \[([^\]]+)\]", text, flags=re.MULTILINE)
    assert headings[0] == "Unreleased"
    assert btoagents.__version__ in headings
    assert "keepachangelog.com" in text


def test_the_typing_marker_ships_in_the_package():
    assert resources.files("btoagents").joinpath("py.typed").is_file()
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert "py.typed" in data["package-data"]["btoagents"]


def test_the_version_is_written_once_and_the_metadata_reads_it():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in project["project"]["dynamic"]
    assert "version" not in project["project"]
    assert project["tool"]["setuptools"]["dynamic"]["version"]["attr"] == "btoagents.__version__"
    assert metadata.version("btoagents") == btoagents.__version__


# --- the git commit ----------------------------------------------------------------------

needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def _checkout(tmp_path: Path) -> Path:
    """A git repository with a committed src/btoagents package folder; its package folder."""
    package = tmp_path / "repo" / "src" / "btoagents"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    git = ["git", "-C", str(tmp_path / "repo"), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "one"], check=True)
    return package


@needs_git
def test_a_checkout_reports_its_commit_and_whether_tracked_files_changed(tmp_path):
    package = _checkout(tmp_path)
    head = subprocess.run(
        ["git", "-C", str(package), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    assert checkout_root(package) == (tmp_path / "repo").resolve()
    assert git_commit(package) == head
    assert git_dirty(package) is False
    (package / "__init__.py").write_text("x = 1\n")
    assert git_dirty(package) is True


@needs_git
def test_a_package_that_only_sits_inside_another_repository_reports_no_commit(tmp_path):
    _checkout(tmp_path)  # a repository whose src/btoagents is elsewhere
    installed = tmp_path / "repo" / ".venv" / "site-packages" / "btoagents"
    installed.mkdir(parents=True)
    assert checkout_root(installed) is None
    assert git_commit(installed) is None and git_dirty(installed) is None


def test_outside_a_checkout_or_without_git_the_commit_is_none_not_an_error(tmp_path, monkeypatch):
    plain = tmp_path / "site-packages" / "btoagents"
    plain.mkdir(parents=True)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    assert build_info(plain) == {
        "btoagents_version": btoagents.__version__,
        "git_commit": None,
        "git_dirty": None,
    }
    monkeypatch.setenv("PATH", str(tmp_path))  # no git on the path at all
    assert git_commit(plain) is None and git_dirty(plain) is None
    assert git_commit(tmp_path / "missing") is None


def test_the_manifest_and_each_sweep_entry_record_the_version_and_commit(tmp_path):
    store = ResultStore(tmp_path / "exp")
    with store.lock():
        store.open({"name": "exp", "experiment_hash": "h", "runs_total": 0})
        store.begin_attempt(retry_failed=False)
    manifest = store.manifest()
    expected = build_info()
    for record in (manifest, manifest["sweeps"][-1]):
        assert record["btoagents_version"] == btoagents.__version__
        assert record["git_commit"] == expected["git_commit"]
        assert record["git_dirty"] == expected["git_dirty"]
    assert manifest["btoagents_versions"]["btoagents"] == metadata.version("btoagents")
