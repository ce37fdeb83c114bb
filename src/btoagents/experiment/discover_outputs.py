"""``btoagents discover`` on a results folder: read its runs, analyse, write the tables.

Scenario discovery (:func:`discover_folder`) writes into its output folder:

- ``trajectory.csv``: the peeling trajectory, one row per box (coverage, density, mass,
  cases, cases of interest, restricted factors);
- ``limits.csv``: the chosen box's limits, one row per factor (low, high or the kept
  levels, restricted or not, quasi-p-value); ``trajectory_limits.csv`` every box's;
- ``cases.csv``: the design points with their point mean and class;
- ``discover.json``: the settings, the chosen box with its statistics and limits;
- ``tradeoff.png``: the coverage-density figure.

Robustness (:func:`robust_folder`) writes ``robustness.csv`` (one row per arm),
``regrets.csv`` (one row per scenario and arm) and ``robustness.json``.

The default output folder is ``RESULTS/discover/<label>/``, the label naming the KPI, the
threshold and the arm, so analyses of different questions sit side by side. Nothing stored
is touched: the tables never go into the folder's ``parts/``, ``timeseries/`` or
``quarantine/`` (refused in one line), and :func:`~btoagents.experiment.store.load_results`
and ``btoagents analyze`` read only ``parts/`` and the manifest. Each file is written
atomically; a rerun of the same analysis replaces its own tables.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from btoagents.errors import BtoagentsError, ConfigError
from btoagents.experiment.cases import PointMeans, interest, pick_arm, point_means
from btoagents.experiment.discovery import DENSITY_THRESHOLD, Discovery, run_prim
from btoagents.experiment.parts import write_atomic_bytes
from btoagents.experiment.robustness import PERCENTILE, regret_table
from btoagents.experiment.store import (
    QUARANTINE,
    DamagedManifestError,
    ResultStore,
    load_results,
)

#: the folder, inside a results folder, that discover writes into by default
OUT_FOLDER = "discover"
#: the results folder's own subfolders, never written into
STORED = ("parts", "timeseries", QUARANTINE)


@dataclass(frozen=True)
class Question:
    """What is asked of a KPI: cases above (``above``) or below (``below``) a value."""

    kpi: str
    above: float | None = None
    below: float | None = None

    def __post_init__(self) -> None:
        if (self.above is None) == (self.below is None):
            raise ConfigError("give exactly one of --above X and --below X")
        value = self.value
        if not math.isfinite(value):
            raise ConfigError(f"--{self.side} = {value}: expected a finite number")

    @property
    def side(self) -> str:
        return "above" if self.above is not None else "below"

    @property
    def value(self) -> float:
        return self.above if self.above is not None else self.below  # type: ignore[return-value]

    def text(self) -> str:
        return f"{self.kpi} {'>' if self.above is not None else '<'} {self.value:g}"

    def label(self) -> str:
        return f"{self.kpi}-{self.side}-{self.value:g}"


@dataclass(frozen=True)
class DiscoverResult:
    """A scenario discovery: the PRIM result, the cases, the arm and the written files."""

    discovery: Discovery
    cases: pd.DataFrame
    arm: str
    means: PointMeans
    out: Path
    files: list[Path]


@dataclass(frozen=True)
class RobustResult:
    """A robustness analysis: the per-arm summary, the per-scenario regrets, the files."""

    summary: pd.DataFrame
    regrets: pd.DataFrame
    means: PointMeans
    out: Path
    files: list[Path]


def read_runs(results: str | Path) -> pd.DataFrame:
    """The stored runs of a results folder; a one-line error when it is missing or empty."""
    rows = load_results(results)
    if rows.empty:
        raise ConfigError(f"{results}: no stored runs yet")
    return rows


def output_folder(results: str | Path, out: str | Path | None, label: str) -> Path:
    """Where the tables go: ``out``, else ``RESULTS/discover/<label>``; a one-line error for
    a folder that is the results folder itself or one of its stored subfolders."""
    root = Path(results).resolve()
    if out is None:
        return Path(results) / OUT_FOLDER / safe_label(label)
    target = Path(out).resolve()
    if target == root or any(target.is_relative_to(root / s) for s in STORED):
        raise ConfigError(
            f"--out {out}: inside the stored results of {results}; pick another folder "
            f"(default: {Path(results) / OUT_FOLDER}/)"
        )
    return Path(out)


def safe_label(label: str) -> str:
    """A label as a folder name: characters other than letters, digits, '.', '-' and '_'
    (a breakdown KPI's brackets) become '_'."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", label)


def discover_folder(
    results: str | Path,
    question: Question,
    arm: str | None = None,
    threshold: float = DENSITY_THRESHOLD,
    box: int | None = None,
    out: str | Path | None = None,
) -> DiscoverResult:
    """PRIM over the design points of one arm of a results folder (see the module
    docstring): cases of interest are the points whose point mean of the KPI is above
    (below) the question's value. Writes the tables and the figure; returns them."""
    from btoagents.figures.peeling import plot_tradeoff

    if out is not None:
        output_folder(results, out, "")  # a refused --out: before any work
    rows = read_runs(results)
    means = point_means(rows, question.kpi)
    arm = pick_arm(means, arm)
    cases = means.frame[means.frame["arm"] == arm].reset_index(drop=True)
    y = interest(cases[question.kpi].to_numpy(), question.above, question.below)
    cases = cases.assign(of_interest=y)
    found = run_prim(cases[means.inputs], y, threshold=threshold, box=box)
    label = question.label() + (f"-{arm}" if len(means.arms()) > 1 else "")
    folder = _make(output_folder(results, out, label))
    files = [
        _csv(folder / "trajectory.csv", found.trajectory),
        _csv(folder / "limits.csv", found.box_limits()),
        _csv(folder / "trajectory_limits.csv", found.limits),
        _csv(folder / "cases.csv", cases),
    ]
    summary = {
        "results": str(results),
        "kpi": question.kpi,
        question.side: question.value,
        "cases_of_interest": question.text(),
        "arm": arm,
        "cases": "design points (point means over their finished replications)",
        "points": found.cases,
        "points_of_interest": found.of_interest,
        "runs": int(cases["runs"].sum()),
        "factors": means.inputs,
        "factors_left_out": means.dropped,
        "chosen_box": found.chosen,
        "chosen_by": found.reason,
        "box": found.box_stats(),
        "limits": found.box_limits().to_dict("records"),
        "settings": found.settings,
    }
    files.append(_json(folder / "discover.json", summary))
    title = f"{arm}: {question.text()} ({found.of_interest} of {found.cases} points)"
    try:
        files.append(
            plot_tradeoff(found.trajectory, found.chosen, threshold, title, folder / "tradeoff")
        )
    except OSError as exc:
        raise BtoagentsError(
            f"{folder}/tradeoff.png: cannot write: {exc.strerror or exc}"
        ) from None
    return DiscoverResult(found, cases, arm, means, folder, files)


def robust_folder(
    results: str | Path,
    question: Question,
    percentile: float = PERCENTILE,
    out: str | Path | None = None,
) -> RobustResult:
    """Each arm's regret and satisficing share across the design points of a results
    folder: the question's side says which way is better (``above``: larger) and its value
    is the requirement a scenario satisfices. Writes the tables; returns them."""
    if out is not None:
        output_folder(results, out, "")
    rows = read_runs(results)
    means = point_means(rows, question.kpi)
    larger = question.above is not None
    summary, regrets = regret_table(means, question.kpi, larger, question.value, percentile)
    summary = _in_experiment_order(results, summary)
    folder = _make(output_folder(results, out, "robust-" + question.label()))
    files = [
        _csv(folder / "robustness.csv", summary),
        _csv(folder / "regrets.csv", regrets),
        _json(
            folder / "robustness.json",
            {
                "results": str(results),
                "kpi": question.kpi,
                "better": "larger" if larger else "smaller",
                "satisfices": question.text(),
                "percentile": percentile,
                "scenarios": "design points (point means over their finished replications)",
                "runs": int(means.frame["runs"].sum()),
                "arms": summary.to_dict("records"),
            },
        ),
    ]
    return RobustResult(summary, regrets, means, folder, files)


def _in_experiment_order(results: str | Path, summary: pd.DataFrame) -> pd.DataFrame:
    """The per-arm rows in the order of the experiment file's arms (the manifest's), when
    the manifest names them; else as stored (alphabetical)."""
    try:
        arms = (ResultStore(results).manifest() or {}).get("arms") or []
    except DamagedManifestError:
        return summary
    rank = {arm: i for i, arm in enumerate(arms)}
    key = summary["arm"].map(lambda a: rank.get(a, len(rank)))
    return summary.iloc[np.argsort(key.to_numpy(), kind="stable")].reset_index(drop=True)


def _make(folder: Path) -> Path:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BtoagentsError(f"{folder}: cannot create the output folder: {exc.strerror}") from None
    return folder


def _csv(path: Path, frame: pd.DataFrame) -> Path:
    frame = frame.copy()
    for col in frame.columns:  # a categorical factor's kept levels: one cell, "a|b"
        if frame[col].map(lambda v: isinstance(v, list)).any():
            frame[col] = frame[col].map(lambda v: "|".join(v) if isinstance(v, list) else v)
    return _write(path, frame.to_csv(index=False).encode())


def _json(path: Path, data: dict[str, Any]) -> Path:
    text = json.dumps(_plain(data), indent=2, allow_nan=False)
    return _write(path, (text + "\n").encode())


def _plain(value: Any) -> Any:
    """``value`` in JSON's types: numpy scalars as Python numbers, NaN as null (standard
    JSON has no NaN), containers converted item by item."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _write(path: Path, data: bytes) -> Path:
    try:
        write_atomic_bytes(path, data)
    except OSError as exc:
        raise BtoagentsError(f"{path}: cannot write: {exc.strerror or exc}") from None
    return path
