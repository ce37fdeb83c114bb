"""Running validation cases: replications, z-tests at 3 standard errors, a report.

For each case and KPI the simulated mean over independent replications is compared with
theory by ``z = (mean - theory) / SE`` with ``SE = sd / sqrt(R)``; the check passes when
``|z| <= 3``. Paired identities (Little's law) test the mean of a per-replication residual
against 0 in the same way. Seeds are fixed, so a verdict is reproducible.

With SE estimated from R = 20 replications, a correct model exceeds 3 SE with probability
``P(|t_19| > 3) = 0.74%`` per check, so a grid of a few hundred checks expects one or two false
alarms. A check beyond 3 SE therefore gets a confirmation stage: an independent sample
(fresh seeds) with four times the replications, tested against the same 3 SE. A correct
model passes it with probability about 99.7%; a real bias that reached 3 SE in the first
stage stands near 6 SE in the second, so a bug still fails. Both z values are reported.
"""

from __future__ import annotations

import math
import time
import zlib
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from btoagents.config import load_scenario
from btoagents.model import SupplyChainModel
from btoagents.random import replication_seed
from btoagents.replications import confidence_interval
from btoagents.runner import run_replication
from btoagents.validation.cases import Case

Z_LIMIT = 3.0


@dataclass
class Check:
    """One KPI of one case: theory against simulation."""

    case: str
    family: str
    params: str
    kpi: str
    theory: float
    simulation: float
    se: float
    ci_low: float
    ci_high: float
    z: float
    passed: bool
    replications: int
    first_z: float = math.nan  # z of the first stage when a confirmation stage ran


def _check(case: Case, kpi: str, target: float, values: np.ndarray) -> Check:
    mean, lo, hi, sd = confidence_interval(values)
    n = int(np.sum(~np.isnan(values)))
    se = sd / math.sqrt(n) if n > 1 else math.nan
    if math.isclose(mean, target, rel_tol=1e-9, abs_tol=1e-9):
        z = 0.0  # agreement to rounding (identities such as sample-path Little's law)
    elif se > 0:
        z = (mean - target) / se
    else:  # no variation at all and no agreement: a definite miss
        z = math.inf
    return Check(
        case.name,
        case.family,
        case.params,
        kpi,
        target,
        mean,
        se,
        lo,
        hi,
        z,
        bool(abs(z) <= Z_LIMIT),
        n,
    )


def case_seed(case: Case, seed: int) -> int:
    """Root seed of one case: the validation seed mixed with the case's name.

    Distinct cases get independent random numbers, so their checks are independent tests
    (with one shared seed, every case of a family errs in the same direction).
    """
    return (seed + zlib.crc32(case.name.encode())) % 2**32


CONFIRMATION_FACTOR = 4
CONFIRMATION_SEED_OFFSET = 1_000_003


def _stage(case: Case, seed: int, horizon_scale: float, replications: int) -> list[Check]:
    scn = load_scenario(case.preset, case.all_overrides(horizon_scale))
    paired: dict[str, list[float]] = {name: [] for name in case.paired}

    def observe(model: SupplyChainModel, kpis: dict[str, float]) -> None:
        for name, fn in case.paired.items():
            paired[name].append(fn(model, kpis))

    records = [
        run_replication(scn, replication_seed(seed, r), observe) for r in range(replications)
    ]
    checks = [
        _check(case, kpi, target, np.array([k[kpi] for k in records], dtype=float))
        for kpi, target in case.theory.items()
    ]
    for name, values in paired.items():
        checks.append(_check(case, name, 0.0, np.array(values, dtype=float)))
    return checks


def run_case(case: Case, seed: int = 20240501, horizon_scale: float = 1.0) -> list[Check]:
    """Simulate one case and test each KPI, with a confirmation stage for any ``|z| > 3``."""
    root = case_seed(case, seed)
    checks = _stage(case, root, horizon_scale, case.replications)
    if all(c.passed for c in checks):
        return checks
    confirm = _stage(
        case,
        root + CONFIRMATION_SEED_OFFSET,
        horizon_scale,
        case.replications * CONFIRMATION_FACTOR,
    )
    out = []
    for first, second in zip(checks, confirm, strict=True):
        if first.passed:
            out.append(first)
        else:
            second.first_z = first.z
            out.append(second)
    return out


def run_cases(
    cases: Iterable[Case],
    seed: int = 20240501,
    horizon_scale: float = 1.0,
    progress: Callable[[Case, list[Check], float], None] | None = None,
) -> pd.DataFrame:
    """Run every case; one row per check (columns of :class:`Check`)."""
    rows = []
    for case in cases:
        started = time.perf_counter()
        checks = run_case(case, seed, horizon_scale)
        rows.extend(asdict(c) for c in checks)
        if progress is not None:
            progress(case, checks, time.perf_counter() - started)
    return pd.DataFrame(rows)
