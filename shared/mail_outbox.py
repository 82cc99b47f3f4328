"""The durable mail outbox: mail queued in a command's transaction, sent after commit, never lost.

Each service that sends mail has its own `mail_outbox` table in its own store.
"""

from __future__ import annotations

import asyncio
import logging
import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.envelope import utcnow
from shared.mail import Attachment, Mailer, OutgoingMail, masked
from shared.store.schema import Position

log = logging.getLogger("msp.mail")

MAX_ATTEMPTS = 12


def mail_outbox_table(metadata: MetaData) -> Table:
    """The outbox table a service that sends mail keeps in its store."""
    return Table(
        "mail_outbox",
        metadata,
        Column("id", Position, primary_key=True, autoincrement=True),
        Column("customer_id", String(36)),
        Column("reason", String(60), nullable=False),
        Column("recipients", JSON, nullable=False),
        Column("subject", String(300), nullable=False),
        Column("body", Text, nullable=False),
        Column("attachment_name", String(200)),
        Column("attachment_type", String(100)),
        Column("attachment", LargeBinary),
        Column("status", String(20), nullable=False),
        Column("attempts", Integer, nullable=False),
        Column("last_error", Text),
        Column("queued_at", DateTime(timezone=True), nullable=False),
        Column("next_attempt_at", DateTime(timezone=True), nullable=False),
        Column("sent_at", DateTime(timezone=True)),
        Index("ix_mail_outbox_status_next", "status", "next_attempt_at"),
    )


async def queue_mail(
    conn: AsyncConnection,
    mail_outbox: Table,
    mail: OutgoingMail,
    *,
    reason: str,
    customer_id: str | None,
) -> None:
    """Queue a mail in the caller's transaction; it is sent only if that transaction commits."""
    if len(mail.attachments) > 1:
        raise ValueError("the mail outbox carries at most one attachment per mail")
    attachment = mail.attachments[0] if mail.attachments else None
    now = utcnow()
    await conn.execute(
        insert(mail_outbox).values(
            customer_id=customer_id,
            reason=reason,
            recipients=list(mail.to),
            subject=mail.subject,
            body=mail.body,
            attachment_name=attachment.filename if attachment else None,
            attachment_type=attachment.content_type if attachment else None,
            attachment=attachment.content if attachment else None,
            status="pending",
            attempts=0,
            queued_at=now,
            next_attempt_at=now,
        )
    )


class MailOutbox:
    """Sends queued mail, marks it sent, and retries failures with backoff (wall clock: retries only)."""

    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        mailer: Mailer,
        *,
        sender_name: str = "mail",
        poll_seconds: float = 0.2,
        backoff_seconds: float = 1.0,
        max_backoff_seconds: float = 900.0,
    ) -> None:
        self.engine = engine
        self.table = table
        self.mailer = mailer
        self._lock_key = zlib.crc32(f"mail-outbox:{sender_name}".encode())
        self.poll_seconds = poll_seconds
        self.backoff_seconds = backoff_seconds
        self.max_backoff_seconds = max_backoff_seconds

    async def deliver_due(self) -> int:
        """Try every mail whose time has come; returns how many were sent."""
        async with self._only_sender() as leading:
            if not leading:
                return 0
            async with self.engine.connect() as conn:
                due = (
                    (
                        await conn.execute(
                            select(self.table)
                            .where(
                                self.table.c.status == "pending",
                                self.table.c.next_attempt_at <= utcnow(),
                            )
                            .order_by(self.table.c.id)
                            .limit(20)
                        )
                    )
                    .mappings()
                    .all()
                )
            sent = 0
            for row in due:
                sent += await self._attempt(row)
            return sent

    async def run(self) -> None:
        """Deliver forever; a failing store or server only delays mail."""
        while True:
            try:
                await self.deliver_due()
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("mail outbox paused", exc_info=True)
            await asyncio.sleep(self.poll_seconds)

    async def _attempt(self, row: Any) -> int:
        attempts = row["attempts"] + 1
        try:
            await self.mailer.send(_mail(row))
        except Exception as exc:  # any failure keeps the mail queued, with the reason shown
            give_up = attempts >= MAX_ATTEMPTS
            pause = min(self.backoff_seconds * 2 ** (attempts - 1), self.max_backoff_seconds)
            log.warning("mail %s not sent (attempt %d): %s", row["id"], attempts, masked(str(exc)))
            await self._mark(
                row["id"],
                status="failed" if give_up else "pending",
                attempts=attempts,
                last_error=str(exc)[:2000],
                next_attempt_at=utcnow() + timedelta(seconds=pause),
            )
            return 0
        await self._mark(row["id"], status="sent", attempts=attempts, sent_at=utcnow())
        return 1

    async def _mark(self, row_id: int, **values: Any) -> None:
        async with self.engine.begin() as conn:
            await conn.execute(update(self.table).where(self.table.c.id == row_id).values(**values))

    @asynccontextmanager
    async def _only_sender(self) -> AsyncIterator[bool]:
        """On PostgreSQL one process sends at a time (advisory lock); SQLite has one process."""
        if self.engine.dialect.name != "postgresql":
            yield True
            return
        async with self.engine.connect() as raw:
            conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
            got = (
                await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock_key})
            ).scalar()
            try:
                yield bool(got)
            finally:
                if got:
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._lock_key})


def _mail(row: Any) -> OutgoingMail:
    attachments = []
    if row["attachment"] is not None:
        attachments.append(
            Attachment(
                filename=row["attachment_name"],
                content_type=row["attachment_type"],
                content=row["attachment"],
            )
        )
    return OutgoingMail(
        to=list(row["recipients"]),
        subject=row["subject"],
        body=row["body"],
        attachments=attachments,
    )
