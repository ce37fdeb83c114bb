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
Kwakkel, "The Exploratory Modeling Workbench", Environmental Modelling & Software
96:239-250, 2017), and of several such boxes with that coverage the densest: a box on the
coverage-density frontier, early on the trajectory. The later boxes are smaller, purer and
fit the sample's noise (the last, at ``mass_min``, most of all), so the trajectory's last
box, which the Workbench's ``PrimBox`` selects by default, is not the default here. With no
box that dense, the densest is taken. Each restricted factor of a box has a quasi-p-value:
a one-sided binomial test of whether the box's density is higher than without that
restriction (Bryant and Lempert 2010); a large value says the restriction could be dropped.
The Workbench's own quasi-p-values drop one end of a limit at a time (two values for a
factor bounded at both ends); the one here drops the whole restriction, as ``excludes``
counts it (the two agree for a factor bounded at one end).

The algorithm is the EMA Workbench's PRIM (``ema_workbench.analysis.prim``, BSD-3, itself
derived from RAND's sdtoolkit; Kwakkel 2017), with its default lenient objective (gain in
density per case removed); the cases are design points (:mod:`btoagents.experiment.cases`).
"""

from __future__ import annotations

import math
import warnings
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
    found = _find_box(x, y, peel_alpha, paste_alpha, mass_min)
    trajectory, limits = _trajectory(found.box_lims, x, y)
    chosen, reason = choose(trajectory, threshold, box)
    settings = {
        "threshold": threshold,
        "peel_alpha": peel_alpha,
        "paste_alpha": paste_alpha,
        "mass_min": mass_min,
        "prim": "ema_workbench " + _workbench_version(),
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


def _find_box(
    x: pd.DataFrame, y: np.ndarray, peel_alpha: float, paste_alpha: float, mass_min: float
) -> Any:
    """The Workbench's first PRIM box (a ``PrimBox``) on cases ``x`` classified by ``y``.

    An integer factor's limits are held as floats: the Workbench peels it at integers but
    may paste it back to a midpoint between two values (7.5), which pandas 3 refuses to
    write into an integer column of the box limits; :func:`_limit` reads such a limit back
    as the integer limit that keeps the same cases."""
    with warnings.catch_warnings():
        # the Workbench warns at import that its ipyparallel evaluator is unavailable
        warnings.filterwarnings("ignore", "ipyparallel not installed", UserWarning)
        from ema_workbench.analysis import prim  # imported here: it loads matplotlib, sklearn

        # and, under pandas 3, that it drops a column in place (a deprecation of its own)
        warnings.filterwarnings("ignore", "The inplace keyword in DataFrame.drop")
        kwargs = {"peel_alpha": peel_alpha, "paste_alpha": paste_alpha, "mass_min": mass_min}
        algorithm = prim.Prim(x, y, **kwargs)
    integers = algorithm.box_init.select_dtypes("integer").columns
    algorithm.box_init = algorithm.box_init.astype(dict.fromkeys(integers, "float64"))
    return algorithm.find_box()


def _workbench_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ema_workbench")
    except PackageNotFoundError:  # pragma: no cover - run from a source checkout
        return "?"


def _prim_frame(x: pd.DataFrame) -> pd.DataFrame:
    """The cases with the dtypes the Workbench's PRIM tells apart: integers as int64
    (peeled at integers), other numbers as float64, anything else (strings, booleans) as
    categories peeled level by level."""
    out = {}
    for name in x.columns:
        col = x[name]
        if pd.api.types.is_bool_dtype(col) or not pd.api.types.is_numeric_dtype(col):
            out[str(name)] = col.astype(str).astype("category")
        elif pd.api.types.is_integer_dtype(col):
            out[str(name)] = col.astype("int64")
        else:
            out[str(name)] = col.astype("float64")
    return pd.DataFrame(out)


def _trajectory(
    lims: list[pd.DataFrame], x: pd.DataFrame, y: np.ndarray
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The trajectory and the limits of every box of a PRIM trajectory (``lims``: each
    box's limits, rows 0 and 1 the low and high ends, a set of levels for a categorical
    factor), each box's cases counted again from its limits (so the table and its limits
    agree), with the quasi-p-values of :func:`_quasi_p`.

    The Workbench drops a categorical factor with a single level: it is unrestricted."""
    columns = {name: _column(x[name]) for name in x.columns}
    stats, limits = [], []
    for i, lim in enumerate(lims):
        rows = {name: _limit(col, lim.get(name)) for name, col in columns.items()}
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
    """A factor's values: numbers (int64 or float64), or strings for a categorical factor."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        return col.astype(str).to_numpy(dtype=object)
    return col.to_numpy()


def _limit(values: np.ndarray, lim: pd.Series | None) -> dict[str, Any]:
    """One factor's limits in a box (``lim``: the box's pair of limits for it, None for a
    factor PRIM left out), and whether they narrow the factor's range (or its set of
    levels) in the data. An integer factor's limits are the integers that keep the same
    cases (a pasted limit of 7.5 reads as 8 at the low end, 7 at the high end)."""
    if values.dtype.kind == "O":
        every = sorted(set(values.tolist()))
        kept = every if lim is None else sorted(map(str, lim.iloc[0]))
        return _row(math.nan, math.nan, kept, kept != every)
    if lim is None:
        return _row(float(values.min()), float(values.max()), None, False)
    low, high = float(lim.iloc[0]), float(lim.iloc[1])
    if values.dtype.kind in "iu":
        low, high = float(math.ceil(low)), float(math.floor(high))
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
