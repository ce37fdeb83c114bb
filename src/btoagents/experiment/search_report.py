"""A search's result: every evaluated candidate with CIs, and the best one or the Pareto
front, printed and written to ``<results folder>/optimize/``.

Each candidate's KPIs are the mean over its replications with a Student-t 95% CI
(:func:`btoagents.replications.confidence_interval`); a constraint holds when the mean
satisfies it. Only candidates with every replication stored and ok are compared.

- One objective: the best feasible candidate, and its paired difference from the
  runner-up (the next candidate with another result: lever values that set the same
  scenario give the same runs, and count as ties), replication by replication: both ran
  on the same seeds (common random numbers), so the difference's CI is far narrower than
  the two CIs suggest (Law, "Simulation Modeling and Analysis", 5th ed., McGraw-Hill
  2015, section 11.2). A CI that excludes 0 says the best beats the runner-up beyond
  the noise of the replications.
- Several objectives: the Pareto front, the feasible candidates that no other feasible
  candidate matches or beats on every objective and beats on one (Deb, "Multi-objective
  optimization using evolutionary algorithms", Wiley 2001, section 2.4), each objective
  with its CI.

Written files: ``candidates.csv`` (every candidate), ``best.csv`` or ``front.csv``, and
``result.json`` (the same, with the paired difference and the run budget used).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from btoagents.errors import BtoagentsError
from btoagents.experiment.search_spec import SearchSpec
from btoagents.replications import confidence_interval

OUT = "optimize"


def candidate_table(spec: SearchSpec, rows: pd.DataFrame) -> pd.DataFrame:
    """One row per candidate with every replication stored and ok: ``point`` (its id),
    its lever values, ``n``, each stored KPI's mean with ``KPI_low`` and ``KPI_high`` (95%
    CI), and ``feasible``; in id order."""
    if rows.empty:
        return pd.DataFrame()
    kpis = [k for k in spec.stored_kpis() if k in rows.columns]
    levers = [f"factor.{n}" for n in spec.levers if f"factor.{n}" in rows.columns]
    out = []
    for point, part in rows.groupby("point", sort=True):
        if len(part) < spec.replications or (part["status"] != "ok").any():
            continue
        entry: dict[str, Any] = {"point": int(point)}
        entry.update({c.removeprefix("factor."): part[c].iloc[0] for c in levers})
        entry["n"] = len(part)
        for k in kpis:
            mean, lo, hi, _ = confidence_interval(part[k].to_numpy(dtype=float))
            entry.update({k: mean, f"{k}_low": lo, f"{k}_high": hi})
        entry["feasible"] = all(
            c.violation(entry.get(c.kpi, math.nan)) <= 0 for c in spec.parsed_constraints()
        )
        out.append(entry)
    return pd.DataFrame(out)


def pareto_front(spec: SearchSpec, table: pd.DataFrame) -> pd.DataFrame:
    """The feasible candidates no other feasible candidate dominates (see the module
    docstring), ordered by the first objective."""
    if table.empty:
        return table
    feasible = table[table["feasible"]]
    signs = np.array([-1.0 if d == "maximize" else 1.0 for d in spec.objectives.values()])
    f = feasible[list(spec.objectives)].to_numpy(dtype=float) * signs  # all minimised
    keep = [not np.any(np.all(f <= f[i], axis=1) & np.any(f < f[i], axis=1)) for i in range(len(f))]
    first, direction = next(iter(spec.objectives.items()))
    return feasible[keep].sort_values(first, ascending=direction == "minimize")


def ranked(spec: SearchSpec, table: pd.DataFrame) -> pd.DataFrame:
    """Feasible candidates, best first, by the (one) objective's mean."""
    if table.empty:
        return table
    kpi, direction = next(iter(spec.objectives.items()))
    return table[table["feasible"]].sort_values(kpi, ascending=direction == "minimize")


def paired_difference(
    spec: SearchSpec, rows: pd.DataFrame, best: int, other: int
) -> dict[str, float]:
    """Best minus ``other`` on the objective, paired by replication (same seeds): mean,
    95% CI, and the variance reduction 1 - Var(a - b) / (Var(a) + Var(b))."""
    kpi = next(iter(spec.objectives))
    ok = rows[rows["status"] == "ok"]
    a = ok[ok["point"] == best].set_index("replication")[kpi]
    b = ok[ok["point"] == other].set_index("replication")[kpi]
    a, b = a.align(b, join="inner")
    diff = (a - b).to_numpy(dtype=float)
    mean, lo, hi, _ = confidence_interval(diff)
    independent = float(np.var(a, ddof=1) + np.var(b, ddof=1)) if len(a) > 1 else math.nan
    reduction = 1 - float(np.var(diff, ddof=1)) / independent if independent > 0 else math.nan
    return {
        "kpi": kpi,
        "best": best,
        "runner_up": other,
        "difference": mean,
        "ci_low": lo,
        "ci_high": hi,
        "n": len(diff),
        "variance_reduction": reduction,
    }


