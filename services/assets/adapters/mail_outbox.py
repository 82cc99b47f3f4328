"""The assets store's mail outbox (the machinery is the kernel's shared/mail_outbox.py)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assets.adapters.tables import mail_outbox
from shared import mail_outbox as kernel
from shared.mail import Mailer, OutgoingMail

MAX_ATTEMPTS = kernel.MAX_ATTEMPTS


async def queue_mail(
    conn: AsyncConnection, mail: OutgoingMail, *, reason: str, customer_id: str | None
) -> None:
    """Queue a mail in the caller's transaction; it is sent only if that transaction commits."""
    await kernel.queue_mail(conn, mail_outbox, mail, reason=reason, customer_id=customer_id)


class MailOutbox(kernel.MailOutbox):
    """Sends the assets store's queued mail."""

    def __init__(self, engine: AsyncEngine, mailer: Mailer, **options: float) -> None:
        super().__init__(engine, mail_outbox, mailer, sender_name="assets", **options)
