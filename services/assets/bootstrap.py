"""Wires the assets service; the kernel calls spec() from the app lifespan or the CLI."""

from __future__ import annotations

from pathlib import Path

from services.assets import consumer
from services.assets.adapters.mail_outbox import MailOutbox
from services.assets.adapters.projections import AssetsView
from services.assets.adapters.tables import known_customers
from services.assets.adapters.terms import terms_of
from services.assets.api import routers
from shared.directory import CustomerDirectory
from shared.mail import MailSettings, mailer_from
from shared.service import Runtime, ServiceSpec

# AssetRegisterOpened opens the customer's hardware and software register.
DIRECTORY = CustomerDirectory(
    known_customers, event_type="AssetRegisterOpened", stream_prefix="register"
)


async def deliver_mail(runtime: Runtime) -> None:
    """Send the mail outbox: SMTP when MAIL_HOST is set, else only recorded (embedded)."""
    await MailOutbox(runtime.store.engine, mailer_from(MailSettings())).run()


def spec() -> ServiceSpec:
    """The assets service."""
    return ServiceSpec(
        name="assets",
        title="Assets",
        description="Hardware and software register, moves, warranty and the monthly hardware workbook.",
        migrations_dir=Path(__file__).parent / "migrations",
        routers=lambda: [DIRECTORY.router(), *routers()],
        projections=lambda _: [DIRECTORY, AssetsView()],
        handlers=lambda runtime: consumer.handlers(terms_of(runtime)),
        background=[deliver_mail],
        personal_data=True,
    )
