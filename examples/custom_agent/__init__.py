"""A researcher's own agents, named in a scenario by their import paths.

Run from the repository root::

    btoagents run dealer-network --set dealers.agent=examples.custom_agent:CappedDealer \\
        --set dealers.params.max_units=2
    btoagents run dealer-network --set customers.agent=examples.custom_agent:ImpatientCustomer \\
        --set customers.params.max_wait=7
"""

from examples.custom_agent.capped_dealer import CappedDealer
from examples.custom_agent.impatient_customer import ImpatientCustomer

__all__ = ["CappedDealer", "ImpatientCustomer"]
