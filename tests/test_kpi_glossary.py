"""The README's KPI glossary is the catalogue's table, and every KPI a run may report has
an entry in it."""

from __future__ import annotations

from pathlib import Path

import pytest

from btoagents.config import load_scenario, preset_names
from btoagents.kpis.catalogue import kpi_names
from btoagents.kpis.glossary import BEGIN, END, glossary_latex, glossary_markdown, glossary_rows

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_glossary_is_the_generated_table():
    text = README.read_text()
    assert BEGIN in text and END in text
    block = text[text.index(BEGIN) + len(BEGIN) : text.index(END)].strip()
    assert block == glossary_markdown(), "regenerate the README glossary from the catalogue"


@pytest.mark.parametrize("preset", preset_names())
def test_every_kpi_a_preset_may_report_has_a_glossary_entry(preset):
    defined = {name for name, _, _ in glossary_rows()}
    for name in kpi_names(load_scenario(preset)):
        assert name.partition("[")[0] in defined, name


def test_the_papers_glossary_has_a_row_per_kpi_with_latex_escaped():
    tex = glossary_latex()
    rows = [line for line in tex.splitlines() if line.startswith(r"\texttt{")]
    assert len(rows) == len(glossary_rows())
    assert r"\texttt{fill\_rate} & share & type-2 fill rate" in tex
    for line in rows:  # two column separators; no bare _ or % (LaTeX specials)
        bare = [c for i, c in enumerate(line) if c in "_%&" and line[i - 1] != "\\"]
        assert bare == ["&", "&"], line
