"""Microsoft 365 licences through Microsoft Partner Center (CSP)."""

from services.provisioning.vendors.partner_center.client import PartnerCenterLicenses, ms_request_id
from services.provisioning.vendors.partner_center.settings import PartnerCenterSettings
from services.provisioning.vendors.partner_center.simulator import PartnerCenterSimulation

__all__ = [
    "PartnerCenterLicenses",
    "PartnerCenterSettings",
    "PartnerCenterSimulation",
    "ms_request_id",
]
