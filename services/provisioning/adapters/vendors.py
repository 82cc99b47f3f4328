"""The vendor ports from settings: the real API where a base URL is configured, else a simulator.

A vendor without a configured base URL (PARTNER_CENTER_BASE_URL, PLESK_BASE_URL,
ESET_BASE_URL, SUPEROPS_URL, NINJAONE_BASE_URL) is served by its simulator inside the
process, through httpx.ASGITransport: the real client speaks HTTP to it, with the
configured credentials (or the simulator's defaults), so the embedded platform and the
demo exercise the same code as production. In production a missing base URL is an error.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx
from pydantic import SecretStr
from pydantic_settings import BaseSettings

from services.provisioning.settings import ProvisioningOptions
from services.provisioning.vendors.eset import EsetAntivirus, EsetSettings, EsetSimulation
from services.provisioning.vendors.ninjaone import (
    NinjaOneMonitoring,
    NinjaOneSettings,
    NinjaOneSimulation,
)
from services.provisioning.vendors.partner_center import (
    PartnerCenterLicenses,
    PartnerCenterSettings,
    PartnerCenterSimulation,
)
from services.provisioning.vendors.plesk import PleskHosting, PleskSettings, PleskSimulation
from services.provisioning.vendors.ports import (
    AntivirusPort,
    HostingPort,
    LicensePort,
    MonitoringPort,
)
from services.provisioning.vendors.simulation import Simulation
from services.provisioning.vendors.superops import (
    SuperOpsMonitoring,
    SuperOpsSettings,
    SuperOpsSimulation,
)


@dataclass
class VendorPorts:
    """The four ports the worker calls, and the in-process simulators behind any of them."""

    licences: LicensePort
    hosting: HostingPort
    antivirus: AntivirusPort
    monitoring: MonitoringPort
    simulators: dict[str, Simulation] = field(default_factory=dict)
    closers: list[Callable[[], Awaitable[None]]] = field(default_factory=list)

    async def aclose(self) -> None:
        """Close every HTTP session the ports opened."""
        for close in self.closers:
            await close()
        self.closers.clear()


class SimulatorRefused(RuntimeError):
    """Production without a vendor's base URL: never fall back to a simulator there."""


def _secret(value: SecretStr, default: str) -> str:
    return value.get_secret_value() or default


def _session(simulation: Simulation) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=simulation.app()))


def _configured(settings: BaseSettings, url_field: str) -> bool:
    return url_field in settings.model_fields_set


def build_ports(
    options: ProvisioningOptions, *, production: bool, now: Callable[[], datetime]
) -> VendorPorts:
    """Every port from the environment; `now` is the platform's business clock."""
    simulators: dict[str, Simulation] = {}
    closers: list[Callable[[], Awaitable[None]]] = []

    def simulated(name: str, env: str, simulation: Simulation) -> httpx.AsyncClient:
        if production:
            raise SimulatorRefused(f"{env} is not set; simulators never stand in for production")
        simulators[name] = simulation
        session = _session(simulation)
        closers.append(session.aclose)
        return session

    licences = _partner_center(PartnerCenterSettings(), simulated, now)
    hosting = _plesk(PleskSettings(), simulated)
    antivirus = _eset(EsetSettings(), simulated)
    monitoring: Any
    if options.monitoring_vendor == "ninjaone":
        monitoring = _ninjaone(NinjaOneSettings(), simulated, now)
    else:
        monitoring = _superops(SuperOpsSettings(), simulated)
    for port in (licences, hosting, antivirus, monitoring):
        closers.append(port.aclose)
    return VendorPorts(licences, hosting, antivirus, monitoring, simulators, closers)


Simulated = Callable[[str, str, Simulation], httpx.AsyncClient]


def _partner_center(
    settings: PartnerCenterSettings, simulated: Simulated, now: Callable[[], datetime]
) -> PartnerCenterLicenses:
    if _configured(settings, "base_url"):
        return PartnerCenterLicenses(settings, now=now)
    client_id = settings.client_id or "sim-client"
    secret = _secret(settings.client_secret, "sim-secret")
    simulation = PartnerCenterSimulation(client_id=client_id, client_secret=secret, now=now)
    http = simulated("partner_center", "PARTNER_CENTER_BASE_URL", simulation)
    local = settings.model_copy(
        update={
            "base_url": "http://partner-center.sim/v1",
            "token_url": "http://partner-center.sim/partner/oauth2/v2.0/token",
            "client_id": client_id,
            "client_secret": SecretStr(secret),
        }
    )
    return PartnerCenterLicenses(local, http=http, now=now)


def _plesk(settings: PleskSettings, simulated: Simulated) -> PleskHosting:
    if _configured(settings, "base_url"):
        return PleskHosting(settings)
    key = _secret(settings.api_key, "sim-plesk-key")
    http = simulated("plesk", "PLESK_BASE_URL", PleskSimulation(api_key=key))
    local = settings.model_copy(
        update={"base_url": "http://plesk.sim/api/v2", "api_key": SecretStr(key)}
    )
    return PleskHosting(local, http=http)


def _eset(settings: EsetSettings, simulated: Simulated) -> EsetAntivirus:
    if _configured(settings, "base_url"):
        return EsetAntivirus(settings)
    user = settings.username or "sim-user"
    password = _secret(settings.password, "sim-password")
    http = simulated("eset", "ESET_BASE_URL", EsetSimulation(username=user, password=password))
    local = settings.model_copy(
        update={
            "base_url": "http://eset.sim/api",
            "username": user,
            "password": SecretStr(password),
        }
    )
    return EsetAntivirus(local, http=http)


def _superops(settings: SuperOpsSettings, simulated: Simulated) -> SuperOpsMonitoring:
    if _configured(settings, "url"):
        return SuperOpsMonitoring(settings)
    token = _secret(settings.api_token, "sim-superops-token")
    subdomain = settings.customer_subdomain or "sim-msp"
    simulation = SuperOpsSimulation(api_token=token, subdomain=subdomain)
    http = simulated("superops", "SUPEROPS_URL", simulation)
    local = settings.model_copy(
        update={
            "url": "http://superops.sim/msp",
            "api_token": SecretStr(token),
            "customer_subdomain": subdomain,
        }
    )
    return SuperOpsMonitoring(local, http=http)


def _ninjaone(
    settings: NinjaOneSettings, simulated: Simulated, now: Callable[[], datetime]
) -> NinjaOneMonitoring:
    if _configured(settings, "base_url"):
        return NinjaOneMonitoring(settings, now=now)
    client_id = settings.client_id or "sim-ninja-client"
    secret = _secret(settings.client_secret, "sim-ninja-secret")
    simulation = NinjaOneSimulation(client_id=client_id, client_secret=secret)
    http = simulated("ninjaone", "NINJAONE_BASE_URL", simulation)
    local = settings.model_copy(
        update={
            "base_url": "http://ninjaone.sim",
            "token_url": None,
            "client_id": client_id,
            "client_secret": SecretStr(secret),
        }
    )
    return NinjaOneMonitoring(local, http=http, now=now)
