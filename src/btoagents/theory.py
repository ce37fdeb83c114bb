"""Closed forms the model must reproduce in its special cases.

Each function returns the theoretical KPI values under the model's own KPI names, so a
validation case compares them directly with a simulation. Rates are per day, times in
days, stock and backorders in units. Sources:

- M/M/1 make-to-stock with base stock: Buzacott and Shanthikumar, "Stochastic Models of
  Manufacturing Systems", Prentice Hall 1993, section 4.2; Zipkin, "Foundations of
  Inventory Management", McGraw-Hill 2000, section 8.3 (the production-inventory system).
- M/M/1 and M/G/1 (Pollaczek-Khinchine): Kleinrock, "Queueing Systems, Volume 1: Theory",
  Wiley 1975, sections 3.2 and 5.6.
- Priority queues (non-preemptive: Cobham, "Priority assignment in waiting line problems",
  Operations Research 2(1), 1954; preemptive-resume): Kleinrock, "Queueing Systems,
  Volume 2: Computer Applications", Wiley 1976, section 3.6.
- Palm's theorem for (S-1, S) replenishment with lead time L: Palm, "Analysis of the Erlang
  traffic formula for busy-signal arrangements", Ericsson Technics 5, 1938; in inventory
  form, Zipkin 2000, section 7.2.
- Bullwhip of order-up-to with a moving-average forecast: Chen, Drezner, Ryan and
  Simchi-Levi, "Quantifying the bullwhip effect in a simple supply chain", Management
  Science 46(3), 2000.
- Little's law: Little, "A proof for the queuing formula L = lambda W", Operations
  Research 9(3), 1961.
- Newsvendor: Arrow, Harris and Marschak, "Optimal inventory policy", Econometrica 19(3),
  1951; Zipkin 2000, section 6.2.
"""

from __future__ import annotations

import math

from scipy import stats


def _check_stable(lam: float, mu: float) -> float:
    if lam <= 0 or mu <= 0:
        raise ValueError(f"rates must be positive (lambda={lam}, mu={mu})")
    rho = lam / mu
    if rho >= 1:
        raise ValueError(f"unstable: rho = {rho} >= 1")
    return rho


# -- M/M/1 make-to-stock ------------------------------------------------------------------


def mm1_bts(lam: float, mu: float, base_stock: int) -> dict[str, float]:
    """M/M/1 make-to-stock with base stock ``S`` and full backordering.

    Jobs in the system N are geometric, P(N = n) = (1 - rho) rho^n; stock is (S - N)+ and
    backorders (N - S)+. An order finding N >= S waits for N - S + 1 completions, a
    geometric sum of exponentials, so its delay is exponential with rate mu - lambda:
    P(delay > t) = rho^S exp(-(mu - lambda) t).
    """
    rho = _check_stable(lam, mu)
    s = base_stock
    return {
        "fill_rate": 1 - rho**s,
        "fg_inventory": s - rho * (1 - rho**s) / (1 - rho),
        "backorders": rho ** (s + 1) / (1 - rho),
        "lead_time_mean": rho**s / (mu - lam),
        "lead_time_p95": mm1_bts_delay_quantile(lam, mu, s, 0.95),
        "utilization": rho,
    }


def mm1_bts_delay_survival(lam: float, mu: float, base_stock: int, t: float) -> float:
    """P(an order's delivery delay > t) in the M/M/1 make-to-stock queue (t >= 0, days)."""
    rho = _check_stable(lam, mu)
    return rho**base_stock * math.exp(-(mu - lam) * t)


def mm1_bts_delay_quantile(lam: float, mu: float, base_stock: int, q: float) -> float:
    """The q-quantile of the delivery delay (0 when at least a share q is served at once)."""
    rho = _check_stable(lam, mu)
    tail = rho**base_stock
    if tail <= 1 - q:
        return 0.0
    return math.log(tail / (1 - q)) / (mu - lam)


def mm1_bts_optimal_base_stock(lam: float, mu: float, holding: float, backorder: float) -> int:
    """Base stock minimising h E[stock] + b E[backorders] in the M/M/1 make-to-stock queue.

    The cost difference C(S+1) - C(S) = h - (h + b) rho^(S+1) is increasing in S, so S* is
    the smallest S with rho^(S+1) <= h / (h + b): a critical fractile on the geometric tail.
    """
    rho = _check_stable(lam, mu)
    if holding <= 0 or backorder < 0:
        raise ValueError("holding cost must be > 0 and backorder cost >= 0")
    ratio = holding / (holding + backorder)
    return max(0, math.ceil(math.log(ratio) / math.log(rho) - 1 - 1e-12))


