"""PostgreSQL transactions on connections kept out of the pool between transactions.

A command's transaction on SQLAlchemy's pool costs, besides its round trips, a checkout, a
lazily begun transaction, a commit and a check-in, each through a greenlet: about a fifth
of the Python time of a one-event command (bench/README.md, section 1). A kept connection
skips all of that: the store holds up to `size` SQLAlchemy connections checked out for
good, lends one per transaction, sends BEGIN and COMMIT on its asyncpg connection, and
takes it back without a reset (it holds no session state: every transaction ends with
COMMIT or ROLLBACK). Projections, the outbox and the inbox still use the SQLAlchemy
connection: its first statement joins the transaction already begun, and the commit then
goes through SQLAlchemy so its state stays true.

When every kept connection is lent out, the transaction takes one from the pool as before
(`lend` answers None), so a transaction opened inside another never waits for itself. A
connection the server closed, or one left in an unknown state (an error while committing
or rolling back, a cancelled statement), is never lent again: it is invalidated, and a new
one is opened when needed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.store.availability import is_unavailable

RECYCLE_SECONDS = 1800.0  # as the pool's pool_recycle: a kept connection is renewed as often


@dataclass
class Kept:
    """A SQLAlchemy connection held out of the pool, with the asyncpg connection under it."""

    conn: AsyncConnection
    adapted: Any  # SQLAlchemy's adapter around the asyncpg connection
    driver: asyncpg.Connection
    opened: float
    generation: int

    async def begin(self) -> None:
        """Send BEGIN; SQLAlchemy's first statement joins this transaction."""
        transaction = self.driver.transaction()
        await transaction.start()
        self.adapted._transaction = transaction

    async def end(self, *, commit: bool) -> None:
        """COMMIT or ROLLBACK, through SQLAlchemy if it took part in the transaction."""
        if self.conn.in_transaction():
            await (self.conn.commit() if commit else self.conn.rollback())
            return
        transaction, self.adapted._transaction = self.adapted._transaction, None
        if transaction is not None:
            await (transaction.commit() if commit else transaction.rollback())


class KeptConnections:
    """Up to `size` connections kept for transactions, opened as concurrency asks for them."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self._engine = engine
        self._size = size
        self._idle: list[Kept] = []
        self._open = 0
        self._closed = False
        self._generation = 0  # moves on when the engine's pool is disposed
        event.listen(engine.sync_engine, "engine_disposed", self._engine_disposed)

    async def begin(self) -> Kept | None:
        """A kept connection with BEGIN sent, or None when all `size` are lent out.

        A connection the server dropped while it sat idle fails on BEGIN, before the
        transaction did anything: it is discarded and the next one tried, so after a
        restart or a terminated backend no command fails for having drawn it.
        """
        for attempt in range(self._size + 2):
            kept = await self._lend()
            if kept is None:
                return None
            try:
                await kept.begin()
            except BaseException as error:
                await self.discard(kept)
                if isinstance(error, Exception) and is_unavailable(error):
                    if attempt <= self._size:
                        continue
                raise
            return kept
        raise AssertionError("unreachable")

    async def _lend(self) -> Kept | None:
        """An idle kept connection, a new one while fewer than `size` are open, else None."""
        while self._idle:
            kept = self._idle.pop()
            if kept.driver.is_closed() or time.monotonic() - kept.opened > RECYCLE_SECONDS:
                await self.discard(kept)
                continue
            return kept
        if self._closed or self._open >= self._size:
            return None
        self._open += 1
        try:
            conn = await self._engine.connect()
            try:
                raw = await conn.get_raw_connection()
            except BaseException:
                await _quietly(conn.close())
                raise
        except BaseException:
            self._open -= 1
            raise
        return Kept(
            conn, raw.dbapi_connection, raw.driver_connection, time.monotonic(), self._generation
        )

    async def give_back(self, kept: Kept) -> None:
        """Lend it again (or close it, once the store is closing)."""
        if self._closed or kept.generation != self._generation:
            self._open -= 1
            await _quietly(kept.conn.close())
        else:
            self._idle.append(kept)

    async def close(self) -> None:
        """Close the idle connections; those lent out close when they come back."""
        self._closed = True
        idle, self._idle = self._idle, []
        for kept in idle:
            self._open -= 1
            await _quietly(kept.conn.close())

    def _engine_disposed(self, _engine: Any) -> None:
        # engine.dispose() closes the pool's idle connections, not those checked out: the
        # kept ones are closed here (idle) or when they come back (lent). This runs inside
        # dispose's greenlet, so the synchronous connection can be closed from it.
        self._generation += 1
        idle, self._idle = self._idle, []
        for kept in idle:
            self._open -= 1
            sync = kept.conn.sync_connection
            try:
                if sync is not None:
                    sync.invalidate()  # closes it (a plain close would return it to the old pool)
                    sync.close()
            except Exception:
                kept.driver.terminate()

    async def discard(self, kept: Kept) -> None:
        """Never lend it again: the pool drops it instead of reusing it."""
        self._open -= 1
        kept.adapted._transaction = None
        pending = [task for task in getattr(kept.driver, "_cancellations", ()) if not task.done()]
        if pending:
            # A cancelled statement: asyncpg is sending the server its cancel request. Let it
            # go out first, or the server would go on running the statement (holding its
            # locks) until it next wrote to the closed socket.
            await asyncio.wait(pending, timeout=5)
        kept.driver.terminate()  # whatever it was doing, it does no more
        await _quietly(kept.conn.invalidate())
        await _quietly(kept.conn.close())


@contextlib.asynccontextmanager
async def kept_transaction(connections: KeptConnections, kept: Kept) -> AsyncIterator[None]:
    """COMMIT if the block succeeds, ROLLBACK if it raises (BEGIN was sent already)."""
    try:
        yield
    except BaseException as error:
        if not isinstance(error, Exception) or is_unavailable(error):
            # Cancelled mid-statement, or the server is gone: no ROLLBACK can be trusted.
            await connections.discard(kept)
            raise
        with contextlib.suppress(Exception):  # the block's own error is the one to report
            await _end(connections, kept, commit=False)
        raise
    await _end(connections, kept, commit=True)


async def _end(connections: KeptConnections, kept: Kept, *, commit: bool) -> None:
    """COMMIT or ROLLBACK, then lend the connection again; if that fails, the server may or
    may not have ended the transaction, so the connection is never lent again."""
    try:
        await kept.end(commit=commit)
    except BaseException:
        await connections.discard(kept)
        raise
    await connections.give_back(kept)


async def _quietly(work: Any) -> None:
    with contextlib.suppress(Exception):
        await asyncio.wait_for(work, 5)
