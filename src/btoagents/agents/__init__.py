"""The decision makers of the chain, as Mesa agents."""

from btoagents.agents.customer import FinalCustomer
from btoagents.agents.dealer import Dealer
from btoagents.agents.intermediary import Intermediary
from btoagents.agents.manufacturer import Manufacturer
from btoagents.agents.supplier import HardwareSupplier

__all__ = ["Dealer", "FinalCustomer", "HardwareSupplier", "Intermediary", "Manufacturer"]
