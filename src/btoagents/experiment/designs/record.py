"""The design record of a results folder's manifest: what the analysis needs of the design.

The sweep writes it as the manifest's ``design``::

    {"kind": "saltelli",
     "settings": {"samples": 256, "seed": 2505, "second_order": false},
     "problem": {"num_vars": 7, "names": [...], "bounds": [[0.0, 1.0], ...]},
     "points": [{"bto_share": 0.5, ...}, ...]}

``settings`` are the method's settings as the design used them (the seed resolved),
``problem`` the SALib problem of ranged designs (None for ``full_factorial`` and
``points``), and ``points`` the design points in design order: stored run ``point = i`` ran
at ``points[i]``, and SALib's analyzers read outputs in that order. The analysis reads this
record and never the experiment file.

Manifests written before the record had ``settings`` and ``problem`` hold only ``kind``
and ``points``; :meth:`DesignRecord.from_manifest` rebuilds the rest of such a record from
the manifest's factors and its ``[design]`` table, so older results folders stay readable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from btoagents.errors import ConfigError


@dataclass(frozen=True)
class DesignRecord:
    """A design as the manifest records it (see the module docstring)."""

    kind: str
    settings: dict[str, Any]
    problem: dict[str, Any] | None
    points: list[dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        """The record as the manifest stores it (JSON types only)."""
        return asdict(self)

    @property
    def names(self) -> list[str]:
        """The factor names, in the order of the problem's columns (else of the points)."""
        if self.problem is not None:
            return list(self.problem["names"])
        return list(self.points[0]) if self.points else []

    def require_problem(self) -> dict[str, Any]:
        """The SALib problem; a ConfigError for designs without one."""
        if self.problem is None:
            raise ConfigError(f"a {self.kind!r} design has no SALib problem (no factor ranges)")
        return self.problem

    @classmethod
    def from_manifest(cls, manifest: dict[str, Any]) -> DesignRecord:
        """The manifest's design record; an older manifest's is completed from its factors
        and its experiment text (see the module docstring). A one-line ConfigError when
        neither is there."""
        design = manifest.get("design")
        if not isinstance(design, dict) or "kind" not in design or "points" not in design:
            raise ConfigError("the manifest has no design record (kind and points)")
        if "settings" in design and "problem" in design:
            return cls(design["kind"], design["settings"], design["problem"], design["points"])
        return _legacy(manifest, design)


def _legacy(manifest: dict[str, Any], design: dict[str, Any]) -> DesignRecord:
    """The record of a manifest written before ``settings`` and ``problem`` were recorded:
    the problem from the manifest's factor ranges, the settings from the ``[design]`` table
    of its stored experiment text (the defaults of :class:`DesignSpec` filled in)."""
    from pydantic import ValidationError

    from btoagents.config.loading import parse_toml
    from btoagents.experiment.spec import DesignSpec

    text = manifest.get("experiment_text")
    if not isinstance(text, str):
        raise ConfigError(
            "the manifest records no design settings and no experiment text; run the sweep "
            "again with --new to record them"
        )
    table = parse_toml(text, "the manifest's experiment_text").get("design", {})
    try:
        settings = DesignSpec.model_validate(table).model_dump(exclude={"kind"})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"the manifest's [design] table: {where}: {first['msg']}") from None
    factors = manifest.get("factors", {})
    problem = None
    if factors and all(f.get("range") is not None for f in factors.values()):
        names = list(factors)
        problem = {
            "num_vars": len(names),
            "names": names,
            "bounds": [list(factors[n]["range"]) for n in names],
        }
    return DesignRecord(design["kind"], settings, problem, design["points"])
