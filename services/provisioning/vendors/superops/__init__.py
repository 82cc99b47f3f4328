"""Monitoring and patching through the SuperOps RMM GraphQL API (operations unverified)."""

from services.provisioning.vendors.superops.client import SuperOpsMonitoring
from services.provisioning.vendors.superops.settings import SuperOpsSettings
from services.provisioning.vendors.superops.simulator import SuperOpsSimulation

__all__ = ["SuperOpsMonitoring", "SuperOpsSettings", "SuperOpsSimulation"]
