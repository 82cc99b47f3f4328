"""Wires the ops service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from pathlib import Path

from services.ops import api, consumer
from services.ops.adapters.projections import EventLog
from services.ops.adapters.tables import known_customers
from shared.clock import run_ticker
from shared.directory import CustomerDirectory
from shared.service import Runtime, ServiceSpec

DIRECTORY = CustomerDirectory(known_customers, event_type="CustomerObserved", stream_prefix="seen")


async def clock_ticker(runtime: Runtime) -> None:
    """In ticker mode, start each calendar day and catch up missed ones."""
    if runtime.platform.clock_mode == "ticker":
        await run_ticker(runtime.store, runtime.platform.timezone)


def spec() -> ServiceSpec:
    """The ops service."""
    return ServiceSpec(
        name="ops",
        title="Operations",
        description="The event log across services, the platform clock, dashboard and webhooks.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=lambda: [api.events_router, api.clock_router, DIRECTORY.router()],
        projections=lambda _: [EventLog(), DIRECTORY],
        handlers=lambda _: DIRECTORY.handler(),
        every_event=consumer.observe,
        extra_topics=lambda: consumer.TOPICS,
        background=[clock_ticker],
    )
