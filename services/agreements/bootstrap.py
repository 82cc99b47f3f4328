"""Wires the agreements service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from pathlib import Path

from services.agreements import api, consumer
from services.agreements.adapters.projections import AgreementsView
from shared.service import ServiceSpec


def spec() -> ServiceSpec:
    """The agreements service: customers, agreements, subscriptions, provider profiles."""
    return ServiceSpec(
        name="agreements",
        title="Agreements",
        description="Customers, agreements and subscriptions under the provider's profile.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=lambda: [api.router],
        projections=lambda _: [AgreementsView()],
        handlers=lambda _: consumer.handlers(),
        personal_data=True,
    )
