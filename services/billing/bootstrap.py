"""Wires the billing service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from pathlib import Path

from services.billing.adapters.tables import known_customers
from shared.directory import CustomerDirectory
from shared.service import ServiceSpec

# BillingAccountOpened opens the billing account each customer is invoiced on.
DIRECTORY = CustomerDirectory(
    known_customers, event_type="BillingAccountOpened", stream_prefix="account"
)


def spec() -> ServiceSpec:
    """The billing service."""
    return ServiceSpec(
        name="billing",
        title="Billing",
        description="Rating of work, invoice runs, invoices, credit notes, payments and bank import.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=lambda: [DIRECTORY.router()],
        projections=lambda: [DIRECTORY],
        handlers=DIRECTORY.handler,
    )
