"""Rebuild a service's read models from its own events."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import delete, select, tuple_

from shared.store.eventstore import START, EventStore, _stored
from shared.store.schema import events


async def rebuild_projections(
    store: EventStore, *, batch: int = 2000, progress: Callable[[int], None] | None = None
) -> int:
    """Empty every projection table and re-apply the whole log, in one transaction."""
    count = 0
    async with store.engine.begin() as conn:
        for projection in store.projections:
            for table in projection.tables:
                await conn.execute(delete(table))
        cursor = START
        while True:
            rows = (
                (
                    await conn.execute(
                        select(events)
                        .where(tuple_(events.c.txid, events.c.position) > cursor)
                        .order_by(events.c.txid, events.c.position)
                        .limit(batch)
                    )
                )
                .mappings()
                .all()
            )
            if not rows:
                break
            for row in rows:
                stored = _stored(row)
                for projection in store.projections:
                    await projection.apply(conn, stored)
                cursor = stored.cursor
            count += len(rows)
            if progress:
                progress(len(rows))
    return count