def mm1_bts_cost(lam: float, mu: float, base_stock: int, holding: float, backorder: float) -> float:
    """Expected cost rate h E[stock] + b E[backorders] at base stock ``S``."""
    k = mm1_bts(lam, mu, base_stock)
    return holding * k["fg_inventory"] + backorder * k["backorders"]


# -- build to order -----------------------------------------------------------------------


def mm1_bto(lam: float, mu: float) -> dict[str, float]:
    """M/M/1 build to order: delivery time exponential with rate mu - lambda."""
    rho = _check_stable(lam, mu)
    return {
        "stock_service_share": 0.0,  # (fill_rate, of stocked demand, is undefined: none)
        "fg_inventory": 0.0,
        "backorders": rho / (1 - rho),
        "lead_time_mean": 1 / (mu - lam),
        "lead_time_p95": math.log(20.0) / (mu - lam),
        "utilization": rho,
    }


def service_second_moment(mu: float, distribution: str, cv: float = 1.0) -> float:
    """E[S^2] of a service time with mean 1/mu (days^2)."""
    mean = 1 / mu
    if distribution == "exponential":
        return 2 * mean**2
    if distribution == "deterministic":
        return mean**2
    if distribution in ("gamma", "lognormal"):
        return (1 + cv**2) * mean**2
    raise ValueError(f"unknown distribution {distribution!r}")


def mg1_bto(lam: float, mu: float, distribution: str, cv: float = 1.0) -> dict[str, float]:
    """M/G/1 build to order: Pollaczek-Khinchine mean time in system and backlog."""
    rho = _check_stable(lam, mu)
    wait = lam * service_second_moment(mu, distribution, cv) / (2 * (1 - rho))
    sojourn = wait + 1 / mu
    return {"lead_time_mean": sojourn, "backorders": lam * sojourn, "utilization": rho}


# -- two products on one line ---------------------------------------------------------------


def hybrid_fcfs(lam_bts: float, lam_bto: float, mu: float, base_stock: int) -> dict[str, float]:
    """One BTS product (base stock S) and one BTO product sharing an exponential line, FCFS.

    Under FCFS the line is an M/M/1 queue of total load rho; each job in it is a BTS job
    independently with probability lambda_1 / lambda, so the BTS jobs in the system are
    geometric with ratio sigma = rho_1 / (1 - rho_2) and the BTS fill rate is 1 - sigma^S.
    A BTO order's delivery time is the M/M/1 sojourn time, exponential with rate mu - lambda.
    """
    lam = lam_bts + lam_bto
    rho = _check_stable(lam, mu)
    rho1, rho2 = lam_bts / mu, lam_bto / mu
    sigma = rho1 / (1 - rho2)
    return {
        "fill_rate[standard]": 1 - sigma**base_stock,
        "lead_time_mean[custom]": 1 / (mu - lam),
        "utilization": rho,
    }


def hybrid_priority(
    lam_bts: float, lam_bto: float, mu: float, preemptive: bool
) -> dict[str, float]:
    """Mean BTO delivery time when BTO jobs have priority over BTS replenishment jobs.

    Non-preemptive (Cobham): W = R / (1 - rho_BTO) + 1/mu with the mean residual work
    R = sum lambda_i E[S^2] / 2 = rho / mu for exponential service. Preemptive-resume: the
    BTO class does not see the BTS class at all, an M/M/1 queue of its own.
    """
    lam = lam_bts + lam_bto
    rho = _check_stable(lam, mu)
    rho_bto = lam_bto / mu
    if preemptive:
        lead = 1 / (mu - lam_bto)
    else:
        lead = (rho / mu) / (1 - rho_bto) + 1 / mu
    return {"lead_time_mean[custom]": lead, "utilization": rho}


# -- replenishment with a lead time -------------------------------------------------------------


def palm_base_stock(lam: float, lead_time: float, base_stock: int) -> dict[str, float]:
    """(S-1, S) replenishment with a fixed lead time under Poisson demand (Palm's theorem).

    Units on order are Poisson with mean lambda L whatever the lead-time distribution's
    shape; stock is (S - O)+, backorders (O - S)+, and an order is filled at once when
    O <= S - 1.
    """
    if lam <= 0 or lead_time < 0 or base_stock < 0:
        raise ValueError("need lambda > 0, lead time >= 0, base stock >= 0")
    m = lam * lead_time
    s = base_stock
    dist = stats.poisson(m)
    fill = float(dist.cdf(s - 1)) if s > 0 else 0.0
    # E[(S - O)+] = sum_{k<S} (S - k) p(k);  E[(O - S)+] = E[O] - S + E[(S - O)+]
    stock = sum((s - k) * float(dist.pmf(k)) for k in range(s))
    backorders = m - s + stock
    return {"fill_rate": fill, "fg_inventory": stock, "backorders": backorders}


