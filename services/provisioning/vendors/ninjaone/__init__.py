"""Monitoring and patching through NinjaOne maintenance mode."""

from services.provisioning.vendors.ninjaone.client import NinjaOneMonitoring
from services.provisioning.vendors.ninjaone.settings import NinjaOneSettings
from services.provisioning.vendors.ninjaone.simulator import NinjaOneSimulation

__all__ = ["NinjaOneMonitoring", "NinjaOneSettings", "NinjaOneSimulation"]
