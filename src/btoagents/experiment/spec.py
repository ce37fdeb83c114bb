"""Experiment files: a base scenario, factors, a design, replications, seed, KPIs, arms.

An experiment TOML looks like::

    name = "bto-share-vs-capacity"
    scenario = "dealer-network"          # preset name, or a TOML path relative to this file
    replications = 5
    seed = 11
    kpis = ["fill_rate", "fg_inventory", "lead_time_mean", "profit"]   # optional
    overrides = ["simulation.horizon=425"]                              # optional

    [design]
    kind = "full_factorial"              # latin_hypercube, sobol, saltelli, morris, points
    samples = 32                         # sampled designs: points (saltelli: base N)

    [factors.bto_share]                  # one factor may set several keys at once
    keys = ["products.compact.tail_share", "products.suv.tail_share"]
    levels = [0.0, 0.5, 1.0]             # full factorial; sampled designs take `range`

    [arms.pure-bto]                      # optional policy arms, compared under CRN
    overrides = ["products.compact.strategy=bto"]

Every factor key is checked against the scenario schema before any run starts. The name
becomes the results folder ``results/<name>/``, so it must be a plain folder name.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any, ClassVar, Literal, Self

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from btoagents.config.limits import (
    MAX_DAYS,
    MAX_DESIGN_POINTS,
    MAX_MORRIS_LEVELS,
    MAX_REPLICATIONS,
    MAX_RUNS,
    MAX_SAMPLES,
    MAX_SEED,
)
from btoagents.config.loading import format_validation_error, look_up, parse_toml, read_text
from btoagents.config.section import Number
from btoagents.errors import ConfigError

#: an experiment name: a folder name on every system (no separators, no leading dot)
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
NAME_MAX = 100

DesignKind = Literal["full_factorial", "latin_hypercube", "sobol", "saltelli", "morris", "points"]


def folder_name(name: str) -> str:
    """``name`` unchanged if it can be the folder ``results/<name>/`` on every system (the
    name of an experiment, a search or a selection), else a ValueError saying what may."""
    if (
        not NAME_PATTERN.fullmatch(name)
        or ".." in name
        or name.endswith(".")
        or len(name) > NAME_MAX
    ):
        raise ValueError(
            "the name becomes the folder results/<name>/: use letters, digits, '-', '_' "
            f"and '.', starting with a letter or digit, at most {NAME_MAX} characters "
            "(no '/', no '..', no leading or trailing dot)"
        )
    return name


class _Section(BaseModel):
    """Unknown keys refused; strict types (no bool for a number); finite numbers."""

    model_config = ConfigDict(extra="forbid", strict=True, allow_inf_nan=False)


class FactorSpec(_Section):
    """A factor: the scenario key(s) it sets and its levels (factorial) or range (sampled)."""

    key: str | None = None
    keys: list[str] = Field(default_factory=list)
    levels: list[Any] = Field(default_factory=list)
    range: tuple[Number, Number] | None = Field(None, strict=False)  # a TOML array is a list
    integer: bool = False

    @model_validator(mode="after")
    def _one_key_form(self) -> Self:
        if (self.key is None) == (not self.keys):
            raise ValueError("give either `key` or `keys`")
        if self.range is not None and not self.range[0] < self.range[1]:
            raise ValueError(f"range {list(self.range)} is empty: needs low < high")
        return self

    def targets(self) -> list[str]:
        """The dotted scenario keys this factor sets."""
        return [self.key] if self.key is not None else list(self.keys)


class DesignSpec(_Section):
    """How design points are chosen."""

    kind: DesignKind = "full_factorial"
    samples: int = Field(
        16,
        ge=1,
        le=MAX_SAMPLES,
        description="points (lhs, sobol), base N (saltelli), trajectories (morris), at most "
        f"{MAX_SAMPLES:,}",
    )
    seed: int | None = Field(
        None, ge=0, le=MAX_SEED, description="design randomization seed (default: experiment seed)"
    )
    levels: int = Field(4, ge=2, le=MAX_MORRIS_LEVELS, description="grid levels of a Morris design")
    second_order: bool = Field(False, description="Saltelli: also second-order indices")


class ArmSpec(_Section):
    """A policy arm: overrides applied on top of every design point."""

    overrides: list[str] = Field(default_factory=list)
    add: list[str] = Field(
        default_factory=list,
        description="entities the experiment declares before its overrides, e.g. "
        "'products.flatpack' (as btoagents run --add): overrides and factors may only name "
        "declared entities",
    )


#: the section that marks a study file as run by another command than ``sweep``: (key,
#: command, what the file is called)
_MARKING_SECTIONS = (
    ("select", "select", "select file"),
    ("levers", "optimize", "search file"),
    ("objectives", "optimize", "search file"),
)


def file_command(data: dict[str, Any]) -> tuple[str, str, str]:
    """(command that runs a parsed study file, the key that says so, the file's kind):
    ``select`` for a ``[select]`` section, ``optimize`` for ``[levers]`` or ``[objectives]``,
    else ``sweep`` (a designed experiment)."""
    for key, command, kind in _MARKING_SECTIONS:
        if key in data:
            return command, key, kind
    return "sweep", "", "experiment file"


class StudySpec(_Section):
    """The keys every study file has (an experiment, a search, a selection): the base
    scenario as overrides make it, the seed that the replications' seeds derive from, and
    which KPIs each run stores. A subclass names the command that runs it (``command``) and
    the message for a file without its own section (``missing_section``)."""

    command: ClassVar[str] = "sweep"
    missing_section: ClassVar[str] = ""

    name: str
    description: str = ""
    scenario: str
    replications: int = Field(
        5, ge=1, le=MAX_REPLICATIONS, description=f"at most {MAX_REPLICATIONS:,}"
    )
    seed: int = Field(1, ge=0, le=MAX_SEED)
    kpis: list[str] = Field(default_factory=list)
    overrides: list[str] = Field(default_factory=list)
    add: list[str] = Field(
        default_factory=list,
        description="entities the file declares before its overrides, e.g. "
        "'products.flatpack' (as btoagents run --add): overrides and factors may only name "
        "declared entities",
    )
    force: bool = Field(
        False,
        description="run even when a run's pre-run estimate exceeds the event or memory "
        "limit (see btoagents.config.budget)",
    )

    @model_validator(mode="before")
    @classmethod
    def _run_by_its_command(cls, data: Any) -> Any:
        """A search or select file given to another command says which command runs it."""
        if not isinstance(data, dict):
            return data
        command, key, kind = file_command(data)
        if command == cls.command:
            return data
        if command == "sweep":
            raise ValueError(cls.missing_section)
        raise ValueError(
            f"{key}: a [{key}] section makes this a {kind}: run it with `btoagents {command} FILE`"
        )

    @field_validator("name")
    @classmethod
    def _name_is_a_folder_name(cls, name: str) -> str:
        return folder_name(name)


class ExperimentSpec(StudySpec):
    """A designed experiment."""

    timeseries: bool = Field(False, description="also store sampled time series per run")
    sample_every: float = Field(
        7.0, gt=0, le=MAX_DAYS, description="days between time-series samples"
    )
    design: DesignSpec = Field(default_factory=DesignSpec)
    factors: dict[str, FactorSpec] = Field(default_factory=dict)
    points: list[dict[str, Any]] = Field(default_factory=list)
    arms: dict[str, ArmSpec] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _design_fits_factors(self) -> Self:
        """The design's method checks that the factors suit it (levels, ranges, points;
        :mod:`btoagents.experiment.designs`)."""
        from btoagents.experiment.designs import method

        method(self.design.kind).check(self)
        return self

    @model_validator(mode="after")
    def _design_not_too_large(self) -> Self:
        points = self.point_count()
        if points > MAX_DESIGN_POINTS:
            raise ValueError(
                f"design: {points:,} design points; expected at most {MAX_DESIGN_POINTS:,}"
            )
        runs = points * len(self.arm_items()) * self.replications
        if runs > MAX_RUNS:
            raise ValueError(
                f"design: {runs:,} runs (points x arms x replications); expected at most "
                f"{MAX_RUNS:,}"
            )
        return self

    def point_count(self) -> int:
        """Design points the design will make, computed without making them (its method's
        ``size``, :mod:`btoagents.experiment.designs`)."""
        from btoagents.experiment.designs import point_count

        return point_count(self)

    def arm_items(self) -> list[tuple[str, list[str]]]:
        """(arm name, overrides); one arm named ``base`` when none is given."""
        if not self.arms:
            return [("base", [])]
        return [(name, arm.overrides) for name, arm in self.arms.items()]


def experiment_hash(text: str) -> str:
    """Content hash of an experiment file (sha256, 16 hex digits)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def load_experiment[S: ExperimentSpec](
    path: str | Path, schema: type[S] = ExperimentSpec
) -> tuple[S, str, Path]:
    """Read an experiment file; returns (spec, its text, its folder). One-line errors.

    ``schema`` is the file's model: :class:`ExperimentSpec` or a subclass (a select file,
    :mod:`btoagents.experiment.select_spec`)."""
    return load_study(path, schema, "experiment file")


def load_study[S: StudySpec](path: str | Path, schema: type[S], kind: str) -> tuple[S, str, Path]:
    """Read a study file of model ``schema`` (an experiment, search or select file, called
    ``kind`` in the message for a missing file); returns (spec, its text, its folder).
    One-line errors."""
    path = Path(path)
    if not look_up(path) or not path.is_file():
        raise ConfigError(f"{path}: no such {kind}")
    text = read_text(path)
    data = parse_toml(text, str(path))
    try:
        spec = schema.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, str(path), schema)) from None
    return spec, text, path.parent
