"""Select files: an experiment file whose arms are the alternatives, and a ``[select]``
section that says which KPI makes an arm best and how sure the choice must be.

A select file looks like::

    name = "select-base-stock"
    scenario = "mm1-bts"
    seed = 7
    overrides = ["simulation.horizon=400"]
    kpis = ["fill_rate", "backorders"]       # optional: KPIs stored besides the selection KPI

    [select]
    kpi = "fill_rate"
    direction = "maximize"                   # or "minimize"
    alpha = 0.05                             # P(correct selection) >= 1 - alpha ...
    delta = 0.02                             # ... when the best beats the rest by delta
    n0 = 10                                  # first-stage replications of every arm
    max_replications = 200                   # truncation (see btoagents.experiment.ranking)

    [arms.S2]
    overrides = ["products.standard.base_stock=2"]
    [arms.S4]
    overrides = ["products.standard.base_stock=4"]

The keys are those of an experiment file (:mod:`btoagents.experiment.spec`) without a
design: no ``factors``, ``points``, ``design`` or ``replications`` (the procedure decides
how many replications each arm gets, at most ``max_replications``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Self

from pydantic import Field, model_validator

from btoagents.config.limits import MAX_REPLICATIONS, MAX_RUNS
from btoagents.experiment.spec import DesignSpec, ExperimentSpec, _Section, file_command

#: experiment-file keys a select file refuses: the arms are the design
NOT_IN_SELECT = ("design", "factors", "points", "replications")


class SelectSpec(_Section):
    """The ``[select]`` section: Kim and Nelson's procedure KN on one KPI."""

    kpi: str = Field(description="the KPI whose mean makes an arm best")
    direction: Literal["maximize", "minimize"] = "maximize"
    alpha: float = Field(
        0.05,
        gt=0,
        lt=0.5,
        description="1 - the probability of selecting the best arm, in (0, 0.5)",
    )
    delta: float = Field(
        gt=0,
        description="indifference zone: the smallest difference of the KPI's mean worth "
        "detecting, in the KPI's units",
    )
    n0: int = Field(10, ge=2, le=MAX_REPLICATIONS, description="first-stage replications")
    max_replications: int = Field(
        200,
        ge=2,
        le=MAX_REPLICATIONS,
        description=f"most replications of any arm, at least n0, at most {MAX_REPLICATIONS:,}",
    )

    @model_validator(mode="after")
    def _max_at_least_n0(self) -> Self:
        if self.max_replications < self.n0:
            raise ValueError(f"max_replications = {self.max_replications} is below n0 = {self.n0}")
        return self


def _one_point() -> list[dict[str, Any]]:
    """The design of a select file: one point, the scenario as the file's overrides make it."""
    return [{}]


class SelectFile(ExperimentSpec):
    """A select file: the experiment keys that make sense for arms, and ``[select]``."""

    design: DesignSpec = Field(
        default_factory=lambda: DesignSpec.model_validate({"kind": "points"})
    )
    points: list[dict[str, Any]] = Field(default_factory=_one_point)
    select: SelectSpec

    command: ClassVar[str] = "select"
    missing_section: ClassVar[str] = (
        "select: no [select] section (kpi, direction, alpha, delta, n0, max_replications); "
        "a designed experiment runs with `btoagents sweep FILE`"
    )

    @model_validator(mode="before")
    @classmethod
    def _arms_are_the_design(cls, data: Any) -> Any:
        if isinstance(data, dict) and file_command(data)[0] == "select":
            for key in NOT_IN_SELECT:
                if key in data:
                    raise ValueError(
                        f"{key}: a select file has no {key!r}: the arms are the alternatives "
                        "and [select] n0 and max_replications bound the replications"
                    )
        return data

    @model_validator(mode="after")
    def _two_arms(self) -> Self:
        if len(self.arms) < 2:
            raise ValueError("arms: a select file needs at least two [arms.NAME] tables")
        runs = len(self.arms) * self.select.max_replications
        if runs > MAX_RUNS:
            raise ValueError(
                f"select.max_replications: {runs:,} runs at most (arms x max_replications); "
                f"expected at most {MAX_RUNS:,}"
            )
        if not 0 < self.select.alpha < 1 - 1 / len(self.arms):
            raise ValueError(f"select.alpha = {self.select.alpha}: must be below 1 - 1/arms")
        return self

    @property
    def maximize(self) -> bool:
        """Whether the best arm has the largest mean."""
        return self.select.direction == "maximize"

    def as_experiment(self) -> ExperimentSpec:
        """The experiment its runs belong to: one design point, the arms, and as many
        replications as any arm may get (what the budget and the run keys are checked
        against)."""
        return self.model_copy(update={"replications": self.select.max_replications})
