"""Vendor simulators: the same HTTP shapes and error envelopes, faults on demand, a call log."""

from services.provisioning.vendors.simulation.base import Simulation
from services.provisioning.vendors.simulation.calls import CallLog, CallRecord
from services.provisioning.vendors.simulation.faults import Fault, FaultPlan

__all__ = ["CallLog", "CallRecord", "Fault", "FaultPlan", "Simulation"]