@dataclass
class SearchReport:
    """What a search found, and what it cost."""

    spec: SearchSpec
    candidates: pd.DataFrame
    result: pd.DataFrame  # the best candidate (one row) or the Pareto front
    trials: int  # candidates asked in all (repeats included)
    runs_stored: int
    told_now: int
    ran_now: int
    elapsed: float
    paired: dict[str, float] | None = None
    files: list[Path] = field(default_factory=list)

    @property
    def multi(self) -> bool:
        return len(self.spec.objectives) > 1

    def columns(self) -> list[str]:
        """The columns worth printing: id, levers, objectives and constraint KPIs with CIs."""
        cols = ["point", *self.spec.levers]
        for k in self.spec.stored_kpis()[: len(self.spec.objectives) + len(self.spec.constraints)]:
            cols += [k, f"{k}_low", f"{k}_high"]
        return [c for c in cols if c in self.result.columns]

    def overrides(self, record: dict[str, Any]) -> list[str]:
        """The ``KEY=VALUE`` overrides that set a result row's lever values (for
        ``btoagents run --set`` or another experiment file)."""
        from btoagents.experiment.search_optuna import lever_overrides

        values = {n: _plain(record[n]) for n in self.spec.levers if n in record}
        return lever_overrides(self.spec, values)

    def line(self) -> str:
        """One summary line: what was asked, run and found."""
        feasible = int(self.candidates["feasible"].sum()) if len(self.candidates) else 0
        found = f"; {len(self.result)} on the Pareto front" if self.multi else ""
        return (
            f"{self.spec.name}: {self.trials} candidates asked, {len(self.candidates)} "
            f"evaluated ({feasible} feasible{found}), {self.runs_stored} runs stored; this "
            f"call ran {self.ran_now} runs in {self.elapsed:.1f} s"
        )

    def to_json(self) -> dict[str, Any]:
        """The report as ``result.json`` stores it."""
        records = json.loads(self.result[self.columns()].to_json(orient="records"))
        for record in records:
            record["overrides"] = self.overrides(record)
        return {
            "name": self.spec.name,
            "objectives": dict(self.spec.objectives),
            "constraints": list(self.spec.constraints),
            "sampler": self.spec.sampler_name(),
            "replications": self.spec.replications,
            "candidates_asked": self.trials,
            "candidates_evaluated": len(self.candidates),
            "runs_stored": self.runs_stored,
            "front" if self.multi else "best": records if self.multi else (records or [None])[0],
            "paired_vs_runner_up": self.paired,
        }

    def write(self, folder: Path) -> None:
        """Write candidates.csv, best.csv or front.csv and result.json under
        ``folder/optimize`` (one BtoagentsError naming the path if it cannot)."""
        out = Path(folder) / OUT
        try:
            out.mkdir(exist_ok=True)
            self.candidates.to_csv(out / "candidates.csv", index=False)
            name = "front.csv" if self.multi else "best.csv"
            self.result.to_csv(out / name, index=False)
            (out / "result.json").write_text(json.dumps(self.to_json(), indent=2) + "\n")
        except OSError as exc:
            raise BtoagentsError(
                f"{exc.filename or out}: cannot write the search's result: {exc.strerror or exc}"
            ) from None
        self.files = [out / "candidates.csv", out / name, out / "result.json"]


def _plain(value: Any) -> Any:
    """A table value as a plain Python value (numpy scalars unwrapped)."""
    return value.item() if hasattr(value, "item") else value


def report(
    spec: SearchSpec, rows: pd.DataFrame, trials: int, told_now: int, ran_now: int, elapsed: float
) -> SearchReport:
    """The report of a search from its stored runs."""
    table = candidate_table(spec, rows)
    paired = None
    if len(spec.objectives) > 1:
        result = pareto_front(spec, table)
    else:
        order = ranked(spec, table)
        result = order.head(1)
        kpi = next(iter(spec.objectives))
        if len(order) > 1:
            best = int(order["point"].iloc[0])
            # the runner-up runs differently: lever values that set the same scenario (a
            # tail share rounding to the same variants) give the same runs, a tie
            same = order[kpi] == order[kpi].iloc[0]
            others = order[~same]
            if len(others):
                paired = paired_difference(spec, rows, best, int(others["point"].iloc[0]))
                paired["ties"] = int(same.sum()) - 1
    stored = int(rows["status"].isin(["ok", "failed"]).sum()) if len(rows) else 0
    return SearchReport(spec, table, result, trials, stored, told_now, ran_now, elapsed, paired)
