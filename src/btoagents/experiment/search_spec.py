"""Search files: levers, objectives, constraints and a budget for ``btoagents optimize``.

A search file is an experiment file whose design is left to an optimiser: the base
scenario, overrides, seed, replications and stored KPIs read as in a sweep's file
(:mod:`btoagents.experiment.spec`), and instead of ``[factors]`` and ``[design]`` it names
``[levers]``, ``[objectives]``, ``constraints`` and a ``[search]`` table::

    name = "mm1-base-stock"
    scenario = "mm1-bts"                 # preset name, or a TOML path relative to this file
    replications = 4                     # per candidate, the same seeds for every candidate
    seed = 7
    overrides = ["costs.backorder_cost=2.5"]
    kpis = ["fill_rate"]                 # stored besides the objectives and constraints
    constraints = ["fill_rate >= 0.5"]   # on a candidate's mean over its replications

    [levers.S]                           # a dotted scenario key (or `keys`, set together)
    key = "products.standard.base_stock"
    range = [0, 20]                      # low, high; `integer`, `step`, `log` optional
    integer = true

    [levers.policy]
    key = "fulfillment.policy"
    choices = ["fcfs", "cost"]           # a choice among values (a policy, a strategy)

    [objectives]                         # one or more KPIs, in order
    profit = "maximize"                  # or "minimize"

    [search]
    candidates = 30                      # budget: candidates asked of the optimiser
    runs = 200                           # optional budget of runs (candidates x reps)
    sampler = "auto"                     # tpe, gp, nsga2, random; auto: tpe / nsga2
    start = [{S = 3, policy = "fcfs"}]   # optional: candidates asked first (in the budget)

The sampler is Optuna's (Akiba et al., "Optuna: a next-generation hyperparameter
optimization framework", KDD 2019): TPE (Bergstra et al., "Algorithms for hyper-parameter
optimization", NeurIPS 2011) or a Gaussian process for one objective, NSGA-II (Deb et al.,
"A fast and elitist multiobjective genetic algorithm: NSGA-II", IEEE Transactions on
Evolutionary Computation 6(2), 2002) for several, or TPE's multi-objective form (Ozaki et
al., "Multiobjective tree-structured Parzen estimator for computationally expensive
optimization problems", GECCO 2020), which needs fewer candidates; constraints go to the sampler as
constraint values (feasible when <= 0). Start candidates (Optuna's ``enqueue_trial``)
make sure the configuration in use and the corners of the lever space are evaluated,
which a sampler's random start may miss. Neither the budget nor the start candidates are
part of the search's identity (:func:`search_hash`): running the same file with a larger
``--budget`` or more start candidates continues the search.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, field_validator, model_validator

from btoagents.config.limits import MAX_RUNS
from btoagents.config.section import Number
from btoagents.experiment.spec import StudySpec, _Section, load_study

Direction = Literal["maximize", "minimize"]
Sampler = Literal["auto", "tpe", "gp", "nsga2", "random"]
#: ``KPI <= NUMBER`` or ``KPI >= NUMBER``
CONSTRAINT = re.compile(r"\s*([A-Za-z_][\w.\[\]|-]*)\s*(<=|>=)\s*([-+0-9.eE]+|[-+]?inf)\s*")
#: candidates one search may ask for
MAX_CANDIDATES = 100_000


@dataclass(frozen=True)
class Constraint:
    """``kpi <= bound`` or ``kpi >= bound`` on a candidate's mean over its replications."""

    kpi: str
    op: str
    bound: float

    def violation(self, value: float) -> float:
        """How far ``value`` is on the wrong side (<= 0: satisfied; NaN counts as +inf)."""
        if math.isnan(value):
            return math.inf
        return value - self.bound if self.op == "<=" else self.bound - value

    def __str__(self) -> str:
        return f"{self.kpi} {self.op} {self.bound:g}"


def parse_constraint(text: str) -> Constraint:
    """A constraint from its text; ValueError naming the expected form."""
    match = CONSTRAINT.fullmatch(text)
    bound = None
    if match:
        try:
            bound = float(match.group(3))
        except ValueError:
            bound = None
    if match is None or bound is None or math.isnan(bound):
        raise ValueError(f"{text!r}: expected 'KPI <= NUMBER' or 'KPI >= NUMBER'")
    return Constraint(match.group(1), match.group(2), bound)


