"""Validation cases: special cases of the model paired with their closed forms.

Each :class:`Case` names a preset, the overrides that put the model in the special case, the
theoretical KPI values from :mod:`btoagents.theory`, and the run length. ``quick`` cases
form the subset run inside ``make test``; the full grid runs under ``make validate``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from scipy import stats

from btoagents import theory

Paired = Callable[[Any, dict[str, float]], float]


@dataclass(frozen=True)
class Case:
    """One point of a validation grid.

    Attributes:
        family: the group of cases (e.g. ``mm1-bts``) shown together in the report.
        params: the parameters shown in the report (``rho=0.5, S=2``).
        preset: the preset the overrides apply to.
        overrides: dotted ``KEY=VALUE`` overrides.
        theory: KPI name -> theoretical value (a :class:`DeferredTheory` where solving is
            costly).
        paired: name -> function of one replication's KPIs that theory says is 0 (used for
            identities between simulated quantities, such as Little's law).
        replications: independent replications (the standard error comes from them).
        horizon: simulated days per replication (the warm-up is 5% of it).
        quick: part of the fast subset.
    """

    family: str
    params: str
    preset: str
    overrides: tuple[str, ...]
    theory: Mapping[str, float]
    paired: dict[str, Paired] = field(default_factory=dict)
    replications: int = 20
    horizon: float = 20000.0
    quick: bool = False

    @property
    def name(self) -> str:
        return f"{self.family} ({self.params})"

    def all_overrides(self, horizon_scale: float = 1.0) -> list[str]:
        horizon = self.horizon * horizon_scale
        return [
            f"simulation.horizon={horizon}",
            f"simulation.warmup={0.05 * horizon}",
            *self.overrides,
        ]


MIN_EPISODES = 300.0


def episode_horizon(episodes_per_day: float, floor: float) -> float:
    """Days per replication holding about ``MIN_EPISODES`` stock-out episodes (>= floor).

    Stock-outs come in clusters, so when they are rare a replication's fill rate and
    backorders are sums over few clusters: their distribution across replications is then
    skewed and the standard error from 20 replications is too small (a z-test on such a
    sample flags a correct model; seen with S = 5 at rho = 0.3). Each replication is made
    long enough to hold many clusters, so the z-test's normal approximation holds.
    """
    if episodes_per_day <= 0:
        return floor
    return max(floor, math.ceil(MIN_EPISODES / episodes_per_day / 1000.0) * 1000.0)


def stockout_horizon(lam: float, mu: float, base_stock: int, floor: float = 20000.0) -> float:
    """M/M/1 base stock: episodes start at upcrossings to S, rate lambda (1-rho) rho^(S-1)."""
    if base_stock == 0:
        return floor
    rho = lam / mu
    return episode_horizon(lam * (1 - rho) * rho ** (base_stock - 1), floor)


def _mm1_bts_cases() -> list[Case]:
    out = []
    for rho in (0.3, 0.5, 0.7, 0.9):
        for s in (0, 2, 5):
            th = theory.mm1_bts(rho, 1.0, s)
            horizon = stockout_horizon(rho, 1.0, s, 40000.0 if rho == 0.9 else 20000.0)
            out.append(
                Case(
                    "mm1-bts",
                    f"rho={rho}, S={s}",
                    "mm1-bts",
                    (f"products.standard.demand_rate={rho}", f"products.standard.base_stock={s}"),
                    {
                        k: th[k]
                        for k in (
                            "fill_rate",
                            "fg_inventory",
                            "backorders",
                            "lead_time_mean",
                            "utilization",
                        )
                    },
                    horizon=horizon,
                    quick=(rho, s) == (0.7, 2),
                )
            )
    return out


def _mm1_bto_cases() -> list[Case]:
    out = []
    for rho in (0.3, 0.5, 0.7, 0.9):
        th = theory.mm1_bto(rho, 1.0)
        out.append(
            Case(
                "mm1-bto",
                f"rho={rho}",
                "mm1-bto",
                (f"products.standard.demand_rate={rho}",),
                {
                    k: th[k]
                    for k in ("lead_time_mean", "lead_time_p95", "backorders", "utilization")
                },
                horizon=40000.0 if rho == 0.9 else 20000.0,
                quick=rho == 0.5,
            )
        )
    return out


def _hybrid_cases() -> list[Case]:
    out = []
    for lam_bts, lam_bto in ((0.4, 0.3), (0.3, 0.5)):
        base = (
            f"products.standard.demand_rate={lam_bts}",
            f"products.custom.demand_rate={lam_bto}",
        )
        fcfs = theory.hybrid_fcfs(lam_bts, lam_bto, 1.0, 3)
        out.append(
            Case(
                "hybrid-fcfs",
                f"lambda_bts={lam_bts}, lambda_bto={lam_bto}, S=3",
                "hybrid-mts-mto",
                (*base, "manufacturer.discipline=fcfs"),
                fcfs,
                quick=lam_bts == 0.4,
            )
        )
        for disc, pre in (("bto_priority", False), ("bto_preemptive", True)):
            out.append(
                Case(
                    f"hybrid-{disc}",
                    f"lambda_bts={lam_bts}, lambda_bto={lam_bto}",
                    "hybrid-mts-mto",
                    (*base, f"manufacturer.discipline={disc}"),
                    theory.hybrid_priority(lam_bts, lam_bto, 1.0, pre),
                )
            )
    return out


def _mg1_cases() -> list[Case]:
    out = []
    for dist, cv in (("deterministic", 0.0), ("gamma", 0.5), ("gamma", 2.0), ("lognormal", 1.5)):
        for rho in (0.5, 0.8):
            th = theory.mg1_bto(rho, 1.0, dist, cv if cv else 1.0)
            extra = (f"manufacturer.service_cv={cv}",) if cv else ()
            out.append(
                Case(
                    "mg1-bto",
                    f"{dist}{f' cv={cv}' if cv else ''}, rho={rho}",
                    "mm1-bto",
                    (
                        f"products.standard.demand_rate={rho}",
                        f"manufacturer.service_distribution={dist}",
                        *extra,
                    ),
                    th,
                    horizon=40000.0 if cv >= 1.5 else 20000.0,
                    quick=(dist, rho) == ("deterministic", 0.5),
                )
            )
    return out


def _palm_cases() -> list[Case]:
    """A dealer with base stock S and a fixed transport time L; the plant never runs out."""
    out = []
    lam = 1.0
    for lead in (2.0, 5.0):
        for s in (1, 3, 6):
            th = theory.palm_base_stock(lam, lead, s)
            # an episode starts when an arrival finds S - 1 units on order
            horizon = episode_horizon(lam * float(stats.poisson.pmf(s - 1, lam * lead)), 5000.0)
            out.append(
                Case(
                    "palm",
                    f"lambda={lam}, L={lead}, S={s}",
                    "mm1-bts",
                    (
                        f"products.standard.demand_rate={lam}",
                        "products.standard.base_stock=200",
                        "manufacturer.service_rate=50.0",
                        "dealers.count=1",
                        f"dealers.days_of_supply={(s - 0.5) / lam}",
                        f"dealers.transport_time={lead}",
                    ),
                    {
                        "fill_rate": th["fill_rate"],
                        "dealer_inventory": th["fg_inventory"],
                        "backorders": th["backorders"],
                    },
                    horizon=horizon,
                    quick=(lead, s) == (2.0, 3),
                )
            )
    return out


def _bullwhip_cases() -> list[Case]:
    """Order-up-to with a moving average; L a multiple of p keeps the level integral."""
    out = []
    for window, lead in ((1, 1), (2, 2), (4, 4), (2, 4), (3, 6)):
        out.append(
            Case(
                "bullwhip",
                f"p={window}, L={lead}",
                "bullwhip",
                (f"forecast.window={window}", f"supplier.lead_time={lead}.0"),
                {"bullwhip": theory.bullwhip_moving_average(lead, window)},
                replications=10,
                horizon=2000.0,
                quick=(window, lead) == (2, 2),
            )
        )
    # exponential smoothing: L * forecast is not integral, and rounding the order-up-to
    # level adds about 2/12 to Var(orders); 100 orders per period keep that bias near 0.2 %
    for alpha, lead in ((0.3, 2), (0.5, 1), (0.2, 4)):
        out.append(
            Case(
                "bullwhip",
                f"exponential smoothing alpha={alpha}, L={lead}",
                "bullwhip",
                (
                    "forecast.method=exponential_smoothing",
                    f"forecast.alpha={alpha}",
                    f"supplier.lead_time={lead}.0",
                    "products.standard.demand_rate=100.0",
                    "manufacturer.service_rate=150.0",
                    "forecast.safety_stock=1000.0",
                    "supplier.base_stock=10000",
                    "supplier.service_rate=5000.0",
                ),
                {"bullwhip": theory.bullwhip_exponential_smoothing(lead, alpha)},
                replications=10,
                horizon=2000.0,
                quick=False,  # about 35 s each: make validate only
            )
        )
    return out


def _little_backlog(model: Any, kpis: dict[str, float]) -> float:
    """Sample-path Little's law for accepted final-customer orders (0 when it holds)."""
    return model.littles_law_gaps()["backlog"]


