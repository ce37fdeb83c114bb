"""Experiment designs in SALib's shape: one module per method, each with ``sample`` and
``analyze``, and one SALib problem (:func:`salib_problem`).

========================  ==============  ==========================================
design ``kind``           module          analysis
========================  ==============  ==========================================
``full_factorial``        ``factorial``   none (summary and paired tables)
``latin_hypercube``       ``lhs``         none
``sobol``                 ``sobol``       none (a space-filling Sobol sequence)
``saltelli``              ``saltelli``    Sobol indices S1, ST (table ``sobol``)
``morris``                ``morris``      elementary effects mu*, sigma (``morris``)
``points``                ``explicit``    none
========================  ==============  ==========================================

Each module has ``KIND``; ``TABLE`` and ``FIELDS`` (its analysis table and per-factor
columns, None and () without one); ``RANGED`` (its factors take ranges, so it has a SALib
problem); ``check(spec)`` (the factors suit the method, else a ValueError for the
experiment schema); ``size(spec)`` (points, computed without making them);
``settings(spec)`` (what the manifest records); ``sample(spec)`` (the points, in a fixed
order: the same experiment file always gives the same points); and
``analyze(record, y, seed)`` (the method's statistics of one output per point, in design
order).

The sweep records :func:`design_record` in the manifest; the analysis reads it back with
:meth:`DesignRecord.from_manifest` and never parses the experiment file.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

from btoagents.errors import ConfigError
from btoagents.experiment.designs import explicit, factorial, lhs, morris, saltelli, sobol
from btoagents.experiment.designs.overrides import point_overrides
from btoagents.experiment.designs.record import DesignRecord
from btoagents.experiment.designs.space import salib_problem

if TYPE_CHECKING:
    from btoagents.experiment.spec import ExperimentSpec

#: design kind -> its method module
METHODS: dict[str, ModuleType] = {
    m.KIND: m for m in (factorial, lhs, sobol, saltelli, morris, explicit)
}

__all__ = [
    "METHODS",
    "DesignRecord",
    "design_points",
    "design_record",
    "method",
    "point_count",
    "point_overrides",
    "salib_problem",
]


def method(kind: str) -> ModuleType:
    """The method module of a design kind; a one-line ConfigError for an unknown kind."""
    try:
        return METHODS[kind]
    except KeyError:
        raise ConfigError(f"design kind {kind!r}: expected one of {', '.join(METHODS)}") from None


def design_points(spec: ExperimentSpec) -> list[dict[str, Any]]:
    """The experiment's design points, in order (its method's ``sample``)."""
    return method(spec.design.kind).sample(spec)


def point_count(spec: ExperimentSpec) -> int:
    """Design points the design will make, computed without making them."""
    return method(spec.design.kind).size(spec)


def design_record(spec: ExperimentSpec, points: list[dict[str, Any]]) -> DesignRecord:
    """The manifest's record of the design that made ``points`` (see
    :mod:`btoagents.experiment.designs.record`)."""
    m = method(spec.design.kind)
    problem = salib_problem(spec) if m.RANGED else None
    return DesignRecord(m.KIND, m.settings(spec), problem, points)
