"""Property: the ATO decoupling chain gives a distribution and sane KPIs in the stable region."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from btoagents.theory import AtoDecouplingChain


@given(st.floats(0.1, 0.85), st.floats(0.1, 0.85), st.integers(0, 8))
def test_ato_chain_probabilities_sum_to_one_and_kpis_are_finite(rho_c, rho_a, s):
    chain = AtoDecouplingChain(1.0, 1 / rho_c, 1 / rho_a, s)
    assert abs(chain.probability_sum() - 1.0) < 1e-9
    assert chain.grid.min() > -1e-12
    assert chain.boundary_mass < 1e-10
    for name, value in chain.kpis().items():
        assert math.isfinite(value) and value >= 0, name
    assert 0.0 <= chain.kpis()["component_fill_rate"] <= 1.0
    assert math.isclose(
        chain.lead_time_mean_phase_type(), chain.kpis()["lead_time_mean"], rel_tol=1e-7
    )
