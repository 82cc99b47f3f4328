"""Wires the ops service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from services.ops import api, consumer, dead_letters
from services.ops.adapters.asset_view import AssetView
from services.ops.adapters.customer_view import CustomerView
from services.ops.adapters.dunning_view import DunningBoardView
from services.ops.adapters.finance_view import FinanceView
from services.ops.adapters.projections import EventLog
from services.ops.adapters.provisioning_view import ProvisioningView
from services.ops.adapters.service_view import ServiceView
from services.ops.adapters.tables import known_customers
from services.ops.adapters.webhook_view import WebhookView
from services.ops.dashboard import routes as dashboard
from services.ops.webhooks import api as webhooks_api
from services.ops.wiring import parts
from shared.clock import run_ticker
from shared.directory import CustomerDirectory
from shared.service import Runtime, ServiceSpec
from shared.store.eventstore import Projection

DIRECTORY = CustomerDirectory(known_customers, event_type="CustomerObserved", stream_prefix="seen")


async def clock_ticker(runtime: Runtime) -> None:
    """In ticker mode, start each calendar day and catch up missed ones."""
    if runtime.platform.clock_mode == "ticker":
        await run_ticker(runtime.store, runtime.platform.timezone)


async def webhook_delivery(runtime: Runtime) -> None:
    """Send due webhook attempts for as long as the service runs."""
    await parts(runtime).worker.run()


def projections(runtime: Runtime) -> Sequence[Projection]:
    """Ops' read models; the event log first, as the webhook view reads it on replay requests."""
    return [
        EventLog(),
        DIRECTORY,
        CustomerView(),
        FinanceView(),
        DunningBoardView(runtime.profile.dunning),
        ServiceView(),
        ProvisioningView(),
        AssetView(),
        WebhookView(),
        dead_letters.DeadLetterView(),
    ]


def spec() -> ServiceSpec:
    """The ops service."""
    return ServiceSpec(
        name="ops",
        title="Operations",
        description="The event log across services, the platform clock, dashboard and webhooks.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=lambda: [
            api.events_router,
            api.clock_router,
            DIRECTORY.router(),
            webhooks_api.router,
            dead_letters.router,
        ],
        public_routers=dashboard.routers,
        projections=projections,
        handlers=lambda _: DIRECTORY.handler(),
        every_event=consumer.observe,
        extra_topics=lambda: consumer.TOPICS,
        background=[clock_ticker, webhook_delivery, dead_letters.dead_letter_intake],
    )
