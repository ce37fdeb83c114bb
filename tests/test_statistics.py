"""The generic streaming statistics of ``btoagents.kpis`` checked against numpy.

Each accumulator is fed random data from a fixed seed and compared with the same quantity
computed in one go by numpy: Welford's mean and variance with ``np.mean``/``np.var``, the
time-average of a piecewise-constant level with its exact integral, the quantile sketch
with ``np.quantile`` within the sketch's own error bound, and the bullwhip period counter
with per-period counts from ``np.bincount``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from btoagents.kpis import QuantileSketch, StagePeriods, TimeAverage, Welford

#: Relative tolerance of a streaming sum or mean against numpy's: both are exact up to
#: rounding, and the data below keep the condition number (|mean| / sd) at most about 1e3.
REL = 1e-12


# --- Welford: running mean and sample variance -------------------------------------------


def welford_of(values) -> Welford:
    acc = Welford()
    for x in values:
        acc.add(float(x))
    return acc


@pytest.mark.parametrize(
    ("seed", "draw"),
    [
        (1, lambda rng: rng.normal(0.0, 1.0, 1000)),
        (2, lambda rng: rng.exponential(30.0, 2000)),  # lead-time-like: skewed, positive
        # a large mean: the one-pass E[x^2] - E[x]^2 loses about 1e-10 here, Welford must not
        (3, lambda rng: rng.normal(1e3, 1.0, 5000)),
        (4, lambda rng: rng.integers(0, 5, 3000)),  # small counts with ties, as in bullwhip
    ],
)
def test_welford_mean_and_variance_match_numpy(seed, draw):
    x = np.asarray(draw(np.random.default_rng(seed)), dtype=float)
    acc = welford_of(x)
    assert acc.n == len(x)
    assert acc.mean == pytest.approx(np.mean(x), rel=REL)
    assert acc.variance == pytest.approx(np.var(x, ddof=1), rel=REL)


def test_welford_add_zeros_matches_numpy_on_data_with_zeros_interleaved():
    rng = np.random.default_rng(11)
    acc, seen = Welford(), []
    for _ in range(50):
        block = rng.poisson(3.0, rng.integers(1, 20)).astype(float)
        for x in block:
            acc.add(float(x))
        zeros = int(rng.integers(0, 15))
        acc.add_zeros(zeros)
        seen.extend(block)
        seen.extend([0.0] * zeros)
    assert acc.n == len(seen)
    assert acc.mean == pytest.approx(np.mean(seen), rel=REL)
    assert acc.variance == pytest.approx(np.var(seen, ddof=1), rel=REL)


def test_welford_add_zeros_on_an_empty_accumulator_gives_zero_mean_and_variance():
    acc = Welford()
    acc.add_zeros(4)
    assert (acc.n, acc.mean, acc.variance) == (4, 0.0, 0.0)


@pytest.mark.parametrize("k", [0, -3])
def test_welford_add_zeros_of_no_observations_changes_nothing(k):
    acc = welford_of([2.0, 5.0, 11.0])
    acc.add_zeros(k)
    assert (acc.n, acc.mean, acc.m2) == (3, 6.0, 42.0)


def test_welford_empty_has_no_variance():
    acc = Welford()
    assert acc.n == 0
    assert acc.mean == 0.0
    assert math.isnan(acc.variance)


def test_welford_one_sample_has_its_mean_and_no_variance():
    acc = welford_of([3.25])
    assert (acc.n, acc.mean) == (1, 3.25)
    assert math.isnan(acc.variance)


def test_welford_constant_data_has_exactly_zero_variance():
    acc = welford_of([0.1] * 1000)
    assert acc.mean == 0.1
    assert acc.variance == 0.0


# --- TimeAverage: time-average of a piecewise-constant level -----------------------------


def exact_time_average(times, deltas, level0, start, end) -> float:
    """The average over [start, end] of the level that starts at ``level0`` and changes by
    ``deltas[i]`` at ``times[i]``, integrated piece by piece."""
    edges = np.concatenate([[0.0], times, [end]])
    levels = level0 + np.concatenate([[0.0], np.cumsum(deltas)])
    lo = np.clip(edges[:-1], start, end)
    hi = np.clip(edges[1:], start, end)
    return float(np.sum(levels * (hi - lo)) / (end - start))


def random_path(seed: int, n: int, horizon: float):
    rng = np.random.default_rng(seed)
    times = np.sort(rng.uniform(0.0, horizon, n))
    deltas = rng.choice([-1.0, 1.0, 2.0, -0.5], n)
    return times, deltas, float(rng.uniform(5.0, 20.0))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_time_average_matches_the_exact_integral_at_every_checkpoint(seed):
    horizon = 500.0
    times, deltas, level0 = random_path(seed, 1000, horizon)
    acc = TimeAverage(level0)
    checkpoints = [50.0, 137.5, 333.3, horizon]  # between events: the open piece counts
    c = 0
    for t, d in zip(times, deltas, strict=True):
        while c < len(checkpoints) and checkpoints[c] < t:
            now = checkpoints[c]
            exact = exact_time_average(times, deltas, level0, 0.0, now)
            assert acc.mean(now) == pytest.approx(exact, rel=REL), now
            c += 1
        acc.add(float(t), float(d))
    assert c == 3  # every checkpoint before the last event was checked
    exact = exact_time_average(times, deltas, level0, 0.0, horizon)
    assert acc.mean(horizon) == pytest.approx(exact, rel=REL)
    assert acc.level == pytest.approx(level0 + deltas.sum(), rel=REL)


@pytest.mark.parametrize(("seed", "warmup"), [(4, 100.0), (5, 250.0), (6, 0.75)])
def test_time_average_reset_cuts_the_warm_up_exactly(seed, warmup):
    horizon = 500.0
    times, deltas, level0 = random_path(seed, 1000, horizon)
    acc = TimeAverage(level0)
    cut = False
    for t, d in zip(times, deltas, strict=True):
        if not cut and t >= warmup:
            acc.reset(warmup)
            cut = True
        acc.add(float(t), float(d))
    exact = exact_time_average(times, deltas, level0, warmup, horizon)
    assert acc.start == warmup
    assert acc.mean(horizon) == pytest.approx(exact, rel=REL)
    # the warm-up's own average differs, so keeping any of its area would show
    assert exact != pytest.approx(exact_time_average(times, deltas, level0, 0.0, horizon))


def test_time_average_second_reset_starts_a_new_window():
    horizon = 300.0
    times, deltas, level0 = random_path(7, 600, horizon)
    acc = TimeAverage(level0)
    windows = [100.0, 200.0]
    for t, d in zip(times, deltas, strict=True):
        while windows and windows[0] <= t:
            acc.reset(windows.pop(0))
        acc.add(float(t), float(d))
    exact = exact_time_average(times, deltas, level0, 200.0, horizon)
    assert acc.mean(horizon) == pytest.approx(exact, rel=REL)


def test_time_average_without_changes_is_the_initial_level():
    acc = TimeAverage(3.5)
    assert acc.mean(10.0) == 3.5
    acc.reset(4.0)
    assert acc.mean(10.0) == 3.5


def test_time_average_over_an_empty_span_is_the_current_level():
    acc = TimeAverage(2.0)
    assert acc.mean(0.0) == 2.0  # documented degenerate case: no time has passed
    acc.add(5.0, 3.0)
    acc.reset(5.0)
    assert acc.mean(5.0) == 5.0


def test_time_average_of_a_constant_level_is_that_level():
    acc = TimeAverage(7.0)
    for t in np.sort(np.random.default_rng(8).uniform(0.0, 100.0, 200)):
        acc.add(float(t), 0.0)
    assert acc.mean(100.0) == pytest.approx(7.0, rel=1e-15)


# --- QuantileSketch: DDSketch-style relative-error quantiles ------------------------------
#
# The error bound, derived from the algorithm: with gamma = (1 + alpha) / (1 - alpha), a
# positive value x goes to bucket k = ceil(log_gamma x), the interval (gamma^(k-1), gamma^k],
# and the bucket answers 2 gamma^k / (gamma + 1). That answer is (1 + alpha) times the
# bucket's lower end and (1 - alpha) times its upper end, so it is within relative error
# alpha of every value in the bucket. ``quantile(q)`` walks the buckets until more than
# q (n - 1) values are seen: it answers for the order statistic x_(floor(q (n - 1))),
# 0-based, which is ``np.quantile(..., method="lower")``. Hence, for positive values,
#     |sketch.quantile(q) - np.quantile(x, q, method="lower")| <= alpha * that quantile,
# up to float rounding in the logarithm (a relative 1e-9 of slack below); zeros (orders
# served from stock) are counted apart and come back as exactly 0.


def sketch_of(values, alpha: float = 0.001) -> QuantileSketch:
    sk = QuantileSketch(alpha)
    for x in values:
        sk.add(float(x))
    return sk


def assert_within_bound(sk: QuantileSketch, x: np.ndarray, q: float) -> None:
    exact = float(np.quantile(x, q, method="lower"))
    got = sk.quantile(q)
    if exact == 0.0:
        assert got == 0.0, q
    else:
        assert abs(got - exact) <= sk.alpha * exact * (1 + 1e-9), (q, got, exact)


QS = (0.0, 0.01, 0.25, 0.5, 0.9, 0.95, 0.99, 1.0)


@pytest.mark.parametrize("alpha", [0.001, 0.01, 0.05])
@pytest.mark.parametrize(
    ("seed", "n", "draw"),
    [
        (1, 5000, lambda rng, n: rng.lognormal(2.0, 1.5, n)),  # spans several decades
        (2, 200, lambda rng, n: rng.exponential(40.0, n)),  # few values: wide gaps
        (3, 37, lambda rng, n: rng.gamma(2.0, 10.0, n)),
        (4, 3000, lambda rng, n: 10.0 ** rng.uniform(-9.0, 3.0, n)),  # down to 1e-9 days
    ],
)
def test_sketch_quantiles_match_numpy_within_relative_alpha(alpha, seed, n, draw):
    x = draw(np.random.default_rng(seed), n)
    sk = sketch_of(x, alpha)
    for q in QS:
        assert_within_bound(sk, x, q)
    # memory: one counter per occupied bucket, never more than the range needs
    gamma = (1 + alpha) / (1 - alpha)
    assert len(sk.buckets) <= math.log(x.max() / x.min()) / math.log(gamma) + 2


@pytest.mark.parametrize("seed", [5, 6])
def test_sketch_p95_of_lead_times_with_zeros_served_from_stock(seed):
    rng = np.random.default_rng(seed)
    n = 4000
    lead = np.where(rng.random(n) < 0.6, 0.0, rng.exponential(25.0, n))
    sk = sketch_of(lead)
    assert sk.zeros == np.count_nonzero(lead == 0.0)
    assert sk.count == n
    assert_within_bound(sk, lead, 0.95)
    assert sk.quantile(0.5) == 0.0  # more than half were served from stock
    for q in QS:
        assert_within_bound(sk, lead, q)


def test_sketch_p95_against_the_default_interpolated_quantile():
    x = np.random.default_rng(9).exponential(30.0, 10_000)
    sk = sketch_of(x)
    assert_within_bound(sk, x, 0.95)
    # numpy's default interpolates between x_(floor) and x_(ceil); the sketch answers
    # within alpha of x_(floor), so it is within alpha + (hi - lo) / lo of the default
    lo, hi = np.quantile(x, 0.95, method="lower"), np.quantile(x, 0.95, method="higher")
    bound = sk.alpha + (hi - lo) / lo
    assert sk.quantile(0.95) == pytest.approx(np.quantile(x, 0.95), rel=bound)


def test_sketch_does_not_depend_on_the_order_of_the_values():
    x = np.random.default_rng(10).lognormal(1.0, 1.0, 1000)
    a = sketch_of(x)
    b = sketch_of(np.random.default_rng(11).permutation(x))
    assert a.buckets == b.buckets
    assert [a.quantile(q) for q in QS] == [b.quantile(q) for q in QS]


def test_sketch_add_bucket_with_an_equal_sketchs_index_equals_add():
    """The model computes one bucket index per delivery and counts it in several sketches."""
    x = np.random.default_rng(12).exponential(10.0, 500)
    x[::7] = 0.0
    direct, shared, other = QuantileSketch(), QuantileSketch(), QuantileSketch()
    for v in x:
        direct.add(float(v))
        shared.add_bucket(other.bucket(float(v)))
    assert (direct.count, direct.zeros, direct.buckets) == (
        shared.count,
        shared.zeros,
        shared.buckets,
    )


def test_sketch_empty_is_nan():
    assert math.isnan(QuantileSketch().quantile(0.95))


@pytest.mark.parametrize("value", [0.37, 12.0, 4.2e4])
def test_sketch_of_one_value_answers_that_value_at_every_quantile(value):
    sk = sketch_of([value])
    for q in QS:
        assert sk.quantile(q) == pytest.approx(value, rel=sk.alpha)


def test_sketch_of_constant_data_answers_the_constant():
    sk = sketch_of([17.5] * 1000, alpha=0.01)
    assert len(sk.buckets) == 1
    for q in QS:
        assert sk.quantile(q) == pytest.approx(17.5, rel=sk.alpha)


def test_sketch_of_zeros_only_answers_zero():
    sk = sketch_of([0.0] * 50)
    assert sk.buckets == {}
    assert all(sk.quantile(q) == 0.0 for q in QS)


# --- StagePeriods: per-period demand and orders for the bullwhip ratio ------------------


@pytest.mark.parametrize(
    ("seed", "length", "start"),
    [(1, 7.0, 0.0), (2, 7.0, 70.0), (3, 1.0, 12.5), (4, 7.0, 30.0)],
)
def test_stage_periods_ratio_matches_numpy_on_period_counts(seed, length, start):
    rng = np.random.default_rng(seed)
    horizon = 1000.0
    # sparse demand (about 2 per 7-day period, fewer per 1-day one): many empty periods
    t_demand = np.sort(rng.uniform(0.0, horizon, 300))
    t_order = np.sort(rng.uniform(0.0, horizon, 120))
    q_order = rng.integers(1, 6, len(t_order))
    events = sorted(
        [(t, "d", 1) for t in t_demand]
        + [(t, "o", int(q)) for t, q in zip(t_order, q_order, strict=True)]
    )
    st = StagePeriods(length, start)
    for t, kind, q in events:
        st.roll(float(t))
        if kind == "d":
            st.demand += q
        else:
            st.orders += q
    st.roll(horizon)

    n_periods = int(horizon // length)  # periods closed by ``horizon``
    first = math.ceil(start / length)  # the first period starting at or after warm-up
    demand = np.bincount((t_demand // length).astype(int), minlength=n_periods)[first:n_periods]
    orders = np.bincount((t_order // length).astype(int), weights=q_order, minlength=n_periods)
    orders = orders[first:n_periods]
    assert st.demands.n == st.ordered.n == n_periods - first
    assert st.demands.mean == pytest.approx(demand.mean(), rel=REL)
    assert st.ordered.mean == pytest.approx(orders.mean(), rel=REL)
    ratio = np.var(orders, ddof=1) / np.var(demand, ddof=1)
    assert st.ratio() == pytest.approx(ratio, rel=REL)


def test_stage_periods_ratio_is_nan_without_demand_variance():
    st = StagePeriods(1.0, 0.0)
    assert math.isnan(st.ratio())  # no period closed yet
    for t in range(10):
        st.roll(t + 0.5)
        st.demand += 2
        st.orders += t % 3
    st.roll(10.0)
    assert st.demands.n == 10
    assert math.isnan(st.ratio())  # constant demand: the ratio is undefined
