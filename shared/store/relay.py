"""The outbox relay: publishes committed outbox rows in order, deletes them once acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import AsyncIterator, Sequence
from typing import Any, NamedTuple

import asyncpg
from sqlalchemy import bindparam, delete, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.bus.port import Bus, Outgoing
from shared.store.eventstore import _XMIN, Cursor, EventStore
from shared.store.reads import ReadQuery
from shared.store.schema import outbox

log = logging.getLogger("msp.relay")

_COLUMNS = (
    outbox.c.id,
    outbox.c.txid,
    outbox.c.topic,
    outbox.c.key,
    outbox.c.event_id,
    outbox.c.payload,
)
# One array parameter: the statement is the same for every batch (no IN-list expansion).
_CLEAR_PG = text("DELETE FROM outbox WHERE id = ANY(:ids)")


def _in_order(*where: Any) -> Any:
    """Outbox rows in publishing order."""
    return select(*_COLUMNS).where(*where).order_by(outbox.c.txid, outbox.c.id)


# On PostgreSQL the relay's reads are compiled once and run on the store's read connections
# (one statement, no transaction around it): a relay reads after every commit of its service.
# Rows of still-running transactions may later appear below the oldest one: read below it.
_READ_FIRST_PG = ReadQuery(_in_order(outbox.c.txid < _XMIN).limit(bindparam("limit")))
_READ_AFTER_PG = ReadQuery(
    _in_order(
        tuple_(outbox.c.txid, outbox.c.id) > tuple_(bindparam("txid"), bindparam("id")),
        outbox.c.txid < _XMIN,
    ).limit(bindparam("limit"))
)
# How often the leader checks that its lock's connection is still alive.
_LEADER_CHECK_SECONDS = 1.0
# After a wake-up that found nothing readable, the first look again (then doubling).
_FIRST_RECHECK = 0.001


class OutboxRelay:
    """One active relay per service store (a PostgreSQL advisory lock elects it).

    The leader wakes when a transaction of its own process commits outbox rows, when one of
    another process of the service does (a NOTIFY on the service's channel), and otherwise
    every `poll_seconds`.

    Draining overlaps the three slow parts: while the bus acknowledges one batch the next
    is read, and an acknowledged batch is deleted while the next one is sent. Batches are
    published in (txid, id) order, one after the other, so per-key order is the outbox's;
    a batch is deleted only after the bus acknowledged it, and nothing after a failed
    publish is deleted, so a crash or an outage at any point republishes rather than loses
    (the consumers' inboxes absorb the repeats).
    """

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
        rows = await self._fetch(None)
        if not rows:
            return 0
        await self.bus.publish(_messages(rows))
        # A crash here republishes the batch on restart; consumers' inboxes absorb it.
        await self.clear([row.id for row in rows])
        self.published += len(rows)
        return len(rows)

    async def drain(self) -> int:
        """Publish every committed row, batch after batch; returns how many were sent."""
        rows = await self._fetch(None)
        sent = 0
        reading: asyncio.Task[Sequence[Any]] | None = None
        clearing: asyncio.Task[None] | None = None
        try:
            while rows:
                sending = asyncio.create_task(self.bus.publish(_messages(rows)))
                # Rows stay until cleared, so the next read starts after this batch's last row:
                # below the oldest running transaction no row can appear behind it later.
                reading = asyncio.create_task(self._fetch((rows[-1].txid, rows[-1].id)))
                await sending  # a failure stops here: nothing from this batch on is cleared
                if clearing is not None:
                    await clearing
                # This batch is cleared only once the next read is done: while its rows stand,
                # every new row is numbered above them (SQLite numbers a row max(id) + 1, so a
                # row written after an early clear could fall behind the read's cursor and be
                # sent after a younger one).
                following = await reading
                reading = None
                clearing = asyncio.create_task(self._clear_counted([row.id for row in rows]))
                sent += len(rows)
                rows = following
        finally:
            if reading is not None:
                reading.cancel()
                await asyncio.gather(reading, return_exceptions=True)
            if clearing is not None:
                await clearing  # what was acknowledged is cleared, even when a later publish failed
        return sent

    async def clear(self, ids: list[int]) -> None:
        """Remove rows the bus has acknowledged."""
        if self.store.postgres:
            async with self.store.engine.connect() as raw:
                conn = await raw.execution_options(isolation_level="AUTOCOMMIT")  # one statement
                await conn.execute(_CLEAR_PG, {"ids": ids})
            return
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

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """The relay running in the background for the block, stopped after it."""
        task = asyncio.create_task(self.run(), name=f"relay:{self.store.source}")
        try:
            yield
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def _clear_counted(self, ids: list[int]) -> None:
        await self.clear(ids)
        self.published += len(ids)

    async def _fetch(self, after: Cursor | None) -> Sequence[Any]:
        if self.store.postgres:
            if after is None:
                found = await self.store.read(_READ_FIRST_PG, {"limit": self.batch_size})
            else:
                params = {"txid": after[0], "id": after[1], "limit": self.batch_size}
                found = await self.store.read(_READ_AFTER_PG, params)
            return [_Row(**row) for row in found]
        after_cursor = () if after is None else (tuple_(outbox.c.txid, outbox.c.id) > after,)
        query = _in_order(*after_cursor).limit(self.batch_size)
        async with self.store.engine.connect() as conn:
            return (await conn.execute(query)).all()

    async def _run_as_leader(self) -> None:
        async with self.store.engine.connect() as raw:
            conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
            while not await self._try_lock(conn):  # noqa: ASYNC110 - polling another process's lock
                await asyncio.sleep(self.retry_seconds)
            # The service's other processes ring on commit (EventStore._ring_relay); this
            # process's own commits set outbox_written directly.
            driver: asyncpg.Connection = (await conn.get_raw_connection()).driver_connection
            wakeup = self.store.outbox_written

            def rung(*_: object) -> None:
                wakeup.set()

            try:
                await driver.add_listener(self.store.outbox_channel, rung)
                self.store.relay_here = True
                await self._relay_loop(conn)
            finally:
                self.store.relay_here = False
                with contextlib.suppress(Exception):
                    await driver.remove_listener(self.store.outbox_channel, rung)
                with contextlib.suppress(Exception):
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._lock_key})

    async def _try_lock(self, conn: AsyncConnection) -> bool:
        found = await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self._lock_key})
        return bool(found.scalar())

    async def _relay_loop(self, lock_conn: AsyncConnection | None = None) -> None:
        wakeup = self.store.outbox_written
        hidden = 0.0  # > 0: rows committed here were not visible yet; look again this soon
        loop = asyncio.get_running_loop()
        leader_checked = loop.time()
        while True:
            woken = wakeup.is_set()
            wakeup.clear()
            if await self.drain():
                hidden = 0.0
                continue
            if woken:
                # A transaction of this process committed outbox rows, yet none was readable:
                # an older transaction on the server still runs (PostgreSQL reads stay below
                # it). It ends soon; look again within milliseconds rather than at the poll.
                hidden = _FIRST_RECHECK
            elif hidden:
                hidden = hidden * 2 if hidden * 2 < self.poll_seconds else 0.0
            now = loop.time()
            if lock_conn is not None and now >= leader_checked + _LEADER_CHECK_SECONDS:
                await lock_conn.execute(text("SELECT 1"))  # leadership lost if this fails
                leader_checked = now
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wakeup.wait(), timeout=hidden or self.poll_seconds)


class _Row(NamedTuple):
    """An outbox row as the relay reads it."""

    id: int
    txid: int
    topic: str
    key: str
    event_id: str
    payload: bytes


def _messages(rows: Sequence[Any]) -> list[Outgoing]:
    return [
        Outgoing(
            topic=row.topic,
            key=row.key,
            value=row.payload,
            headers=(("ce_id", row.event_id.encode()),),
        )
        for row in rows
    ]
