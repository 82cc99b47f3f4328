"""The outbox relay: publishes committed outbox rows in order, deletes them once acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib

from sqlalchemy import delete, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.bus.port import Bus, Outgoing
from shared.store.eventstore import _XMIN, EventStore
from shared.store.schema import outbox

log = logging.getLogger("msp.relay")


class OutboxRelay:
    """One active relay per service store (a PostgreSQL advisory lock elects it)."""

    def __init__(
        self,
        store: EventStore,
        bus: Bus,
        *,
        batch_size: int = 500,
        poll_seconds: float = 0.05,
        retry_seconds: float = 1.0,
    ) -> None:
        self.store = store
        self.bus = bus
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.retry_seconds = retry_seconds
        self.published = 0
        self._lock_key = zlib.crc32(f"outbox-relay:{store.source}".encode())

    async def run_once(self) -> int:
        """Publish one batch of committed rows; returns how many were sent."""
        query = select(outbox).order_by(outbox.c.txid, outbox.c.id).limit(self.batch_size)
        if self.store.postgres:
            # Rows of still-running transactions may later appear below this point: wait for them.
            query = query.where(outbox.c.txid < _XMIN)
        async with self.store.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        if not rows:
            return 0
        await self.bus.publish(
            [
                Outgoing(
                    topic=row["topic"],
                    key=row["key"],
                    value=row["payload"],
                    headers=(("ce_id", row["event_id"].encode()),),
                )
                for row in rows
            ]
        )
        # A crash here republishes the batch on restart; consumers' inboxes absorb it.
        await self.clear([row["id"] for row in rows])
        self.published += len(rows)
        return len(rows)

    async def clear(self, ids: list[int]) -> None:
        """Remove rows the bus has acknowledged."""
        async with self.store.engine.begin() as conn:
            await conn.execute(delete(outbox).where(outbox.c.id.in_(ids)))

    async def pending(self) -> int:
        """Rows waiting to be published."""
        async with self.store.engine.connect() as conn:
            return len((await conn.execute(select(outbox.c.id).limit(100_000))).all())

    async def run(self) -> None:
        """Relay forever: as leader on PostgreSQL, always on SQLite."""
        while True:
            try:
                if self.store.postgres:
                    await self._run_as_leader()
                else:
                    await self._relay_loop()
            except asyncio.CancelledError:
                raise
            except Exception:  # the bus or the store is away; rows stay in the outbox
                log.warning("outbox relay paused", exc_info=True)
                await asyncio.sleep(self.retry_seconds)

    async def _run_as_leader(self) -> None:
        async with self.store.engine.connect() as raw:
            conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
            while not await self._try_lock(conn):  # noqa: ASYNC110 - polling another process's lock
                await asyncio.sleep(self.retry_seconds)
            try:
                await self._relay_loop(conn)
            finally:
                with contextlib.suppress(Exception):
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._lock_key})

    async def _try_lock(self, conn: AsyncConnection) -> bool:
        found = await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock_key})
        return bool(found.scalar())

    async def _relay_loop(self, lock_conn: AsyncConnection | None = None) -> None:
        wakeup = self.store.outbox_written
        while True:
            wakeup.clear()
            if await self.run_once():
                continue
            if lock_conn is not None:
                await lock_conn.execute(text("SELECT 1"))  # leadership lost if this fails
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), timeout=self.poll_seconds)
