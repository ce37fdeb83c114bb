"""Kim and Nelson's procedure KN (btoagents.experiment.ranking) on constructed arms.

The statistical check: arms with normal KPIs, correlated between arms as common random
numbers make them, and the best exactly ``delta`` ahead of all the others (the slippage,
or least-favourable, configuration of Kim and Nelson 2001). KN promises
P(correct selection) >= 1 - alpha there. Over M independent macro-replications the number
of correct selections is Binomial(M, p) with p >= 1 - alpha, so the observed rate falls
below 1 - alpha - z sqrt(alpha (1 - alpha) / M) with probability at most 0.1% for
z = 3.09 (normal approximation, one-sided): a test that fails there has found a procedure
below its promise, not bad luck. KN is conservative, so the rate is usually far above.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from btoagents.experiment.ranking import KimNelson, kim_nelson, kn_eta, kn_h2

Z_ONE_SIDED_0_1_PERCENT = 3.09


def slippage_draws(
    k: int, delta: float, sd: float, rho: float, seed: int, best: int = 0, sign: float = 1.0
):
    """draw(arm, r) for k normal arms with common correlation rho (CRN), sd ``sd``, the
    arm ``best`` exactly ``delta`` better than every other (larger, or smaller when
    ``sign`` is -1)."""
    rng = np.random.default_rng(seed)
    mu = np.zeros(k)
    mu[best] = sign * delta
    cov = sd**2 * (rho * np.ones((k, k)) + (1 - rho) * np.eye(k))
    chol = np.linalg.cholesky(cov)
    rows: dict[int, np.ndarray] = {}

    def draw(arm: int, r: int) -> float:
        if r not in rows:
            rows[r] = mu + chol @ rng.standard_normal(k)
        return float(rows[r][arm])

    return draw


def correct_rate(macro: int, k: int, alpha: float, n0: int, seed: int) -> tuple[float, float]:
    """Share of macro-replications that select the true best, and mean replications used."""
    names = [f"arm{i}" for i in range(k)]
    hits, used = 0, 0
    for m in range(macro):
        best = m % k  # the best arm's position varies: no help from the tie-break
        draw = slippage_draws(k, delta=1.0, sd=2.0, rho=0.5, seed=seed + m, best=best)
        sel = kim_nelson(draw, names, alpha, 1.0, n0, max_replications=100_000)
        hits += sel.selected == names[best]
        used += sel.total_replications
    return hits / macro, used / macro


def promised_floor(alpha: float, macro: int) -> float:
    return 1 - alpha - Z_ONE_SIDED_0_1_PERCENT * math.sqrt(alpha * (1 - alpha) / macro)


def test_eta_and_h2_follow_kim_and_nelson():
    # eta = ((2 alpha / (k - 1))^(-2 / (n0 - 1)) - 1) / 2: for alpha 0.05, k 2, n0 10 it is
    # (10^(2/9) - 1) / 2 = 0.3340503; h^2 = 2 eta (n0 - 1) = 6.012905
    assert kn_eta(0.05, 2, 10) == pytest.approx(0.3340503, abs=1e-6)
    assert kn_h2(0.05, 2, 10) == pytest.approx(6.012905, abs=1e-5)


def test_picks_the_best_at_the_promised_rate_fast():
    macro, alpha = 150, 0.1
    rate, _ = correct_rate(macro, k=3, alpha=alpha, n0=8, seed=1000)
    assert rate >= promised_floor(alpha, macro)


@pytest.mark.slow
def test_picks_the_best_at_the_promised_rate_over_many_macro_replications():
    macro, alpha = 1500, 0.05
    rate, used = correct_rate(macro, k=4, alpha=alpha, n0=10, seed=20_000)
    assert rate >= promised_floor(alpha, macro)
    assert used < 4 * 1000  # it ended on its own, far below any truncation


def test_a_dominated_arm_is_eliminated_after_n0_and_never_drawn_again():
    calls: list[tuple[int, int]] = []
    close = slippage_draws(2, delta=0.5, sd=1.0, rho=0.8, seed=3)

    def draw(arm: int, r: int) -> float:
        calls.append((arm, r))
        return -100.0 + r * 0.01 if arm == 0 else close(arm - 1, r)

    sel = kim_nelson(draw, ["bad", "a", "b"], alpha=0.05, delta=0.5, n0=6, max_replications=10_000)
    bad = sel.arms[0]
    assert (bad.eliminated_at, bad.replications) == (6, 6)
    assert max(r for arm, r in calls if arm == 0) == 5  # replications 0..n0-1 only
    assert len(calls) == len(set(calls))  # every draw asked for once
    # replications after the first stage go to the surviving arms only, one stage at a time
    survivors = [a for a in sel.arms if a.arm != "bad"]
    assert sum(a.replications for a in survivors) == len(calls) - 6
    assert sel.selected == "a"  # a is delta ahead of b
    chosen = next(a for a in sel.arms if a.selected)
    assert chosen.replications == max(a.replications for a in sel.arms)
    assert bad.difference == pytest.approx(bad.mean - np.mean([draw(1, r) for r in range(6)]))


def test_minimize_selects_the_smallest_mean():
    draw = slippage_draws(3, delta=1.0, sd=0.5, rho=0.5, seed=8, best=2, sign=-1.0)
    sel = kim_nelson(draw, ["x", "y", "z"], 0.05, 1.0, 5, 10_000, maximize=False)
    assert sel.selected == "z"
    z = next(a for a in sel.arms if a.selected)
    assert all(a.difference > 0 for a in sel.arms if not a.selected)  # others cost more
    assert z.mean < 0


def test_identical_arms_end_with_the_first_listed():
    draw = slippage_draws(1, delta=0.0, sd=1.0, rho=0.0, seed=2)
    sel = kim_nelson(lambda arm, r: draw(0, r), ["p", "q"], 0.05, 0.1, 4, 50)
    assert sel.selected == "p" and not sel.truncated
    assert [a.replications for a in sel.arms] == [4, 4]


def test_truncation_returns_the_best_mean_and_says_so():
    draw = slippage_draws(2, delta=0.001, sd=1.0, rho=0.0, seed=5)
    sel = kim_nelson(draw, ["u", "v"], 0.05, 0.001, 5, max_replications=12)
    assert sel.truncated
    assert {a.replications for a in sel.arms} == {12}
    means = {a.arm: a.mean for a in sel.arms}
    assert sel.selected == max(means, key=means.get)


def test_the_state_machine_replays_the_same_observations_to_the_same_state():
    draw = slippage_draws(4, delta=1.0, sd=2.0, rho=0.5, seed=13)
    seen: dict[tuple[int, int], float] = {}

    def recording(arm: int, r: int) -> float:
        seen[(arm, r)] = draw(arm, r)
        return seen[(arm, r)]

    first = kim_nelson(recording, list("abcd"), 0.05, 1.0, 5, 10_000)
    kn = KimNelson(list("abcd"), 0.05, 1.0, 5, 10_000)
    while not kn.done:
        for i, r in kn.wanted():
            kn.observe(i, r, seen.pop((i, r)))  # only what was drawn the first time
        kn.advance()
    assert not seen  # and all of it
    assert kn.result() == first


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"alpha": 0.0}, "alpha"),
        ({"delta": -1.0}, "delta"),
        ({"n0": 1}, "n0"),
        ({"max_replications": 3}, "max_replications"),
    ],
)
def test_bad_settings_are_refused(kwargs, word):
    args = {"alpha": 0.05, "delta": 1.0, "n0": 5, "max_replications": 10} | kwargs
    with pytest.raises(ValueError, match=word):
        KimNelson(["a", "b"], **args)


def test_the_leader_is_the_best_survivor_so_far():
    draw = slippage_draws(3, delta=1.0, sd=0.5, rho=0.5, seed=4, best=1, sign=-1.0)
    kn = KimNelson(["a", "b", "c"], 0.05, 1.0, 5, 100, maximize=False)
    assert kn.leader() is None
    for i, r in kn.wanted():
        kn.observe(i, r, draw(i, r))
    kn.advance()
    name, mean = kn.leader()
    assert name == "b" and mean == pytest.approx(np.mean([draw(1, r) for r in range(5)]))
