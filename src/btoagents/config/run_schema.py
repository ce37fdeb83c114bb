"""Scenario sections of the run itself: ``[simulation]`` (clock and replications),
``[costs]`` (the rates that turn flows into money) and ``[kpis]`` (KPI settings and plugins).

Part of the scenario schema (:mod:`btoagents.config.schema` re-exports them and holds them
in :class:`~btoagents.config.schema.Scenario`); units as there: time in days, rates per
day, money in currency units.
"""

from __future__ import annotations

from typing import Any, Self

from pydantic import Field, ValidationInfo, field_validator, model_validator

from btoagents.config.limits import (
    MAX_DAYS,
    MAX_FACTOR,
    MAX_HORIZON_DAYS,
    MAX_MONEY,
    MAX_REPLICATIONS,
    MAX_SEED,
    MIN_PERIOD_DAYS,
)
from btoagents.config.section import Section


class SimulationConfig(Section):
    """Clock and replication settings."""

    horizon: float = Field(
        365.0,
        gt=0,
        le=MAX_HORIZON_DAYS,
        description=f"simulated days per replication, at most {MAX_HORIZON_DAYS:,.0f}",
    )
    warmup: float = Field(30.0, ge=0, description="days cut from the start before KPIs count")
    replications: int = Field(
        10,
        ge=1,
        le=MAX_REPLICATIONS,
        description=f"independent replications, at most {MAX_REPLICATIONS:,}",
    )
    seed: int = Field(
        12345, ge=0, le=MAX_SEED, description="root seed of every random stream, below 2^64"
    )
    trace: bool = Field(False, description="record every final-customer order arrival")
    sample_every: float = Field(
        0.0,
        ge=0,
        le=MAX_DAYS,
        description=f"days between time-series samples (0: no time series), else at least "
        f"{MIN_PERIOD_DAYS}",
    )
    drain: bool = Field(
        True,
        description="after the horizon, run on until the window's orders are delivered, "
        "so their lead times are not censored",
    )
    drain_limit: float | None = Field(
        None,
        gt=0,
        le=MAX_HORIZON_DAYS,
        description="at most this many days of drain (default: the window length)",
    )

    @model_validator(mode="after")
    def _warmup_inside_horizon(self) -> Self:
        if 0 < self.sample_every < MIN_PERIOD_DAYS:
            raise ValueError(
                f"sample_every ({self.sample_every}) must be 0 (no time series) or at least "
                f"{MIN_PERIOD_DAYS} days"
            )
        if self.warmup >= self.horizon:
            raise ValueError(
                f"warmup ({self.warmup}) must be shorter than horizon ({self.horizon})"
            )
        return self


class CostsConfig(Section):
    """Cost rates that turn flows into money."""

    holding_rate: float = Field(
        0.07, ge=0, le=MAX_FACTOR, description="per year, share of unit cost"
    )
    backorder_cost: float = Field(
        0.0, ge=0, le=MAX_MONEY, description="per open final-customer order-day"
    )
    lost_sale_cost: float = Field(0.0, ge=0, le=MAX_MONEY, description="goodwill per lost sale")


class KpisConfig(Section):
    """KPI settings, and the KPI plugins that add their own KPIs to every run's record.

    ``plugins`` lists KPI plugins (registered names or import paths
    ``"package.module:Name"``); the parameters of each go in the table
    ``params.<short name>``, the short name being the class name of an import path
    (``StockTurns`` for ``"examples.custom_kpi:StockTurns"``) or the registered name (see
    :mod:`btoagents.kpis.plugin`).
    """

    lead_time_target: float = Field(14.0, gt=0, le=MAX_DAYS, description="days counted as on time")
    bullwhip_bucket: float | None = Field(
        None,
        ge=MIN_PERIOD_DAYS,
        le=MAX_DAYS,
        description=(
            "days per bucket in which the bullwhip KPIs count demand and orders (default: "
            "forecast.review_period, what the theory of Chen et al. 2000 compares; 7 in the "
            "realistic presets, a weekly bucket: Fransoo and Wouters, 'Measuring the "
            "bullwhip effect in the supply chain', Supply Chain Management 5(2), 2000)"
        ),
    )
    utilization_period: float = Field(
        7.0,
        ge=MIN_PERIOD_DAYS,
        le=MAX_DAYS,
        description="days per period of the utilization_sd KPI",
    )
    plugins: list[str] = Field(
        default_factory=list,
        description="KPI plugins: registered names or import paths 'package.module:Name'",
    )
    params: dict[str, Any] = Field(
        default_factory=dict,
        description="per KPI plugin (by short name), the table of its parameters",
    )

    @field_validator("plugins", mode="before")
    @classmethod
    def _one_plugin(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v  # one plugin may be named without a list

    @field_validator("plugins")
    @classmethod
    def _known_plugins(cls, v: list[str]) -> list[str]:
        from btoagents.kpis.plugin import check_plugins

        check_plugins(v)
        return v

    @field_validator("params")
    @classmethod
    def _plugin_params(cls, v: dict[str, Any], info: ValidationInfo) -> dict[str, Any]:
        from btoagents.kpis.plugin import check_params

        specs = info.data.get("plugins")
        if specs is not None:
            check_params(specs, v)
        return v