def _little_stock(model: Any, kpis: dict[str, float]) -> float:
    """Sample-path Little's law for finished units on hand (0 when it holds)."""
    return model.littles_law_gaps()["stock"]


LITTLE = {"little_backlog": _little_backlog, "little_stock": _little_stock}


def _little_cases() -> list[Case]:
    """Little's law for backlog and stock, in theory and realistic presets alike.

    Tested in its sample-path form over the KPI window (Stidham 1974): the time-average
    number equals the time items spend in the system inside the window per day, items
    present at the window's edges included. Unlike the asymptotic L = lambda W, which over
    a finite window is biased by about L W / T (about 7 orders in kitchen-cabinets), it is
    exact on every path, so it checks the level accumulators against the items' own times.
    """
    out = []
    for preset, extra in (
        ("hybrid-mts-mto", ("manufacturer.discipline=bto_preemptive",)),
        ("ato-decoupling", ()),
        ("dealer-network", ()),
        ("kitchen-cabinets", ()),
        ("school-library-fixtures", ()),
    ):
        out.append(
            Case(
                "little",
                preset,
                preset,
                extra,
                {},
                paired=LITTLE,
                replications=3,
                horizon=2000.0,
                quick=preset in ("kitchen-cabinets", "hybrid-mts-mto"),
            )
        )
    return out


