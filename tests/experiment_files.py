"""A tiny experiment for the results-folder tests (imported by tests)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

#: 3 design points x 2 arms x 3 replications of mm1-bts, 300 days: 18 runs in a second
TINY = """
name = "tiny"
scenario = "mm1-bts"
replications = 3
seed = 5
overrides = ["simulation.horizon=300", "simulation.warmup=30"]
kpis = ["fill_rate", "backorders", "lead_time_mean"]
[design]
kind = "full_factorial"
[factors.S]
key = "products.standard.base_stock"
levels = [0, 2, 4]
[arms.stock]
overrides = []
[arms.order]
overrides = ["products.standard.strategy=bto"]
"""
RUNS = 18


#: the example plugin package's policy (run from the repository root)
HOT = "examples.custom_policy:StockHot"

#: a static arm against StockHot on a short dealer-network: 2 arms x 2 replications
HOT_VS_STATIC = f"""
name = "{{name}}"
scenario = "dealer-network"
replications = 2
seed = 3
overrides = ["simulation.horizon=90", "simulation.warmup=0"]
kpis = ["switches", "bts_share", "fg_inventory"]
[design]
kind = "full_factorial"
[factors.cover]
key = "fulfillment.cover_days"
levels = [30.0]
[arms.static]
overrides = []
[arms.hot]
overrides = ['fulfillment.policy="{HOT}"', "fulfillment.params.threshold=3"]
"""


def write_experiment(folder: Path, text: str = TINY, name: str = "exp.toml") -> Path:
    """Write an experiment file into ``folder``; returns its path."""
    path = folder / name
    path.write_text(text)
    return path


def raw_rows(results: Path) -> pd.DataFrame:
    """Every row of every part as stored, superseded rows included (no deduplication)."""
    parts = sorted((results / "parts").glob("part-*.parquet"))
    return pd.concat([pq.read_table(p).to_pandas() for p in parts], ignore_index=True)


def one_error_line(err: str) -> str:
    """The single ``error:`` line on stderr (asserting there is exactly one, no traceback;
    progress lines and ``warning:`` lines may come with it)."""
    progress = re.compile(r"\S+: \d+/\d+ runs, ")
    lines = [ln for ln in err.splitlines() if ln.strip() and not progress.match(ln)]
    assert "Traceback" not in err, err
    errors = [ln for ln in lines if ln.startswith("error: ")]
    assert len(errors) == 1 and len(lines) == len(errors) + sum(
        ln.startswith("warning: ") for ln in lines
    ), err
    return errors[0]
