"""Wires the assets service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from pathlib import Path

from services.assets.adapters.tables import known_customers
from shared.directory import CustomerDirectory
from shared.service import ServiceSpec

# AssetRegisterOpened opens the customer's hardware and software register.
DIRECTORY = CustomerDirectory(
    known_customers, event_type="AssetRegisterOpened", stream_prefix="register"
)


def spec() -> ServiceSpec:
    """The assets service."""
    return ServiceSpec(
        name="assets",
        title="Assets",
        description="Hardware and software register, moves, warranty and the monthly hardware workbook.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=lambda: [DIRECTORY.router()],
        projections=lambda: [DIRECTORY],
        handlers=DIRECTORY.handler,
    )