def _utilization_cases() -> list[Case]:
    """Utilization = sum lambda/mu for any base stock and discipline."""
    out = []
    for disc in ("fcfs", "bto_priority", "bto_preemptive"):
        for s in (0, 6):
            out.append(
                Case(
                    "utilization",
                    f"{disc}, S={s}",
                    "hybrid-mts-mto",
                    (f"manufacturer.discipline={disc}", f"products.standard.base_stock={s}"),
                    {"utilization": theory.utilization([0.4, 0.3], [1.0, 1.0])},
                    replications=10,
                )
            )
    return out


class DeferredTheory(Mapping[str, float]):
    """Theory values of ``keys`` computed on first read, then kept.

    The exact ATO chain takes seconds per case, so listing, counting or filtering the cases
    (``--family``, the quick subset, the paper's case count) must not solve it; a case's
    values are solved when the case is run.
    """

    def __init__(self, solve: Callable[[], dict[str, float]], keys: tuple[str, ...]) -> None:
        self._solve = solve
        self._keys = keys
        self._values: dict[str, float] | None = None

    def _solved(self) -> dict[str, float]:
        if self._values is None:
            full = self._solve()
            self._values = {k: full[k] for k in self._keys}
        return self._values

    def __getitem__(self, key: str) -> float:
        return self._solved()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._keys

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    def __repr__(self) -> str:
        state = "solved" if self._values is not None else "not solved yet"
        return f"DeferredTheory({', '.join(self._keys)}; {state})"


def _ato_cases() -> list[Case]:
    """The decoupling point against the exact Markov chain of theory.AtoDecouplingChain."""
    out = []
    lam = 1.0
    kpis = (
        "component_inventory",
        "component_fill_rate",
        "orders_awaiting_components",
        "backorders",
        "lead_time_mean",
        "lead_time_p95",
        "utilization",
        "supplier_utilization",
    )
    for rho_c in (0.5, 0.65, 0.8):
        for rho_a in (0.4, 0.6, 0.8):
            for s in (0, 2, 6):
                horizon = 40000.0 if max(rho_c, rho_a) >= 0.8 else 20000.0
                if s > 0:
                    episodes = lam * (1 - rho_c) * rho_c ** (s - 1)
                    horizon = episode_horizon(episodes, horizon)
                # no component fill rate without component stock
                keys = tuple(k for k in kpis if not (s == 0 and k == "component_fill_rate"))
                solve = partial(theory.ato_decoupling, lam, lam / rho_c, lam / rho_a, s)
                out.append(
                    Case(
                        "ato-decoupling",
                        f"rho_c={rho_c}, rho_a={rho_a}, S={s}",
                        "ato-decoupling",
                        (
                            f"products.standard.demand_rate={lam}",
                            f"supplier.service_rate={lam / rho_c}",
                            f"manufacturer.service_rate={lam / rho_a}",
                            f"supplier.base_stock={s}",
                        ),
                        DeferredTheory(solve, keys),
                        horizon=horizon,
                        quick=(rho_c, rho_a, s) == (0.65, 0.6, 2),
                    )
                )
    return out


def all_cases() -> list[Case]:
    """Every validation case, in report order."""
    return [
        *_mm1_bts_cases(),
        *_mm1_bto_cases(),
        *_hybrid_cases(),
        *_mg1_cases(),
        *_palm_cases(),
        *_bullwhip_cases(),
        *_little_cases(),
        *_utilization_cases(),
        *_ato_cases(),
    ]


def quick_cases() -> list[Case]:
    """The fast subset run inside ``make test``."""
    return [c for c in all_cases() if c.quick]
