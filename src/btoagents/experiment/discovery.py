"""Scenario discovery with PRIM: the region of the factor space where a KPI is above (or
below) a threshold, as a box of factor limits.

PRIM, the patient rule induction method (Friedman and Fisher, "Bump hunting in
high-dimensional data", Statistics and Computing 9(2):123-143, 1999), starts from the box
holding every case and *peels* it: each step removes the slice (``peel_alpha`` = 5% of the
cases in the box, at the low or the high end of one factor) whose removal raises the share
of cases of interest most per case removed, until the box holds ``mass_min`` = 5% of the
cases; it then *pastes* back slices that raise that share further. Each step is a box of
the *peeling trajectory*, described by (Bryant and Lempert, "Thinking inside the box",
Technological Forecasting and Social Change 77(1), 2010):

- coverage: the share of all cases of interest that lie in the box (how much of the
  failure it explains);
- density: the share of the box's cases that are cases of interest (how pure it is);
- mass: the share of all cases that lie in the box;
- restricted: the number of factors whose limits the box narrows.

Coverage falls and density rises along the trajectory; the analyst picks a box on that
trade-off. By default :func:`choose` takes the box of highest coverage among those with
density at least ``threshold`` (0.8, the density threshold of the EMA Workbench's PRIM:
Kwakkel, "The Exploratory Modeling Workbench", Environmental Modelling & Software 96, 2017),
and of several such boxes with that coverage the densest: a box on the coverage-density
frontier, early on the trajectory. The later boxes are smaller, purer and fit the sample's
noise (the last, at ``mass_min``, most of all), so the trajectory's last box, which the
``prim`` package selects by default, is not the default here. With no box that dense, the densest
is taken. Each restricted factor of a box has a quasi-p-value: a one-sided binomial test of
whether the box's density is higher than without that restriction (Bryant and Lempert 2010);
a large value says the restriction could be dropped.

The algorithm is the ``prim`` package (PRIM 1.0, a stand-alone version of the EMA
Workbench's PRIM, itself derived from RAND's sdtoolkit); the cases are design points
(:mod:`btoagents.experiment.cases`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from btoagents.errors import ConfigError

#: default density a chosen box must reach (the EMA Workbench's default PRIM threshold)
DENSITY_THRESHOLD = 0.8
PEEL_ALPHA = 0.05
PASTE_ALPHA = 0.05
MASS_MIN = 0.05


@dataclass(frozen=True)
class Discovery:
    """A PRIM peeling trajectory and the chosen box.

    ``trajectory``: one row per box (``box`` = its index along the trajectory, 0 = every
    case), with ``coverage``, ``density``, ``mass`` (shares in [0, 1]), ``cases`` (design
    points in the box), ``of_interest`` (cases of interest in it) and ``restricted``.
    ``limits``: one row per box and factor, with ``low`` and ``high`` (the factor's units;
    NaN for a categorical factor), ``levels`` (a categorical factor's kept levels, else
    None), ``restricted``, ``excludes`` (cases that this restriction alone keeps out of
    the box: 0 says it changes nothing on these data) and ``qp_value`` (NaN when
    unrestricted). ``chosen``: the index of the chosen box; ``reason``: how it was chosen.
    """

    trajectory: pd.DataFrame
    limits: pd.DataFrame
    chosen: int
    reason: str
    cases: int
    of_interest: int
    settings: dict[str, Any] = field(default_factory=dict)

    def box_limits(self, box: int | None = None) -> pd.DataFrame:
        """The limits of box ``box`` (default: the chosen one), one row per factor:
        restricted factors first, by quasi-p-value."""
        box = self.chosen if box is None else box
        out = self.limits[self.limits["box"] == box].drop(columns="box")
        order = np.lexsort((out["qp_value"].fillna(np.inf), ~out["restricted"].to_numpy()))
        return out.iloc[order].reset_index(drop=True)

    def box_stats(self, box: int | None = None) -> dict[str, Any]:
        """The trajectory row of box ``box`` (default: the chosen one) as a dict, with
        Wilson 95% intervals of its coverage and density (``coverage_ci``, ``density_ci``).

        The intervals count the box's cases as binomial draws with the box held fixed: they
        leave out that the box was chosen on the same cases (which flatters its density)
        and the noise of the point means near the threshold."""
        from btoagents.experiment.robustness import wilson

        box = self.chosen if box is None else box
        stats = self.trajectory.iloc[[box]].to_dict("records")[0]
        hits = stats["of_interest"]
        stats["coverage_ci"] = list(wilson(hits, self.of_interest)[1:])
        stats["density_ci"] = list(wilson(hits, stats["cases"])[1:]) if stats["cases"] else None
        return stats


def run_prim(
    x: pd.DataFrame,
    y: np.ndarray,
    threshold: float = DENSITY_THRESHOLD,
    box: int | None = None,
    peel_alpha: float = PEEL_ALPHA,
    paste_alpha: float = PASTE_ALPHA,
    mass_min: float = MASS_MIN,
) -> Discovery:
    """PRIM's first box on cases ``x`` (one column per factor: numeric, or categorical as
    strings or booleans) classified by ``y`` (True: a case of interest), its whole peeling
    trajectory, and the box chosen by :func:`choose`.

    Raises:
        ConfigError: one line when ``y`` holds no case of interest or only such cases (no
            region to find), or ``threshold``, ``box`` or an alpha is out of range.
    """
    import prim  # imported here: it loads matplotlib

    y = np.asarray(y, dtype=bool)
    if not 0 < threshold <= 1:
        raise ConfigError(f"--threshold = {threshold}: a density, expected in (0, 1]")
    for name, value in (("peel_alpha", peel_alpha), ("paste_alpha", paste_alpha)):
        if not 0 < value < 0.5:
            raise ConfigError(f"{name} = {value}: expected in (0, 0.5)")
    if not 0 < mass_min < 1:
        raise ConfigError(f"mass_min = {mass_min}: expected in (0, 1)")
    if len(y) != len(x):
        raise ValueError(f"{len(x)} cases but {len(y)} classes")
    n_interest = int(y.sum())
    if n_interest == 0 or n_interest == len(y):
        what = "none" if n_interest == 0 else "all"
        raise ConfigError(
            f"{what} of the {len(y)} cases are of interest: no region to discover "
            "(move the threshold --above/--below)"
        )
    x = _prim_frame(x)
    # y given as booleans: the package's own thresholding skips a threshold of 0
    algorithm = prim.Prim(x, y, peel_alpha=peel_alpha, paste_alpha=paste_alpha, mass_min=mass_min)
    found = algorithm.find_box()
    trajectory, limits = _trajectory(found, x, y)
    chosen, reason = choose(trajectory, threshold, box)
    settings = {
        "threshold": threshold,
        "peel_alpha": peel_alpha,
        "paste_alpha": paste_alpha,
        "mass_min": mass_min,
        "prim": "prim " + getattr(prim, "__version__", "?"),
    }
    return Discovery(trajectory, limits, chosen, reason, len(y), n_interest, settings)


def choose(trajectory: pd.DataFrame, threshold: float, box: int | None = None) -> tuple[int, str]:
    """The chosen box's index and why: ``box`` when given, else the box of highest coverage
    with density >= ``threshold`` (of several with that coverage, the densest), else the
    densest box.

    Raises:
        ConfigError: ``box`` outside the trajectory.
    """
    last = len(trajectory) - 1
    if box is not None:
        if not 0 <= box <= last:
            raise ConfigError(f"--box = {box}: the trajectory has boxes 0 to {last}")
        return box, "picked by --box"
    density = trajectory["density"].to_numpy(dtype=float)
    coverage = trajectory["coverage"].to_numpy(dtype=float)
    dense = np.flatnonzero(density >= threshold - 1e-12)
    if dense.size:
        top = dense[coverage[dense] >= coverage[dense].max() - 1e-12]
        pick = int(top[np.argmax(density[top])])  # of equal coverage, the densest
        return pick, f"highest coverage with density >= {threshold:g}"
    best = int(np.argmax(trajectory["density"].to_numpy()))
    return best, f"the densest box: no box reaches density {threshold:g}"


def _prim_frame(x: pd.DataFrame) -> pd.DataFrame:
    """The cases as PRIM's peeling operations expect them: numbers as float64 or int64,
    anything else as Python objects (categorical peeling)."""
    out = {}
    for name in x.columns:
        col = x[name]
        if pd.api.types.is_bool_dtype(col):
            out[str(name)] = col.astype(object)
        elif pd.api.types.is_integer_dtype(col):
            out[str(name)] = col.astype("int64")
        elif pd.api.types.is_numeric_dtype(col):
            out[str(name)] = col.astype("float64")
        else:
            out[str(name)] = col.astype(str).astype(object)
    return pd.DataFrame(out)


def _trajectory(found: Any, x: pd.DataFrame, y: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trajectory and the limits of every box of a PRIM box object, each box's cases
    counted again from its limits (so the table and its limits agree).

    The limits are read from the box's list of limits (``box_lims`` in the package's
    documentation, ``_box_lims`` in its code): the package's ``PrimBox.limits`` fails on a
    categorical factor under pandas 3, so the quasi-p-values are computed here.
    """
    lims = getattr(found, "box_lims", None) or found._box_lims
    columns = {name: _column(x[name]) for name in x.columns}
    stats, limits = [], []
    for i, lim in enumerate(lims):
        rows = {name: _limit(col, lim[name]) for name, col in columns.items()}
        inside = _inside(columns, rows)
        cases, hits = int(inside.sum()), int(y[inside].sum())
        for name, row in rows.items():
            if row["restricted"]:
                wider = _inside(columns, rows, skip=name)
                row["excludes"] = int(wider.sum()) - cases
                row["qp_value"] = _quasi_p(float(y[wider].mean()), cases, hits)
            limits.append({"box": i, "factor": name, **row})
        stats.append(
            {
                "box": i,
                "coverage": hits / int(y.sum()),
                "density": hits / cases if cases else math.nan,
                "mass": cases / len(y),
                "cases": cases,
                "of_interest": hits,
                "restricted": sum(r["restricted"] for r in rows.values()),
            }
        )
    return pd.DataFrame(stats), pd.DataFrame(limits)