# -- bullwhip ---------------------------------------------------------------------------------


def bullwhip_moving_average(lead_periods: float, window: int) -> float:
    """Var(orders)/Var(demand) = 1 + 2L/p + 2L^2/p^2 (Chen et al. 2000, i.i.d. demand)."""
    if window < 1 or lead_periods < 0:
        raise ValueError("need window >= 1 and lead time >= 0")
    ratio = lead_periods / window
    return 1 + 2 * ratio + 2 * ratio**2


def bullwhip_exponential_smoothing(lead_periods: float, alpha: float) -> float:
    """Var(orders)/Var(demand) = 1 + 2 L alpha + 2 L^2 alpha^2 / (2 - alpha) for an
    order-up-to stage forecasting i.i.d. demand by exponential smoothing with weight alpha
    (Chen, Ryan and Simchi-Levi, "The impact of exponential smoothing forecasts on the
    bullwhip effect", Naval Research Logistics 47(4), 2000)."""
    if not 0 < alpha <= 1 or lead_periods < 0:
        raise ValueError("need 0 < alpha <= 1 and lead time >= 0")
    return 1 + 2 * lead_periods * alpha + 2 * (lead_periods * alpha) ** 2 / (2 - alpha)


# -- Little's law and utilization -----------------------------------------------------------


def littles_law_level(rate: float, time_in_system: float) -> float:
    """L = lambda W: the time-average number in a system from its throughput and sojourn."""
    return rate * time_in_system


def utilization(rates: list[float], service_rates: list[float], servers: int = 1) -> float:
    """Offered load sum(lambda_i / mu_i) / c, the busy share of c servers in steady state."""
    return sum(lam / mu for lam, mu in zip(rates, service_rates, strict=True)) / servers


# -- seasonal pre-build -----------------------------------------------------------------------


def seasonal_prebuild(mean_rate: float, amplitude: float, capacity: float, period: float) -> float:
    """Units to pre-build per cycle for lambda(t) = m (1 + a cos(2 pi t / T)) against capacity c.

    The demand above capacity in one cycle, integral of (lambda(t) - c)+ dt. With
    k = (c/m - 1)/a and half-width t0 = arccos(k) / omega of the interval above capacity:
    2 [(m - c) t0 + m a sin(omega t0) / omega]. Zero when c >= m (1 + a); the cycle is
    infeasible (the integral of demand exceeds capacity) when c < m.
    """
    if mean_rate <= 0 or period <= 0 or not 0 <= amplitude < 1:
        raise ValueError("need mean rate > 0, period > 0, 0 <= amplitude < 1")
    if capacity < mean_rate:
        raise ValueError("capacity below the mean rate: no pre-build plan keeps up")
    if amplitude == 0 or capacity >= mean_rate * (1 + amplitude):
        return 0.0
    omega = 2 * math.pi / period
    k = (capacity / mean_rate - 1) / amplitude
    t0 = math.acos(k) / omega
    return 2 * ((mean_rate - capacity) * t0 + mean_rate * amplitude * math.sin(omega * t0) / omega)


# -- newsvendor -------------------------------------------------------------------------------


def newsvendor_normal(mean: float, sd: float, underage: float, overage: float) -> dict[str, float]:
    """Single-period order quantity for normal demand: Q* = mean + sd z, Phi(z) = cu/(cu+co).

    Also the expected shortage sd L(z) and leftover Q* - mean + sd L(z), with the standard
    normal loss function L(z) = phi(z) - z (1 - Phi(z)).
    """
    if sd <= 0 or underage <= 0 or overage <= 0:
        raise ValueError("need sd > 0 and positive underage and overage costs")
    fractile = underage / (underage + overage)
    z = float(stats.norm.ppf(fractile))
    loss = float(stats.norm.pdf(z) - z * stats.norm.sf(z))
    q = mean + sd * z
    return {
        "quantity": q,
        "critical_fractile": fractile,
        "expected_shortage": sd * loss,
        "expected_leftover": q - mean + sd * loss,
    }


# -- assemble to order with a decoupling stock (exact Markov chain) ------------------------


