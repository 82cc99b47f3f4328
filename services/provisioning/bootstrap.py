"""Wires the provisioning service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from pathlib import Path

from services.provisioning import api, consumer
from services.provisioning.adapters.projections import ProvisioningView
from services.provisioning.adapters.tables import known_customers
from services.provisioning.wiring import action_workers, wiring_of
from shared.directory import CustomerDirectory
from shared.service import ServiceSpec

# TenantRegistered opens the customer's tenant at the vendors.
DIRECTORY = CustomerDirectory(
    known_customers, event_type="TenantRegistered", stream_prefix="tenant"
)


def spec() -> ServiceSpec:
    """The provisioning service."""
    return ServiceSpec(
        name="provisioning",
        title="Provisioning",
        description="Suspends, restores, closes and deletes services at the vendors.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=lambda: [api.router, DIRECTORY.router()],
        projections=lambda _: [ProvisioningView(), DIRECTORY],
        handlers=lambda runtime: {
            **DIRECTORY.handler(),
            **consumer.handlers(wiring_of(runtime)),
        },
        background=[action_workers],
    )
