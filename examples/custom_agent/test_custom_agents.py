"""The example agents: what each changes, in isolation and in a short run."""

from __future__ import annotations

import pytest

from btoagents.config import load_scenario
from btoagents.errors import ConfigError
from btoagents.model import SupplyChainModel
from examples.custom_agent import CappedDealer, ImpatientCustomer

SHORT = ["simulation.horizon=120", "simulation.warmup=20"]
CAPPED = "examples.custom_agent:CappedDealer"
IMPATIENT = "examples.custom_agent:ImpatientCustomer"


def test_a_capped_dealer_holds_at_most_max_units_of_each_variant():
    scn = load_scenario("dealer-network", [*SHORT, f"dealers.agent={CAPPED}"])
    model = SupplyChainModel(scn, seed=1)
    plain = SupplyChainModel(load_scenario("dealer-network", SHORT), seed=1)
    assert all(type(d) is CappedDealer for d in model.dealers)
    assert max(max(d.stock.base) for d in plain.dealers) > 1
    assert max(max(d.stock.base) for d in model.dealers) == 1  # the default max_units
    kpis = model.run()  # conservation is audited at the end of the run
    assert kpis["dealer_inventory"] < plain.run()["dealer_inventory"]


def test_an_impatient_customer_waits_at_most_max_wait_days():
    over = [*SHORT, f"customers.agent={IMPATIENT}", "customers.params.max_wait=0.5"]
    model = SupplyChainModel(load_scenario("mm1-bts", over), seed=4)
    assert all(isinstance(c, ImpatientCustomer) for c in model.customers)
    assert max(c.patience for c in model.customers) == 0.5
    kpis = model.run()
    plain = SupplyChainModel(load_scenario("mm1-bts", SHORT), seed=4).run()
    assert kpis["lost_sales_rate"] > plain["lost_sales_rate"]


def test_their_parameters_are_checked_at_load():
    with pytest.raises(ConfigError) as exc:
        load_scenario("dealer-network", [f"dealers.agent={CAPPED}", "dealers.params.max_unit=2"])
    assert str(exc.value).endswith("did you mean 'dealers.params.max_units'?")
