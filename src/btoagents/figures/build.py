"""Draw every figure of the paper, its quoted numbers and the validation table from stored
results only (the results folders of the sweeps and the validation's ``checks.csv``).

Nothing here simulates: :mod:`btoagents.pipeline` runs the experiments and the validation
first and then calls :func:`draw`.
"""

from __future__ import annotations

import importlib
import time
import traceback
from pathlib import Path
from typing import Any

import pandas as pd


def load_function(ref: str):
    """``"package.module:function"`` -> the function."""
    module, _, name = ref.partition(":")
    return getattr(importlib.import_module(module), name)


def draw(
    folders: dict[str, Path],
    checks: pd.DataFrame,
    root: Path,
    out: Path,
    quick: bool,
    console: Any,
) -> int:
    """Draw each figure of the registry from its experiment's stored results into ``out``
    (``NAME.pdf`` and ``.png``), and write the numbers and tables to ``out/../generated``.

    Args:
        folders: experiment file -> its results folder.
        checks: the stored validation checks.
        root: the results root (named in the numbers' header).
        out: the figure folder.
        quick: whether the results are a quick (small-scale) build.
        console: a rich console for progress lines.

    Returns:
        The number of figures that failed (each failure is printed with its traceback; one
        broken figure does not hide the others).
    """
    from btoagents.figures.numbers import Generated
    from btoagents.figures.registry import FIGURES
    from btoagents.figures.stored import Stored
    from btoagents.figures.validation import validation_numbers
    from btoagents.kpis.glossary import glossary_latex
    from btoagents.validation import all_cases

    started = time.perf_counter()
    generated = out.parent / "generated"
    gen = Generated()
    gen.add("BuildScale", "quick" if quick else "full", "quick: a small-scale draft")
    errors = 0
    loaded: dict[str, Any] = {}
    for fig in FIGURES:
        try:
            data = loaded.get(fig.experiment)
            if data is None:
                data = loaded[fig.experiment] = Stored.load(folders[fig.experiment])
            paths = load_function(fig.plot)(data, out / fig.name)
            if fig.numbers:
                load_function(fig.numbers)(data, gen)
            console.print(f"figure {fig.name}: {', '.join(str(p) for p in paths)}", highlight=False)
        except Exception:  # noqa: BLE001 - one broken figure should not hide the others
            errors += 1
            console.print(f"[red]figure {fig.name} failed:[/]\n{traceback.format_exc()}")
    validation_numbers(checks, gen, len(all_cases()), quick)
    gen.table("kpi_glossary.tex", glossary_latex())
    hashes = []
    for file, folder in folders.items():
        manifest = loaded[file].manifest if file in loaded else {}
        hashes.append(f"{file}: {folder} (hash {manifest.get('experiment_hash', '?')})")
    header = (
        f"Numbers quoted in paper.tex, {'QUICK (small-scale)' if quick else 'full-scale'} "
        f"build from stored results:\n" + "\n".join(hashes) + f"\nvalidation: {root / 'validation'}"
    )
    written = gen.write(generated, header)
    console.print(
        f"numbers and tables: {', '.join(str(p) for p in written)}; "
        f"{time.perf_counter() - started:.0f} s",
        highlight=False,
    )
    return errors
