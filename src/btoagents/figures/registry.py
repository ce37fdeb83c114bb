"""Every figure of the paper: which experiment it reads, how it is drawn, which numbers the
text quotes from it.

Adding a figure is three steps: an experiment file ``experiments/paper_*.toml``, a plotting
function ``fn(data: Stored, out: Path) -> list[Path]`` (and, if the text quotes numbers, a
numbers function ``fn(data: Stored, gen: Generated) -> None``), and one :class:`Figure`
entry below. ``btoagents figures`` then runs (resumes) the experiment, draws
``paper/figures/<name>.pdf`` and ``.png`` and adds the macros to ``numbers.tex``; the
paper includes the figure with ``\\IfFileExists`` so it builds with or without it.

Functions are named ``"module:function"`` and imported only when the figure is built, so
this module is cheap to import. With ``--quick`` each experiment is shrunk in memory (see
:func:`btoagents.pipeline.quick.shrink`); ``quick`` holds extra dotted edits for one
experiment when the generic shrink does not fit (e.g. ``{"design.samples": 8}``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Figure:
    """One figure of the paper.

    Attributes:
        name: file stem under ``paper/figures/`` (``<name>.pdf``, ``<name>.png``).
        experiment: the experiment file it reads, relative to the repository root.
        plot: ``"module:function"`` drawing it from the stored results.
        numbers: ``"module:function"`` adding the macros the text quotes, or None.
        question: the paper's research question (for the listing and the log).
        quick: extra dotted edits of the experiment for ``--quick`` runs.
    """

    name: str
    experiment: str
    plot: str
    numbers: str | None = None
    question: str = ""
    quick: dict[str, Any] = field(default_factory=dict)


FIGURES: list[Figure] = [
    Figure(
        "frontier_kpis",
        "experiments/paper_frontier.toml",
        "btoagents.figures.frontier:plot_frontier_kpis",
        "btoagents.figures.frontier:frontier_numbers",
        question="1. the BTO-share trade-off at several capacities",
    ),
    Figure(
        "frontier",
        "experiments/paper_frontier.toml",
        "btoagents.figures.frontier:plot_frontier",
        question="1. the BTO-share trade-off at several capacities",
    ),
    Figure(
        "variety",
        "experiments/paper_variety.toml",
        "btoagents.figures.variety:plot_variety",
        "btoagents.figures.variety:variety_numbers",
        question="2. variety and life cycles",
    ),
    Figure(
        "capacity",
        "experiments/policy_capacity_season.toml",
        "btoagents.figures.capacity:plot_capacity",
        "btoagents.figures.capacity:capacity_numbers",
        question="3. capacity exposure under seasonal demand",
    ),
    Figure(
        "adaptive",
        "experiments/policy_fulfillment_shift.toml",
        "btoagents.figures.adaptive:plot_adaptive",
        "btoagents.figures.adaptive:adaptive_numbers",
        question="4. adaptive policies when demand shifts",
    ),
    Figure(
        "sobol",
        "experiments/paper_sensitivity.toml",
        "btoagents.figures.sensitivity:plot_sobol",
        "btoagents.figures.sensitivity:sobol_numbers",
        question="5. global sensitivity",
        quick={"design.samples": 8},
    ),
]
