"""Simulator-only: give the in-process simulators the resources subscriptions refer to.

The embedded platform has no real Partner Center or Plesk behind it, so when a
subscription's vendor reference arrives, the simulator gets a matching resource (an
active Microsoft 365 subscription, an active domain, a normal ESET licence, a monitored
RMM client). Resources that exist already are left as they are. Never used against a
real vendor: `build_ports` only creates simulators where no base URL is configured.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from services.provisioning.vendors.eset import EsetSimulation
from services.provisioning.vendors.ninjaone import NinjaOneSimulation
from services.provisioning.vendors.partner_center import PartnerCenterSimulation
from services.provisioning.vendors.plesk import PleskSimulation
from services.provisioning.vendors.simulation import Simulation
from services.provisioning.vendors.superops import SuperOpsSimulation

log = logging.getLogger("msp.provisioning.seeding")

DEVICES_PER_CLIENT = 2  # NinjaOne: each simulated organization gets two devices


class SimulatorSeeder:
    """Adds what a vendor reference points at to the simulators that stand in for vendors."""

    def __init__(self, simulators: Mapping[str, Simulation]) -> None:
        self.simulators = simulators

    def ensure(self, sku: str, reference: Mapping[str, str], quantity: int) -> None:
        """Make every resource the reference names exist at its simulator."""
        tenant, subscription = reference.get("tenant_id"), reference.get("vendor_subscription_id")
        if tenant and subscription:
            self._licence(tenant, subscription, sku, quantity)
        if domain := reference.get("domain"):
            self._domain(domain)
        if key := reference.get("licence_key"):
            self._antivirus(key, reference.get("company_id") or f"company-{key}")
        if client := reference.get("rmm_client"):
            self._monitoring(client)

    def _licence(self, tenant: str, subscription: str, sku: str, quantity: int) -> None:
        sim = self.simulators.get("partner_center")
        if isinstance(sim, PartnerCenterSimulation) and (tenant, subscription) not in (
            sim.subscriptions
        ):
            sim.put(tenant, subscription, quantity=max(quantity, 1), friendlyName=sku)
            log.info("simulated Partner Center subscription %s/%s", tenant, subscription)

    def _domain(self, domain: str) -> None:
        sim = self.simulators.get("plesk")
        if isinstance(sim, PleskSimulation) and all(
            d["name"] != domain for d in sim.domains.values()
        ):
            sim.put(domain)
            log.info("simulated Plesk domain %s", domain)

    def _antivirus(self, key: str, company: str) -> None:
        sim = self.simulators.get("eset")
        if isinstance(sim, EsetSimulation) and key not in sim.licenses:
            sim.licenses[key] = {"company": company, "state": "normal"}
            sim.companies.setdefault(company, "active")
            log.info("simulated ESET licence %s", key)

    def _monitoring(self, client: str) -> None:
        superops = self.simulators.get("superops")
        if isinstance(superops, SuperOpsSimulation):
            superops.clients.setdefault(client, "Active")
        ninja = self.simulators.get("ninjaone")
        # NinjaOne organizations are numbered; a name cannot stand for one.
        if isinstance(ninja, NinjaOneSimulation) and client.isdigit():
            organization = int(client)
            if organization not in ninja.organizations:
                ninja.organizations.add(organization)
                for n in range(1, DEVICES_PER_CLIENT + 1):
                    device = organization * 1000 + n
                    ninja.devices[device] = {
                        "id": device,
                        "organizationId": organization,
                        "state": "monitored",
                        "window": None,
                    }