class LeverSpec(_Section):
    """A lever: the scenario key(s) it sets and the values it may take."""

    key: str | None = None
    keys: list[str] = Field(default_factory=list)
    range: tuple[Number, Number] | None = Field(None, strict=False)  # a TOML array is a list
    integer: bool = False
    step: Number | None = Field(None, gt=0, description="grid step of a range (> 0)")
    log: bool = Field(False, description="sample the range on a log scale (low > 0)")
    choices: list[str | int | float | bool] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_form(self) -> Self:
        if (self.key is None) == (not self.keys):
            raise ValueError("give either `key` or `keys`")
        if (self.range is None) == (not self.choices):
            raise ValueError("give either `range` or `choices`")
        if self.range is not None:
            low, high = self.range
            if not low < high:
                raise ValueError(f"range {list(self.range)} is empty: needs low < high")
            if self.log and low <= 0:
                raise ValueError(f"range {list(self.range)}: log = true needs low > 0")
            if self.log and self.step is not None:
                raise ValueError("give `step` or `log = true`, not both")
            if self.integer and not (float(low).is_integer() and float(high).is_integer()):
                raise ValueError(f"range {list(self.range)}: integer = true needs whole ends")
        elif self.integer or self.step is not None or self.log:
            raise ValueError("`integer`, `step` and `log` apply to a `range`, not `choices`")
        if len(set(map(repr, self.choices))) != len(self.choices):
            raise ValueError(f"choices {self.choices}: each value once")
        return self

    def targets(self) -> list[str]:
        """The dotted scenario keys this lever sets."""
        return [self.key] if self.key is not None else list(self.keys)

    def refuses(self, value: Any) -> str | None:
        """Why the lever cannot take ``value`` (outside its range, off its grid, not a
        whole number, not a choice), or None when it can."""
        if self.range is None:
            if any(type(value) is type(c) and value == c for c in self.choices):
                return None
            return f"{value!r} is not one of the choices {self.choices}"
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{value!r} is not a number"
        low, high = self.range
        if not low <= value <= high:
            return f"{value!r} is outside the range {list(self.range)}"
        if self.integer and not float(value).is_integer():
            return f"{value!r} is not a whole number"
        if self.step is not None:
            steps = (value - low) / self.step
            if abs(steps - round(steps)) > 1e-9:
                return f"{value!r} is not on the grid {low} + k * {self.step}"
        return None

    def as_value(self, value: Any) -> Any:
        """``value`` (one the lever can take) typed as the optimiser suggests it: an int
        for an integer range, a float for another range, a choice unchanged."""
        if self.range is None:
            return value
        return int(value) if self.integer else float(value)

    def extremes(self) -> list[Any]:
        """The values that bound what the lever can set: both ends, or every choice."""
        if self.range is None:
            return list(self.choices)
        low, high = self.range
        return [int(low), int(high)] if self.integer else [float(low), float(high)]


class SearchSettings(_Section):
    """The optimiser and its budget."""

    sampler: Sampler = "auto"
    candidates: int = Field(
        30, ge=1, le=MAX_CANDIDATES, description="candidates asked (the budget)"
    )
    runs: int | None = Field(
        None, ge=1, le=MAX_RUNS, description="budget of runs (default: no limit but candidates)"
    )
    batch: int | None = Field(
        None, ge=1, le=10_000, description="candidates evaluated at once (default: workers)"
    )
    population: int | None = Field(
        None, ge=2, le=10_000, description="NSGA-II population (default: 10)"
    )
    startup: int | None = Field(
        None,
        ge=1,
        le=MAX_CANDIDATES,
        description="TPE/GP random candidates before modelling (default: 10)",
    )
    start: list[dict[str, str | int | float | bool]] = Field(
        default_factory=list,
        description="candidates asked first, each a value of every lever, e.g. the "
        "configuration in use and the corners of the lever space (they count in the budget)",
    )


