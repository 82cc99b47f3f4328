"""Wires the dunning service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from pathlib import Path

from services.dunning import api, consumer
from services.dunning.adapters.projections import DunningView
from services.dunning.adapters.tables import known_customers
from shared.directory import CustomerDirectory
from shared.service import ServiceSpec

DIRECTORY = CustomerDirectory(
    known_customers, event_type="DebtorRegistered", stream_prefix="debtor"
)


def spec() -> ServiceSpec:
    """The dunning service."""
    return ServiceSpec(
        name="dunning",
        title="Dunning",
        description="Reminders, fees, suspension, permanent closure, deletion and restore.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=lambda: [api.router, DIRECTORY.router()],
        projections=lambda _: [DunningView(), DIRECTORY],
        handlers=lambda runtime: consumer.handlers(runtime.profile),
    )
