"""The assets store's mail outbox (the machinery is the kernel's shared/mail_outbox.py)."""

from __future__ import annotations

import logging

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from services.assets.adapters.people import PERSON, revealed_recipients
from services.assets.adapters.tables import mail_outbox
from shared import mail_outbox as kernel
from shared.mail import Mailer, OutgoingMail

log = logging.getLogger("msp.mail")

MAX_ATTEMPTS = kernel.MAX_ATTEMPTS


async def queue_mail(
    conn: AsyncConnection, mail: OutgoingMail, *, reason: str, customer_id: str | None
) -> None:
    """Queue a mail in the caller's transaction; it is sent only if that transaction commits."""
    await kernel.queue_mail(conn, mail_outbox, mail, reason=reason, customer_id=customer_id)


class MailOutbox(kernel.MailOutbox):
    """Sends the assets store's queued mail; people's addresses are looked up only when sending."""

    def __init__(self, engine: AsyncEngine, mailer: Mailer, **options: float) -> None:
        super().__init__(
            engine, mail_outbox, _RevealingMailer(engine, mailer), sender_name="assets", **options
        )


class _RevealingMailer:
    """Replaces `person:<id>` recipients by their e-mail from the vault; erased people get none."""

    def __init__(self, engine: AsyncEngine, mailer: Mailer) -> None:
        self.engine = engine
        self.mailer = mailer

    async def send(self, message: OutgoingMail) -> None:
        """Send to the revealed recipients (nothing, if every one of them was erased)."""
        if any(r.startswith(PERSON) for r in message.to):
            async with self.engine.connect() as conn:
                to = await revealed_recipients(conn, message.to, erased=None)
            if not to:
                log.info("mail not sent: every recipient has been erased")
                return
            message = message.model_copy(update={"to": to})
        await self.mailer.send(message)
