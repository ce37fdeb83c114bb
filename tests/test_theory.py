"""Each closed form in btoagents.theory against an independent computation."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate, optimize, stats

from btoagents import theory

GRID = [(lam, s) for lam in (0.3, 0.6, 0.9) for s in (0, 1, 4, 8)]


def geometric(rho: float, n_max: int = 4000) -> np.ndarray:
    n = np.arange(n_max)
    return (1 - rho) * rho**n


@pytest.mark.parametrize("lam, s", GRID)
def test_mm1_bts_matches_sums_over_the_geometric_queue_length(lam, s):
    p = geometric(lam)
    n = np.arange(p.size)
    th = theory.mm1_bts(lam, 1.0, s)
    assert th["fill_rate"] == pytest.approx(p[:s].sum(), abs=1e-12)
    assert th["fg_inventory"] == pytest.approx(np.sum(np.maximum(s - n, 0) * p), rel=1e-10)
    assert th["backorders"] == pytest.approx(np.sum(np.maximum(n - s, 0) * p), rel=1e-10)


@pytest.mark.parametrize("lam, s", GRID)
def test_mm1_bts_delay_mean_is_the_integral_of_its_survival(lam, s):
    mean, _ = integrate.quad(lambda t: theory.mm1_bts_delay_survival(lam, 1.0, s, t), 0, np.inf)
    assert theory.mm1_bts(lam, 1.0, s)["lead_time_mean"] == pytest.approx(mean, rel=1e-8)


@pytest.mark.parametrize("lam, s", [(0.9, 2), (0.8, 3), (0.95, 10)])
def test_mm1_bts_delay_quantile_solves_the_survival_equation(lam, s):
    q = theory.mm1_bts_delay_quantile(lam, 1.0, s, 0.95)
    root = optimize.brentq(lambda t: theory.mm1_bts_delay_survival(lam, 1.0, s, t) - 0.05, 0, 1e4)
    assert q == pytest.approx(root, rel=1e-9)


def test_mm1_bts_delay_quantile_is_zero_when_enough_orders_ship_at_once():
    assert theory.mm1_bts_delay_quantile(0.3, 1.0, 5, 0.95) == 0.0


@pytest.mark.parametrize("lam, h, b", [(0.8, 1.0, 9.0), (0.5, 1.0, 4.0), (0.95, 2.0, 50.0)])
def test_optimal_base_stock_minimises_the_cost_by_brute_force(lam, h, b):
    costs = [theory.mm1_bts_cost(lam, 1.0, s, h, b) for s in range(200)]
    assert theory.mm1_bts_optimal_base_stock(lam, 1.0, h, b) == int(np.argmin(costs))


@pytest.mark.parametrize("lam", [0.3, 0.7, 0.95])
def test_mm1_bto_lead_time_is_exponential(lam):
    th = theory.mm1_bto(lam, 1.0)
    dist = stats.expon(scale=1 / (1.0 - lam))
    assert th["lead_time_mean"] == pytest.approx(dist.mean())
    assert th["lead_time_p95"] == pytest.approx(dist.ppf(0.95))
    assert th["backorders"] == pytest.approx(np.sum(np.arange(4000) * geometric(lam)), rel=1e-9)


@pytest.mark.parametrize("lam", [0.3, 0.8])
def test_pollaczek_khinchine_reduces_to_mm1_and_md1(lam):
    assert theory.mg1_bto(lam, 1.0, "exponential")["lead_time_mean"] == pytest.approx(1 / (1 - lam))
    # M/D/1: W = rho / (2 mu (1 - rho)) + 1/mu
    md1 = lam / (2 * (1 - lam)) + 1.0
    assert theory.mg1_bto(lam, 1.0, "deterministic")["lead_time_mean"] == pytest.approx(md1)


@pytest.mark.parametrize("cv", [0.5, 2.0])
def test_service_second_moment_matches_scipy_gamma_and_lognormal(cv):
    shape = 1 / cv**2
    gamma = stats.gamma(shape, scale=2.0 / shape)  # mean 2 days: mu = 0.5
    assert theory.service_second_moment(0.5, "gamma", cv) == pytest.approx(gamma.moment(2))
    s2 = math.log1p(cv**2)
    logn = stats.lognorm(math.sqrt(s2), scale=2.0 * math.exp(-s2 / 2))
    assert theory.service_second_moment(0.5, "lognormal", cv) == pytest.approx(logn.moment(2))


@pytest.mark.parametrize("l1, l2, s", [(0.4, 0.3, 3), (0.2, 0.6, 5), (0.5, 0.1, 1)])
def test_hybrid_fcfs_fill_rate_thins_the_geometric_queue_binomially(l1, l2, s):
    rho = l1 + l2
    p = geometric(rho, 2000)
    # P(BTS jobs >= S) = sum_n P(N = n) P(Binomial(n, l1/rho) >= S)
    tail = sum(p[n] * stats.binom.sf(s - 1, n, l1 / rho) for n in range(s, p.size))
    assert theory.hybrid_fcfs(l1, l2, 1.0, s)["fill_rate[standard]"] == pytest.approx(
        1 - tail, abs=1e-10
    )


def test_priority_bto_reduces_to_its_own_mm1_without_stock_work():
    eps = 1e-9
    for pre in (False, True):
        lead = theory.hybrid_priority(eps, 0.6, 1.0, pre)["lead_time_mean[custom]"]
        assert lead == pytest.approx(1 / (1 - 0.6), rel=1e-6)


def test_priority_orders_the_bto_lead_times():
    fcfs = theory.hybrid_fcfs(0.4, 0.3, 1.0, 3)["lead_time_mean[custom]"]
    non = theory.hybrid_priority(0.4, 0.3, 1.0, False)["lead_time_mean[custom]"]
    pre = theory.hybrid_priority(0.4, 0.3, 1.0, True)["lead_time_mean[custom]"]
    assert pre < non < fcfs


@pytest.mark.parametrize("lam, lead, s", [(1.0, 2.0, 3), (2.5, 4.0, 12), (0.5, 1.0, 0)])
def test_palm_matches_expectations_over_the_poisson_pipeline(lam, lead, s):
    dist = stats.poisson(lam * lead)
    th = theory.palm_base_stock(lam, lead, s)
    assert th["fg_inventory"] == pytest.approx(
        dist.expect(lambda k: np.maximum(s - k, 0)), abs=1e-9
    )
    assert th["backorders"] == pytest.approx(dist.expect(lambda k: np.maximum(k - s, 0)), abs=1e-9)
    assert th["fill_rate"] == pytest.approx(dist.cdf(s - 1) if s else 0.0)


@pytest.mark.parametrize("lead, alpha", [(2, 0.3), (1, 0.5), (4, 0.2), (3, 1.0)])
def test_exponential_smoothing_bullwhip_equals_the_variance_of_the_order_filter(lead, alpha):
    # q_t = (1 + L a) D_{t-1} - L a F_{t-1}, F_{t-1} = sum_k a (1 - a)^(k-1) D_{t-1-k}
    k = np.arange(1, 3000)
    coef = np.concatenate([[1 + lead * alpha], -lead * alpha * alpha * (1 - alpha) ** (k - 1)])
    assert theory.bullwhip_exponential_smoothing(lead, alpha) == pytest.approx(np.sum(coef**2))


@pytest.mark.parametrize("lead, window", [(2, 4), (1, 1), (3, 2), (0, 5)])
def test_bullwhip_formula_equals_the_variance_of_the_order_filter(lead, window):
    # q_t = D_{t-1} + (L/p)(D_{t-1} - D_{t-1-p}): a linear filter of i.i.d. demand
    coef = np.zeros(window + 1)
    coef[0] = 1 + lead / window
    coef[window] -= lead / window
    assert theory.bullwhip_moving_average(lead, window) == pytest.approx(np.sum(coef**2))


@pytest.mark.parametrize("m, a, c", [(6.0, 0.8, 8.0), (10.0, 0.3, 11.0), (5.0, 0.5, 7.4)])
def test_seasonal_prebuild_is_the_integral_of_demand_above_capacity(m, a, c):
    period = 365.0

    def excess(t):
        return max(m * (1 + a * math.cos(2 * math.pi * t / period)) - c, 0.0)

    numeric, _ = integrate.quad(excess, -period / 2, period / 2, limit=200, points=[0.0])
    assert theory.seasonal_prebuild(m, a, c, period) == pytest.approx(numeric, rel=1e-7)


def test_seasonal_prebuild_is_zero_above_the_peak_and_refuses_too_little_capacity():
    assert theory.seasonal_prebuild(6.0, 0.5, 9.5, 365.0) == 0.0
    with pytest.raises(ValueError):
        theory.seasonal_prebuild(6.0, 0.5, 5.0, 365.0)


@pytest.mark.parametrize("cu, co", [(3.0, 1.0), (1.0, 4.0), (2.0, 2.0)])
def test_newsvendor_quantity_is_scipys_quantile_and_losses_integrate(cu, co):
    mean, sd = 100.0, 15.0
    th = theory.newsvendor_normal(mean, sd, cu, co)
    dist = stats.norm(mean, sd)
    assert th["quantity"] == pytest.approx(dist.ppf(cu / (cu + co)))
    q = th["quantity"]
    short, _ = integrate.quad(lambda x: (x - q) * dist.pdf(x), q, mean + 12 * sd)
    left, _ = integrate.quad(lambda x: (q - x) * dist.pdf(x), mean - 12 * sd, q)
    assert th["expected_shortage"] == pytest.approx(short, rel=1e-7)
    assert th["expected_leftover"] == pytest.approx(left, rel=1e-7)


def test_littles_law_and_utilization_helpers():
    assert theory.littles_law_level(0.8, 5.0) == pytest.approx(4.0)
    assert theory.utilization([0.4, 0.3], [1.0, 2.0], servers=2) == pytest.approx(0.275)


def test_unstable_or_invalid_inputs_are_refused():
    with pytest.raises(ValueError):
        theory.mm1_bts(1.0, 1.0, 2)
    with pytest.raises(ValueError):
        theory.mm1_bto(-0.1, 1.0)


@pytest.mark.parametrize("rho_c, rho_a, s", [(0.5, 0.6, 2), (0.8, 0.4, 5), (0.3, 0.8, 0)])
def test_ato_chain_component_line_matches_mm1_base_stock(rho_c, rho_a, s):
    chain = theory.AtoDecouplingChain(1.0, 1 / rho_c, 1 / rho_a, s)
    k, mm1 = chain.kpis(), theory.mm1_bts(1.0, 1 / rho_c, s)
    assert k["component_inventory"] == pytest.approx(mm1["fg_inventory"], abs=1e-9)
    assert k["orders_awaiting_components"] == pytest.approx(mm1["backorders"], abs=1e-9)
    assert k["component_fill_rate"] == pytest.approx(mm1["fill_rate"], abs=1e-9)
    assert chain.boundary_mass < 1e-10
    assert chain.probability_sum() == pytest.approx(1.0, abs=1e-12)


@pytest.mark.parametrize("rho_c, rho_a", [(0.5, 0.6), (0.8, 0.3), (0.4, 0.85)])
def test_ato_chain_without_stock_is_the_tandem_product_form(rho_c, rho_a):
    chain = theory.AtoDecouplingChain(1.0, 1 / rho_c, 1 / rho_a, 0)
    n_i, n_j = chain.grid.shape
    product = np.outer((1 - rho_c) * rho_c ** np.arange(n_i), (1 - rho_a) * rho_a ** np.arange(n_j))
    assert np.max(np.abs(chain.grid - product)) < 1e-9
    tandem = 1 / (1 / rho_c - 1) + 1 / (1 / rho_a - 1)  # sum of the two M/M/1 sojourns
    assert chain.kpis()["lead_time_mean"] == pytest.approx(tandem, rel=1e-8)


@pytest.mark.parametrize("rho_c, rho_a, s", [(0.5, 0.6, 2), (0.8, 0.8, 6), (0.65, 0.4, 0)])
def test_ato_chain_phase_type_mean_equals_littles_law_mean(rho_c, rho_a, s):
    chain = theory.AtoDecouplingChain(1.0, 1 / rho_c, 1 / rho_a, s)
    assert chain.lead_time_mean_phase_type() == pytest.approx(
        chain.kpis()["lead_time_mean"], rel=1e-8
    )
    # the slower station's tail decays at rate mu - lambda: past 25 / (mu - lambda) days
    # P(T > t) is below e^-25 of its scale. Simpson's rule on 1,001 points is then within
    # 2e-8 of the integral at these three loads (500 points: 3e-7)
    num = 1001
    stop = 25.0 / min(1 / rho_c - 1, 1 / rho_a - 1)
    times, surv = chain.survival_grid(stop, num)
    for k in (0, num // 100, num // 10, num - 1):
        assert surv[k] == pytest.approx(chain.survival(times[k]), rel=1e-9, abs=1e-15)
    mean = integrate.simpson(surv, x=times)  # E[T] = integral of P(T > t)
    assert mean == pytest.approx(chain.kpis()["lead_time_mean"], rel=1e-6)
    q = chain.quantile(0.95)
    assert chain.survival(q) == pytest.approx(0.05, abs=1e-9)


def test_ato_chain_survival_without_stock_is_the_tandem_convolution():
    # S = 0: the lead time is the sum of two independent exponential sojourns
    a, b = 1.0 / (1 / 0.5 - 1), 1.0 / (1 / 0.6 - 1)  # means 1 and 1.5
    chain = theory.AtoDecouplingChain(1.0, 2.0, 1 / 0.6, 0)
    for t in (0.5, 2.0, 6.0):
        exact = (b * math.exp(-t / b) - a * math.exp(-t / a)) / (b - a)
        assert chain.survival(t) == pytest.approx(exact, rel=1e-7)
