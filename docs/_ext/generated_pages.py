"""A Sphinx extension that writes the documentation's generated parts from the package.

When a build starts it writes, into ``docs/_generated/`` (not a source folder: pages pull
the files in with MyST's ``include``):

- ``scenario_reference.md``: every scenario key with its type, bounds, default, unit and
  description (:mod:`btoagents.config.reference`), and ``plugin_kinds.md``, the plugin
  kinds with their built-ins;
- ``example_params.md``: the parameters the example plugins of ``examples/`` declare;
- ``kpi_glossary.md``: the KPI glossary (:mod:`btoagents.kpis.glossary`);
- ``validation.md`` and ``theory_vs_simulation.png``: the theory-against-simulation table
  and picture, from running the validation cases (:mod:`btoagents.validation`): the quick
  subset by default (about two minutes on two cores), the full grid (about ten minutes)
  with ``BTOAGENTS_DOCS_VALIDATION=full``; ``BTOAGENTS_DOCS_VALIDATION=keep`` keeps the
  files an earlier build wrote (for quick rebuilds while writing the documentation).

A file is rewritten only when its text changes, so an incremental build does not redo the
pages that include it.
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: example plugins whose declared parameters the reference lists: (import path, key)
EXAMPLE_PLUGINS = (
    ("examples.custom_policy:StockHot", "fulfillment.params"),
    ("examples.custom_demand:WeeklyQuotes", "demand_management.params"),
    ("examples.custom_replenishment:PoissonSafetyStock", "forecast.params"),
    ("examples.custom_kpi:StockTurns", "kpis.params.StockTurns"),
    ("examples.custom_agent:CappedDealer", "dealers.params"),
    ("examples.custom_agent:ImpatientCustomer", "customers.params"),
)


def _write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` unless it already holds exactly that."""
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


#: the repository root, where the ``examples`` package lives
ROOT = Path(__file__).resolve().parents[2]


def _load(spec: str) -> Any:
    """The object ``module:name`` (the ``examples`` package from the repository root,
    whatever folder the build or the test runs from)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)


def example_params() -> str:
    """The parameters each example plugin declares (its ``Params`` model), as tables."""
    from btoagents.config.reference import markdown

    out = []
    for spec, key in EXAMPLE_PLUGINS:
        cls = _load(spec)
        out.append(f"### `{spec}`\n")
        out.append(f"Parameters in `[{key}]`.\n")
        table = markdown(cls.Params, f"{key}.", level=4)
        # the example's one table: drop the per-table heading the reference writes
        out.append("\n".join(line for line in table.splitlines() if not line.startswith("#")))
    return "\n".join(out)


def validation_page(out: Path) -> str:
    """Run the validation cases, draw their picture into ``out``, return the table page."""
    from btoagents.validation import all_cases, quick_cases, run_cases
    from btoagents.validation.report import markdown_table, plot_checks

    full = os.environ.get("BTOAGENTS_DOCS_VALIDATION", "quick") == "full"
    cases = all_cases() if full else quick_cases()
    started = time.perf_counter()
    checks = run_cases(cases)
    elapsed = time.perf_counter() - started
    plot_checks(checks, out / "theory_vs_simulation.png")
    passed = int(checks["passed"].sum())
    scale = "the full grid" if full else "the quick subset (`btoagents validate --quick`)"
    logger.info(f"[generated_pages] validation: {len(checks)} checks in {elapsed:.0f} s")
    return (
        f"This build ran {scale}: {checks['case'].nunique()} cases, {len(checks)} checks, "
        f"{passed} passed, {len(checks) - passed} failed, in {elapsed:.0f} s.\n\n"
        + markdown_table(checks)
        + "\n"
    )


def generate(app: Sphinx) -> None:
    """Write every generated file (``builder-inited``)."""
    from btoagents.config.reference import markdown, plugins_markdown
    from btoagents.kpis.glossary import glossary_markdown

    out = Path(app.srcdir) / "_generated"
    _write(out / "scenario_reference.md", markdown(level=3))
    _write(out / "plugin_kinds.md", plugins_markdown())
    _write(out / "example_params.md", example_params())
    _write(out / "kpi_glossary.md", glossary_markdown() + "\n")
    keep = os.environ.get("BTOAGENTS_DOCS_VALIDATION") == "keep"
    if not (keep and (out / "validation.md").exists()):
        _write(out / "validation.md", validation_page(out))


def setup(app: Sphinx) -> dict[str, Any]:
    app.connect("builder-inited", generate)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
