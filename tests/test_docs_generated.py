"""The documentation's generated parts (``docs/_ext/generated_pages.py``): the example
plugins' parameter tables and the files a build writes, without running Sphinx."""

from __future__ import annotations

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytest.importorskip("sphinx", reason="the docs extra is not installed")
sys.path.insert(0, str(ROOT / "docs" / "_ext"))
import generated_pages  # noqa: E402


def test_every_example_plugin_has_a_table_of_its_declared_parameters():
    text = generated_pages.example_params()
    for spec, key in generated_pages.EXAMPLE_PLUGINS:
        assert f"### `{spec}`" in text and f"`[{key}]`" in text
    assert "| `threshold` | number; >= 0" in text  # StockHot.Params
    assert "| `max_units` |" in text  # CappedDealer.Params


def test_a_build_writes_the_reference_pages_and_keeps_what_is_unchanged(tmp_path, monkeypatch):
    monkeypatch.setenv("BTOAGENTS_DOCS_VALIDATION", "keep")
    out = tmp_path / "_generated"
    out.mkdir()
    (out / "validation.md").write_text("kept\n")  # an earlier build's validation table
    app = SimpleNamespace(srcdir=str(tmp_path))
    generated_pages.generate(app)
    names = {p.name for p in out.iterdir()}
    assert {"scenario_reference.md", "plugin_kinds.md", "example_params.md"} <= names
    assert "kpi_glossary.md" in names
    assert (out / "validation.md").read_text() == "kept\n"
    reference = out / "scenario_reference.md"
    stamp = reference.stat().st_mtime_ns
    generated_pages.generate(app)
    assert reference.stat().st_mtime_ns == stamp  # unchanged text is not rewritten
