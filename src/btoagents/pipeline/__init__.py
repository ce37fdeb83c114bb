"""``btoagents figures``: the paper's pipeline, from experiments to figures.

1. Every experiment named in :data:`~btoagents.figures.registry.FIGURES` is swept (resumed:
   stored runs are skipped) into ``RESULTS/<name>/`` (:mod:`~btoagents.pipeline.steps`).
2. The validation report is read from ``RESULTS/validation/checks.csv``; when there is
   none, the validation runs first (the full grid, as ``make validate`` does).
3. The figures, the numbers quoted in the paper and the validation table are drawn from the
   stored results only (:func:`btoagents.figures.build.draw`).

``--quick`` does the same at a small scale in its own results root, ``RESULTS/quick/``
(:mod:`~btoagents.pipeline.quick`); the figures and ``numbers.tex`` then say that they are
a quick build.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any


def main(args: Any, console: Any) -> int:
    """Run the experiments and the validation, then draw the figures and write the numbers;
    0 when everything worked.

    ``args`` holds ``quick`` (bool), ``results`` (the results root) and ``out`` (the figure
    folder); ``console`` is a rich console for progress lines.
    """
    from btoagents.figures.build import draw
    from btoagents.figures.registry import FIGURES
    from btoagents.pipeline.steps import experiments, run_experiment, validation_checks

    started = time.perf_counter()
    quick = bool(args.quick)
    root = Path(args.results) / "quick" if quick else Path(args.results)
    workers = min(2, os.cpu_count() or 1) if quick else (os.cpu_count() or 1)
    executor = "process" if workers > 1 else "serial"
    folders: dict[str, Path] = {}
    for file, edits in experiments(FIGURES).items():
        folders[file] = run_experiment(file, edits, root, quick, console, executor, workers)
    checks = validation_checks(root, quick, console, workers)
    errors = draw(folders, checks, root, Path(args.out), quick, console)
    console.print(f"pipeline done in {time.perf_counter() - started:.0f} s", highlight=False)
    return 1 if errors else 0
