"""Quick builds: experiment files shrunk to a small scale for a draft of the paper.

``btoagents figures --quick`` sweeps each experiment of the paper at a small scale in its own
results root (``RESULTS/quick/``), so quick and full results never mix: each experiment
file is shrunk in memory (fewer replications, a short horizon, at most three levels per
factor, small sampled designs) and written to ``RESULTS/quick/specs/`` before it is swept.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import tomli_w

#: The repository root (experiment files are named relative to it).
ROOT = Path(__file__).resolve().parents[3]

QUICK_REPLICATIONS = 2
QUICK_WARMUP = 30.0
QUICK_WINDOW = 120.0
QUICK_LEVELS = 3
QUICK_SAMPLES = 8


def resolve(file: str | Path) -> Path:
    """An experiment file named relative to the repository root (or the working folder)."""
    path = Path(file)
    if path.is_absolute() or path.exists():
        return path
    candidate = ROOT / path
    return candidate if candidate.exists() else path


def thin(levels: list[Any], keep: int) -> list[Any]:
    """At most ``keep`` levels: the first, the last and evenly spaced ones between."""
    if len(levels) <= keep:
        return list(levels)
    idx = sorted({round(i * (len(levels) - 1) / (keep - 1)) for i in range(keep)})
    return [levels[i] for i in idx]


def set_dotted(data: dict[str, Any], key: str, value: Any) -> None:
    node = data
    parts = key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value


def shrink(path: Path, edits: dict[str, Any] | None = None) -> dict[str, Any]:
    """The experiment at ``path`` at quick scale, as a TOML document (a dict).

    At most ``QUICK_REPLICATIONS`` replications; a ``QUICK_WARMUP``-day warm-up (or the
    experiment's, if shorter) and a ``QUICK_WINDOW``-day window; full factorial factors
    thinned to ``QUICK_LEVELS`` levels (first, middle, last); sampled designs to
    ``QUICK_SAMPLES`` samples; then ``edits`` (dotted keys) on top. A scenario file named
    relative to the experiment becomes absolute, since the derived file lives elsewhere.
    """
    from btoagents.experiment.spec import load_experiment
    from btoagents.experiment.sweep import base_scenario

    spec, text, folder = load_experiment(path)
    data = tomllib.loads(text)
    base = base_scenario(spec, folder)
    data["replications"] = min(spec.replications, QUICK_REPLICATIONS)
    warmup = min(base.simulation.warmup, QUICK_WARMUP)
    data["overrides"] = [
        *spec.overrides,
        f"simulation.warmup={warmup}",
        f"simulation.horizon={warmup + QUICK_WINDOW}",
    ]
    kind = spec.design.kind
    if kind == "full_factorial":
        for name, factor in data.get("factors", {}).items():
            if "levels" in factor:
                factor["levels"] = thin(factor["levels"], QUICK_LEVELS)
                data["factors"][name] = factor
    elif kind != "points":
        design = data.setdefault("design", {})
        design["samples"] = min(spec.design.samples, QUICK_SAMPLES)
    scenario = data["scenario"]
    if scenario.endswith(".toml") and not Path(scenario).is_absolute():
        candidate = folder / scenario
        if candidate.exists():
            data["scenario"] = str(candidate.resolve())
    for key, value in (edits or {}).items():
        set_dotted(data, key, value)
    return data


def quick_spec(path: Path, folder: Path, edits: dict[str, Any] | None = None) -> Path:
    """Write the quick version of experiment ``path`` into ``folder``; returns its path."""
    from btoagents.experiment.store import write_atomic_bytes

    data = shrink(path, edits)
    folder.mkdir(parents=True, exist_ok=True)
    out = folder / path.name
    text = f"# Quick version of {path.name}, written by `btoagents figures --quick`.\n"
    text += tomli_w.dumps(data)
    if not out.exists() or out.read_text() != text:
        write_atomic_bytes(out, text.encode())
    return out