class SearchSpec(StudySpec):
    """A policy search (see the module docstring); ``replications`` are per candidate."""

    command: ClassVar[str] = "optimize"
    missing_section: ClassVar[str] = (
        "levers: no [levers] or [objectives] section; a designed experiment runs with "
        "`btoagents sweep FILE`, a select file with `btoagents select FILE`"
    )

    levers: dict[str, LeverSpec]
    objectives: dict[str, Direction]
    constraints: list[str] = Field(default_factory=list)
    search: SearchSettings = Field(default_factory=SearchSettings)

    @field_validator("levers")
    @classmethod
    def _some_levers(cls, levers: dict[str, LeverSpec]) -> dict[str, LeverSpec]:
        if not levers:
            raise ValueError("give at least one lever, e.g. [levers.S] key = ..., range = [...]")
        return levers

    @field_validator("objectives")
    @classmethod
    def _some_objectives(cls, objectives: dict[str, Direction]) -> dict[str, Direction]:
        if not objectives:
            raise ValueError('give at least one objective, e.g. profit = "maximize"')
        return objectives

    @field_validator("constraints")
    @classmethod
    def _constraints_parse(cls, constraints: list[str]) -> list[str]:
        for text in constraints:
            parse_constraint(text)
        return constraints

    @model_validator(mode="after")
    def _starts_are_candidates(self) -> Self:
        """Every start candidate gives each lever a value it can take, and no lever more."""
        from btoagents.config.messages import unknown

        starts = self.search.start
        if len(starts) > self.search.candidates:
            raise ValueError(
                f"search.start: {len(starts)} start candidates exceed the budget of "
                f"search.candidates = {self.search.candidates}"
            )
        for i, start in enumerate(starts):
            where = f"search.start[{i}]"
            for name in start:
                if name not in self.levers:
                    raise ValueError(f"{where}: {unknown('lever', name, self.levers)}")
            missing = [n for n in self.levers if n not in start]
            if missing:
                raise ValueError(f"{where}: no value for the lever(s) {', '.join(missing)}")
            for name, value in start.items():
                reason = self.levers[name].refuses(value)
                if reason is not None:
                    raise ValueError(f"{where}.{name}: {reason}")
            # as the optimiser would suggest them: 20 for a float lever is 20.0, so a start
            # candidate and the same one asked by the sampler run the same runs
            starts[i] = {name: self.levers[name].as_value(start[name]) for name in self.levers}
        return self

    @model_validator(mode="after")
    def _sampler_fits(self) -> Self:
        sampler = self.search.sampler
        if len(self.objectives) > 1 and sampler == "gp":
            raise ValueError(
                f"search.sampler = 'gp' optimises one objective here; "
                f"{len(self.objectives)} objectives need 'nsga2', 'tpe' or 'auto'"
            )
        if sampler == "gp":
            import importlib.util

            if importlib.util.find_spec("torch") is None:
                raise ValueError("search.sampler = 'gp' needs PyTorch (pip install torch)")
        return self

    def parsed_constraints(self) -> list[Constraint]:
        """The constraints, parsed."""
        return [parse_constraint(c) for c in self.constraints]

    def sampler_name(self) -> str:
        """The sampler to use: ``auto`` is TPE for one objective, NSGA-II for several."""
        if self.search.sampler != "auto":
            return self.search.sampler
        return "tpe" if len(self.objectives) == 1 else "nsga2"

    def stored_kpis(self) -> list[str]:
        """KPIs each run stores: objectives, constraints' KPIs, then ``kpis`` (each once)."""
        names = [*self.objectives, *(c.kpi for c in self.parsed_constraints()), *self.kpis]
        return list(dict.fromkeys(names))


def search_hash(spec: SearchSpec) -> str:
    """The search's identity (sha256, 16 hex digits) over everything but its budget, its
    start candidates and description: the same file with a larger budget, or more start
    candidates, continues the same search."""
    data = spec.model_dump(mode="json", exclude={"description": True})
    data["search"] = {
        k: v for k, v in data["search"].items() if k not in ("candidates", "runs", "batch", "start")
    }
    text = json.dumps(data, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_search(path: str | Path) -> tuple[SearchSpec, str, Path]:
    """Read a search file; returns (spec, its text, its folder). One-line errors."""
    return load_study(path, SearchSpec, "search file")