def _truncation(rho: float, tol: float) -> int:
    """Smallest n with rho^n < tol: geometric tails beyond n carry less than tol."""
    return max(10, math.ceil(math.log(tol) / math.log(rho)) + 5)


class AtoDecouplingChain:
    """Exact solution of the assemble-to-order decoupling point (the ``ato-decoupling`` preset).

    A component line (one exponential server, rate ``mu_component``) keeps a base stock
    ``S`` of components; every order triggers one component job; components go to waiting
    orders first-come first-served; final assembly is one exponential line
    (``mu_assembly``), FCFS. The state (i, j) is the number of jobs at the component line
    and of orders at assembly: stock is (S - i)+ and orders waiting for a component
    (i - S)+. The chain has no product form once S > 0; it is truncated where the
    geometric tails of both marginals fall below ``tol`` (the mass left on the boundary is
    ``boundary_mass``) and solved with scipy's sparse solver.

    The lead time of an order is phase-type: by PASTA an arriving order sees (i, j) with the
    stationary probabilities. If i < S it enters assembly behind j orders. Otherwise it
    waits for the (i - S + 1)-th component completion from now, and each earlier completion
    puts one more order ahead of it at assembly, which keeps serving meanwhile. Phases:
    W(k, m), waiting for the k-th completion with m orders ahead at assembly, and A(m),
    at assembly with m ahead; absorption when the order's own assembly ends.
    """

    def __init__(
        self,
        lam: float,
        mu_component: float,
        mu_assembly: float,
        base_stock: int,
        tol: float = 1e-10,
    ) -> None:
        import numpy as np

        self.lam = lam
        self.rho_c = _check_stable(lam, mu_component)
        self.rho_a = _check_stable(lam, mu_assembly)
        if base_stock < 0:
            raise ValueError("base stock must be >= 0")
        self.mu_c, self.mu_a, self.s = mu_component, mu_assembly, int(base_stock)
        self.n_i = _truncation(self.rho_c, tol) + self.s
        self.n_j = _truncation(max(self.rho_a, self.rho_c), tol) + 10
        self.grid = self._stationary()
        self.boundary_mass = float(
            self.grid[self.n_i, :].sum()
            + self.grid[:, self.n_j].sum()
            - self.grid[self.n_i, self.n_j]
        )
        self._t, self._alpha = self._phase_type()
        self._np = np

    def _stationary(self):
        import numpy as np
        from scipy import sparse
        from scipy.sparse import linalg as splinalg

        n_i, n_j, s = self.n_i, self.n_j, self.s
        lam, mu_c, mu_a = self.lam, self.mu_c, self.mu_a
        size = (n_i + 1) * (n_j + 1)
        rows, cols, vals = [], [], []
        for i in range(n_i + 1):
            for j in range(n_j + 1):
                a = i * (n_j + 1) + j
                if i < n_i:  # an order arrives: a component job; with stock, to assembly
                    j2 = j + 1 if i < s else j
                    if j2 <= n_j:
                        rows.append(a), cols.append((i + 1) * (n_j + 1) + j2), vals.append(lam)
                if i > 0:  # a component is done: to a waiting order (then assembly) or stock
                    j2 = j + 1 if i > s else j
                    if j2 <= n_j:
                        rows.append(a), cols.append((i - 1) * (n_j + 1) + j2), vals.append(mu_c)
                if j > 0:
                    rows.append(a), cols.append(a - 1), vals.append(mu_a)
        q = sparse.csr_matrix((vals, (rows, cols)), shape=(size, size))
        q = q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())
        # pi Q = 0: the balance equation of the empty state is replaced by pi[0] = 1, then pi
        # is normalised. (Replacing it by the normalisation row of ones would put a dense row
        # into the sparse LU: a hundred times slower at 80% load, with the same solution.)
        a_t = q.T.tolil()
        a_t[0, :] = 0.0
        a_t[0, 0] = 1.0
        rhs = np.zeros(size)
        rhs[0] = 1.0
        pi = splinalg.spsolve(a_t.tocsc(), rhs)
        pi /= pi.sum()
        return pi.reshape(n_i + 1, n_j + 1)

    def _phase_type(self):
        import numpy as np
        from scipy import sparse

        n_k, n_m = self.n_i + 1, self.n_j + self.n_i + 1
        n_w = n_k * (n_m + 1)
        n_ph = n_w + n_m + 1
        mu_c, mu_a, s = self.mu_c, self.mu_a, self.s

        def w(k: int, m: int) -> int:
            return (k - 1) * (n_m + 1) + m

        rows, cols, vals = [], [], []
        exit_rate = np.zeros(n_ph)
        for k in range(1, n_k + 1):
            for m in range(n_m + 1):
                if k == 1:  # its own component: to assembly behind m orders
                    rows.append(w(k, m)), cols.append(n_w + m), vals.append(mu_c)
                elif m + 1 <= n_m:  # an earlier order's component: one more ahead
                    rows.append(w(k, m)), cols.append(w(k - 1, m + 1)), vals.append(mu_c)
                if m > 0:
                    rows.append(w(k, m)), cols.append(w(k, m - 1)), vals.append(mu_a)
        for m in range(1, n_m + 1):
            rows.append(n_w + m), cols.append(n_w + m - 1), vals.append(mu_a)
        exit_rate[n_w] = mu_a
        t = sparse.csr_matrix((vals, (rows, cols)), shape=(n_ph, n_ph))
        t = (t - sparse.diags(np.asarray(t.sum(axis=1)).ravel() + exit_rate)).tocsc()
        alpha = np.zeros(n_ph)
        for i in range(self.n_i + 1):
            for j in range(self.n_j + 1):
                alpha[n_w + j if i < s else w(i - s + 1, j)] += self.grid[i, j]
        return t, alpha / alpha.sum()

    def kpis(self) -> dict[str, float]:
        """Time averages (units, orders), probabilities and mean lead time (days)."""
        import numpy as np

        grid, s = self.grid, self.s
        i_vals = np.arange(self.n_i + 1)[:, None]
        j_vals = np.arange(self.n_j + 1)[None, :]
        waiting = float(np.sum(np.maximum(i_vals - s, 0) * grid))
        assembly = float(np.sum(j_vals * grid))
        return {
            "component_inventory": float(np.sum(np.maximum(s - i_vals, 0) * grid)),
            "orders_awaiting_components": waiting,
            "orders_at_assembly": assembly,
            "backorders": waiting + assembly,
            "component_fill_rate": float(grid[:s, :].sum()),
            "lead_time_mean": (waiting + assembly) / self.lam,
            "utilization": self.rho_a,
            "supplier_utilization": self.rho_c,
        }

    def lead_time_mean_phase_type(self) -> float:
        """alpha (-T)^-1 1: the mean lead time from the phase-type distribution (days)."""
        from scipy.sparse import linalg as splinalg

        return float(splinalg.spsolve((-self._t).T.tocsc(), self._alpha).sum())

    def survival(self, time: float) -> float:
        """P(lead time > time), time in days."""
        from scipy.sparse import linalg as splinalg

        if time <= 0:
            return 1.0
        return float(splinalg.expm_multiply(self._t.T * time, self._alpha).sum())

    def survival_grid(self, stop: float, num: int) -> tuple:
        """P(lead time > t) at ``num`` evenly spaced times t in [0, stop] (days), in one
        pass (far cheaper than ``num`` calls of :meth:`survival`)."""
        import numpy as np
        from scipy.sparse import linalg as splinalg

        times = np.linspace(0.0, stop, num)
        survival = np.empty(num)
        survival[0] = self._alpha.sum()
        state, step = self._alpha, stop / (num - 1)
        # in chunks of at most 256 steps, each starting from the last state of the one
        # before: the memory of 256 phase vectors, not of ``num``
        for first in range(0, num - 1, 256):
            last = min(first + 256, num - 1)
            states = np.asarray(
                splinalg.expm_multiply(
                    self._t.T,
                    state,
                    start=0.0,
                    stop=(last - first) * step,
                    num=last - first + 1,
                    endpoint=True,
                )
            )
            survival[first + 1 : last + 1] = states[1:].sum(axis=1)
            state = states[-1]
        return times, survival

    def quantile(self, q: float) -> float:
        """The q-quantile of the lead time (days)."""
        from scipy import optimize

        hi = max(self.lead_time_mean_phase_type(), 1e-6)
        while self.survival(hi) > 1 - q:
            hi *= 2
        return float(optimize.brentq(lambda x: self.survival(x) - (1 - q), 0.0, hi, xtol=1e-10))

    def probability_sum(self) -> float:
        return float(self.grid.sum())


def ato_decoupling(
    lam: float, mu_component: float, mu_assembly: float, base_stock: int
) -> dict[str, float]:
    """KPIs of the ``ato-decoupling`` preset with its p95 lead time (see AtoDecouplingChain)."""
    chain = AtoDecouplingChain(lam, mu_component, mu_assembly, base_stock)
    return {**chain.kpis(), "lead_time_p95": chain.quantile(0.95)}
