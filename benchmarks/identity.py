"""KPI records of a fixed set of runs, to show that a refactoring changes no number.

Runs every preset (two seeds each, horizons as shipped or shortened where stated), every
built-in fulfillment, capacity and acceptance policy on ``dealer-network``, and one
replication of every quick validation case. ``--out`` writes the records as JSON; ``--check``
compares a fresh set with a stored one and fails on the first difference (exact equality of
every KPI; NaN equals NaN)::

    python benchmarks/identity.py --out benchmarks/identity.json
    python benchmarks/identity.py --check benchmarks/identity.json
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path

from btoagents.config import load_scenario
from btoagents.replications import simulate_one
from btoagents.validation.cases import quick_cases
from btoagents.validation.run import case_seed

PRESETS = (
    "mm1-bts",
    "mm1-bto",
    "hybrid-mts-mto",
    "bullwhip",
    "ato-decoupling",
    "kitchen-cabinets",
    "school-library-fixtures",
    "dealer-network",
)
SHORT = ("simulation.horizon=240", "simulation.warmup=40")
POLICIES = (
    ("fulfillment.policy=classification",),
    ("fulfillment.policy=cost",),
    ("fulfillment.policy=bandit",),
    ("fulfillment.policy=postponement",),
    ("capacity.policy=chase",),
    ("capacity.policy=prebuild",),
    ("demand_management.acceptance=reject",),
    ("demand_management.acceptance=defer",),
    ("customers.memory=false",),
)


def cases() -> list[tuple[str, str, tuple[str, ...], int]]:
    """(label, preset, overrides, seed) of every run in the set."""
    out = []
    for preset in PRESETS:
        for seed in (1, 2):
            out.append((f"{preset} seed {seed}", preset, SHORT, seed))
    for extra in POLICIES:
        out.append((f"dealer-network {' '.join(extra)}", "dealer-network", SHORT + extra, 3))
    for case in quick_cases():
        overrides = tuple(case.all_overrides(0.1))
        out.append((f"validation {case.name}", case.preset, overrides, case_seed(case, 1)))
    return out


def records() -> dict[str, dict[str, float | None]]:
    """Label -> KPI record (NaN written as None)."""
    out = {}
    for label, preset, overrides, seed in cases():
        kpis = simulate_one(load_scenario(preset, overrides), seed)
        out[label] = {k: (None if math.isnan(v) else v) for k, v in sorted(kpis.items())}
        print(f"{label}: {len(kpis)} KPIs", file=sys.stderr)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--out", type=Path, help="write the records to this JSON file")
    group.add_argument("--check", type=Path, help="compare with the records in this JSON file")
    args = parser.parse_args(argv)
    now = records()
    if args.out:
        args.out.write_text(json.dumps(now, indent=1) + "\n")
        print(f"{len(now)} runs written to {args.out}")
        return 0
    stored = json.loads(args.check.read_text())
    differences = []
    for label in sorted(set(stored) | set(now)):
        if stored.get(label) != now.get(label):
            a, b = stored.get(label) or {}, now.get(label) or {}
            keys = [k for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]
            differences.append(
                f"{label}: {', '.join(f'{k} {a.get(k)} -> {b.get(k)}' for k in keys[:5])}"
            )
    for line in differences:
        print(line)
    print(f"{len(now)} runs, {len(differences)} differ from {args.check}")
    return 1 if differences else 0


if __name__ == "__main__":
    sys.exit(main())
