"""Wires the dunning service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from pathlib import Path

from services.dunning import api, consumer
from services.dunning.adapters.projections import DunningView
from services.dunning.adapters.tables import known_customers, mail_outbox
from shared.directory import CustomerDirectory
from shared.mail import MailSettings, mailer_from
from shared.mail_outbox import MailOutbox
from shared.service import Runtime, ServiceSpec

DIRECTORY = CustomerDirectory(
    known_customers, event_type="DebtorRegistered", stream_prefix="debtor"
)


async def deliver_letters(runtime: Runtime) -> None:
    """Send queued reminder letters: SMTP when MAIL_HOST is set, else only recorded (embedded)."""
    await MailOutbox(
        runtime.store.engine, mail_outbox, mailer_from(MailSettings()), sender_name="dunning"
    ).run()


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
        background=[deliver_letters],
    )
