"""The vendor layer of provisioning: ports, HTTP adapters, simulators, fakes and retries."""

from services.provisioning.vendors.errors import VendorError
from services.provisioning.vendors.ports import (
    AntivirusPort,
    HostingPort,
    HostingStatus,
    LicenceSeatState,
    LicenseEnd,
    LicensePort,
    LicenseState,
    MonitoringPort,
    MonitoringState,
    WriteOutcome,
)
from services.provisioning.vendors.retry import call_with_retries

__all__ = [
    "AntivirusPort",
    "HostingPort",
    "HostingStatus",
    "LicenceSeatState",
    "LicenseEnd",
    "LicensePort",
    "LicenseState",
    "MonitoringPort",
    "MonitoringState",
    "VendorError",
    "WriteOutcome",
    "call_with_retries",
]
