"""Web hosting through the Plesk REST API v2."""

from services.provisioning.vendors.plesk.client import PleskHosting
from services.provisioning.vendors.plesk.settings import PleskSettings
from services.provisioning.vendors.plesk.simulator import PleskSimulation

__all__ = ["PleskHosting", "PleskSettings", "PleskSimulation"]
