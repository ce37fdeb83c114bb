"""Presenting KPI summaries: the terminal table and the JSON of ``btoagents run --json``."""

from __future__ import annotations

import json
import math
from typing import Any

import pandas as pd
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from btoagents.kpis import CORE_KPIS


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def summary_json(name: str, replications: int, summary: pd.DataFrame) -> str:
    """``{"scenario", "replications", "kpis": {NAME: {"mean", "ci_low", "ci_high", "sd"}}}``.

    Undefined values (e.g. a CI from one replication) are JSON ``null``.
    """
    kpis: dict[str, dict[str, Any]] = {
        kpi: {col: _clean(row[col]) for col in ("mean", "ci_low", "ci_high", "sd")}
        for kpi, row in summary.iterrows()
    }
    return json.dumps({"scenario": name, "replications": replications, "kpis": kpis}, indent=2)


def fmt(x: float) -> str:
    """A number for a table, or 'n/a': at most 4 significant digits, large amounts (a
    profit of 1,234,567) in whole units with thousands separators, and only the tiny and
    the astronomically large in scientific notation."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "n/a"
    if x != 0 and (abs(x) >= 1e12 or abs(x) < 1e-3):
        return f"{x:.3e}"
    if abs(x) >= 1e4:
        return f"{x:,.0f}"
    return f"{x:.4g}"


def ordered_kpis(names: list[str], breakdown: bool) -> list[str]:
    """Core KPIs first, then the extra totals, then (optionally) the per-group entries."""
    core = [k for k in CORE_KPIS if k in names]
    extra = [k for k in names if k not in CORE_KPIS and "[" not in k]
    groups = sorted(k for k in names if "[" in k) if breakdown else []
    return core + extra + groups


def print_summary(
    title: str, summary: pd.DataFrame, breakdown: bool = False, console: Console | None = None
) -> None:
    """A table: KPI, mean, 95% CI, sd. Names and intervals are escaped: Rich would read a
    bracketed suffix (``fill_rate[compact]``) as markup and drop it."""
    console = console or Console()
    table = Table(title=title, title_justify="left")
    table.add_column("KPI")
    table.add_column("mean", justify="right")
    table.add_column("95% CI", justify="right")
    table.add_column("sd", justify="right")
    for kpi in ordered_kpis(list(summary.index), breakdown):
        row = summary.loc[kpi]
        ci = (
            "n/a" if math.isnan(row["ci_low"]) else f"[{fmt(row['ci_low'])}, {fmt(row['ci_high'])}]"
        )
        table.add_row(escape(kpi), fmt(row["mean"]), escape(ci), fmt(row["sd"]))
    console.print(table)
