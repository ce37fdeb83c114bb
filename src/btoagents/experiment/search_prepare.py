"""Checking a search file before its first run, and recording it in the manifest.

:func:`prepare_search` loads every lever's ends (or choices) as scenarios, checks each
run's budget and the KPIs the search stores, and describes the plugins the runs use;
:func:`manifest` is what the results folder's ``manifest.json`` records of the search
(:mod:`btoagents.experiment.store`), with an explicit design, ``kind = "points"``, whose
points are the candidates' lever values (:func:`design`), so the folder reads as a
sweep's.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from btoagents.config import Scenario, load_scenario
from btoagents.config.budget import check_budget
from btoagents.errors import ConfigError
from btoagents.experiment.search_optuna import lever_overrides
from btoagents.experiment.search_spec import SearchSpec, load_search, search_hash
from btoagents.experiment.sweep import base_scenario, check_kpi_names, plugins_used
from btoagents.random import replication_seed

FORCE_HINT = "set force = true in the search file to run it anyway"


@dataclass
class PreparedSearch:
    """A checked search file: its spec, identity, base scenario and plugins."""

    spec: SearchSpec
    text: str
    hash: str
    base: Scenario
    plugins: list[dict[str, Any]] = field(default_factory=list)


def prepare_search(path: str | Path, budget: int | None = None) -> PreparedSearch:
    """Read and check a search file: every lever's ends (or choices) must give a valid
    scenario within the per-run budget, and every stored KPI must be one a run reports.
    ``budget`` replaces the file's ``search.candidates``. One-line ConfigErrors."""
    spec, text, folder = load_search(path)
    label = str(path)
    if budget is not None:
        if not 1 <= budget <= 100_000:
            raise ConfigError(f"--budget = {budget}: must be at least 1 and at most 100,000")
        spec = spec.model_copy(
            update={"search": spec.search.model_copy(update={"candidates": budget})}
        )
    base = base_scenario(spec, folder)  # type: ignore[arg-type]  # same three fields
    checked: list[Scenario] = []
    for name, lever in spec.levers.items():
        for value in lever.extremes():
            try:
                scn = load_scenario(base, lever_overrides(spec, {name: value}))
            except ConfigError as exc:
                hint = ""
                if lever.range is not None and not lever.integer and "an integer" in str(exc):
                    hint = f"; set integer = true in [levers.{name}]"
                raise ConfigError(f"{label}: levers.{name} = {value!r}: {exc}{hint}") from None
            check_budget(
                scn,
                force=spec.force,
                label=f"{label}: levers.{name} = {value!r}: one run",
                hint=FORCE_HINT,
            )
            checked.append(scn)
    check_kpi_names(spec.stored_kpis(), checked, label)
    # a range's ends name the plugins of the base; a choice may name others (describing
    # a plugin reads the installed distributions' metadata: once per distinct scenario)
    distinct = {json.dumps(describe_key(s)): s for s in checked}
    return PreparedSearch(spec, text, search_hash(spec), base, plugins_used(distinct.values()))


def describe_key(scn: Scenario) -> list[Any]:
    """The plugin choices of a scenario (each plugin kind's field), to describe each
    distinct set once."""
    from btoagents.plugins.kinds import KINDS

    return [
        repr(getattr(getattr(scn, kind.section, None), kind.field, None)) for kind in KINDS.values()
    ]


def manifest(prep: PreparedSearch, path: str | Path) -> dict[str, Any]:
    spec = prep.spec
    return {
        "name": spec.name,
        "kind": "search",
        "experiment_file": str(path),
        "experiment_text": prep.text,
        "experiment_hash": prep.hash,
        "scenario": prep.base.model_dump(mode="json"),
        "design": {"kind": "points", "settings": {}, "problem": None, "points": []},
        "plugins": prep.plugins,
        "factors": {n: lever.model_dump(mode="json") for n, lever in spec.levers.items()},
        "arms": ["base"],
        "seeds": {
            "experiment": spec.seed,
            "replications": [replication_seed(spec.seed, r) for r in range(spec.replications)],
        },
        "runs_total": spec.search.candidates * spec.replications,
        "search": {
            "sampler": spec.sampler_name(),
            "objectives": dict(spec.objectives),
            "constraints": list(spec.constraints),
            "candidates": spec.search.candidates,
            "runs": spec.search.runs,
        },
    }


def design(rows: pd.DataFrame, spec: SearchSpec) -> dict[str, Any]:
    """The manifest's design record of a search: its candidates' lever values in the order
    of their ids (the ``point`` column; ids need not be consecutive), as an explicit
    design, so ``btoagents analyze`` reads the folder as a sweep's."""
    points: list[dict[str, Any]] = []
    if len(rows):
        cols = [f"factor.{n}" for n in spec.levers if f"factor.{n}" in rows.columns]
        first = rows.drop_duplicates("point").sort_values("point")[cols]
        first.columns = [c.removeprefix("factor.") for c in cols]
        points = json.loads(first.to_json(orient="records"))
    return {"kind": "points", "settings": {}, "problem": None, "points": points}
