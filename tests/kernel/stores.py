"""Helpers for kernel tests: a migrated store with a small counter projection."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, StoredEvent
from shared.store.migrations import upgrade
from shared.store.upsert import upsert

MIGRATIONS = Path(__file__).parent / "migrations"

metadata = MetaData()
tallies = Table(
    "tallies",
    metadata,
    Column("stream_id", String(200), primary_key=True),
    Column("events", Integer, nullable=False),
)


class Tally:
    """Counts events per stream: a read model that shows double-applied events."""

    name = "tallies"
    tables = [tallies]

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        current = (
            await conn.execute(
                select(tallies.c.events).where(tallies.c.stream_id == event.stream_id)
            )
        ).scalar() or 0
        await upsert(
            conn, tallies, {"stream_id": event.stream_id, "events": current + 1}, key=["stream_id"]
        )


async def tally(store: EventStore) -> dict[str, int]:
    """The read model as a dict."""
    async with store.engine.connect() as conn:
        return {row.stream_id: row.events for row in await conn.execute(select(tallies))}


@asynccontextmanager
async def open_store(url: str, source: str = "test") -> AsyncIterator[EventStore]:
    """A migrated store with the Tally projection."""
    engine = make_engine(url, pool_size=20)
    store = EventStore(engine, source=source, projections=[Tally()])
    await upgrade(engine, MIGRATIONS)
    try:
        yield store
    finally:
        await store.close()


async def backends(url: str) -> list[int]:
    """The server processes connected to the test's database, apart from this query's own."""
    server = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        rows = await server.fetch(
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await server.close()
    return [row["pid"] for row in rows]


async def terminate(url: str, pids: list[int]) -> None:
    server = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await server.execute("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid", pids)
    finally:
        await server.close()
