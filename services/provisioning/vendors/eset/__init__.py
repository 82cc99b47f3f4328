"""Antivirus seats through the ESET MSP Administrator 2 API."""

from services.provisioning.vendors.eset.client import EsetAntivirus
from services.provisioning.vendors.eset.settings import EsetSettings
from services.provisioning.vendors.eset.simulator import EsetSimulation

__all__ = ["EsetAntivirus", "EsetSettings", "EsetSimulation"]
