"""Wires the billing service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from pathlib import Path

from services.billing import api, consumer, handlers
from services.billing.adapters.projections import BillingView
from services.billing.adapters.tables import known_customers
from shared.directory import CustomerDirectory
from shared.service import Runtime, ServiceSpec

DIRECTORY = CustomerDirectory(
    known_customers, event_type="BillingAccountOpened", stream_prefix="account"
)


async def resume_invoice_runs(runtime: Runtime) -> None:
    """A run interrupted by a crash is finished when the service starts again."""
    await handlers.resume_unfinished_runs(runtime.store, runtime.profile)


def spec() -> ServiceSpec:
    """The billing service."""
    return ServiceSpec(
        name="billing",
        title="Billing",
        description="Rating of work, invoice runs, invoices, credit notes, payments and bank import.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=lambda: [api.router, DIRECTORY.router()],
        projections=lambda runtime: [BillingView(runtime.profile.id), DIRECTORY],
        handlers=lambda runtime: consumer.handlers(runtime.profile),
        background=[resume_invoice_runs],
    )