def _column(col: pd.Series) -> np.ndarray:
    """A factor's values: floats, or strings for a categorical factor."""
    return col.astype(str).to_numpy() if col.dtype == object else col.to_numpy(dtype=float)


def _limit(values: np.ndarray, lim: Any) -> dict[str, Any]:
    """One factor's limits in a box (``lim``: the box's pair of limits for it), and whether
    they narrow the factor's range (or its set of levels) in the data."""
    if values.dtype.kind != "f":
        kept = sorted(map(str, lim[0]))
        every = sorted(set(values.tolist()))
        return _row(math.nan, math.nan, kept, kept != every)
    low, high = float(lim[0]), float(lim[1])
    restricted = low > values.min() or high < values.max()
    return _row(low, high, None, bool(restricted))


def _row(low: float, high: float, levels: list[str] | None, restricted: bool) -> dict[str, Any]:
    return {
        "low": low,
        "high": high,
        "levels": levels,
        "restricted": restricted,
        "excludes": 0,
        "qp_value": math.nan,
    }


def _inside(
    columns: dict[str, np.ndarray], rows: dict[str, dict[str, Any]], skip: str = ""
) -> np.ndarray:
    """Which cases lie within every factor's limits but ``skip``'s (limits inclusive, as
    PRIM's)."""
    inside = np.ones(len(next(iter(columns.values()))), dtype=bool)
    for name, row in rows.items():
        if name == skip or not row["restricted"]:
            continue
        values = columns[name]
        if row["levels"] is not None:
            inside &= np.isin(values, row["levels"])
        else:
            inside &= (values >= row["low"]) & (values <= row["high"])
    return inside


def _quasi_p(p: float, n: int, h: int) -> float:
    """The quasi-p-value of a restriction of a box holding ``n`` cases, ``h`` of interest:
    P(Binomial(n, p) >= h), ``p`` the density of the box without that restriction (Bryant
    and Lempert 2010): the chance that the restriction's gain in density is noise."""
    from scipy.stats import binom

    return float(binom.sf(h - 1, n, p))
