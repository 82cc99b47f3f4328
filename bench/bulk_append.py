"""Bulk append: 100,000 events in batches of 1,000 (100 streams of 10 events each).

- ours: the kernel event store, one transaction per batch, `Transaction.append_many`
  (positions and transaction ids as for any append, the concurrency check on every stream);
- limit: raw asyncpg `copy_records_to_table` of the same rows (JSON serialised the same way)
  into the same table, one transaction per batch.

The two sides take turns batch by batch, each on its own scratch database.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import asyncpg
import orjson

from bench.common import (
    BARE_EVENTS_TABLE,
    Ratio,
    Stopwatch,
    postgres,
    scratch_database,
    size,
    sqlalchemy_url,
)
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, Metadata, NewEvent, StreamAppend
from shared.store.migrations import upgrade
from tests.kernel.stores import MIGRATIONS

TITLE = "Bulk append"
BATCH = 1_000
PER_STREAM = 10
META = Metadata(actor="bench")


def _batch(n: int) -> list[StreamAppend]:
    """n events: n / PER_STREAM new streams of PER_STREAM events, with invoice-like data."""
    appends = []
    for _ in range(max(1, n // PER_STREAM)):
        stream = f"invoice-{uuid.uuid4()}"
        customer = str(uuid.uuid4())
        events = [
            NewEvent(
                "InvoiceLineAdded",
                {"customer_id": customer, "sku": f"SKU-{i}", "quantity": i, "amount": "129.00"},
            )
            for i in range(PER_STREAM)
        ]
        appends.append(StreamAppend(stream, 0, events, customer_id=customer))
    return appends


async def run(smoke: bool) -> list[Ratio]:
    total = size(100_000, 2_000, smoke)
    batches = max(1, total // BATCH)
    ours_seconds = raw_seconds = 0.0
    written = 0
    with postgres() as server:
        async with scratch_database(server) as ours_db, scratch_database(server) as raw_db:
            engine = make_engine(sqlalchemy_url(ours_db))
            await upgrade(engine, MIGRATIONS)
            store = EventStore(engine, source="bench")
            raw = await asyncpg.connect(raw_db)
            await raw.execute(BARE_EVENTS_TABLE)
            try:
                for _ in range(batches):
                    appends = _batch(BATCH)
                    written += sum(len(a.events) for a in appends)
                    with Stopwatch() as sw:
                        async with store.transaction(META) as tx:
                            await tx.append_many(appends)
                    ours_seconds += sw.seconds
                    with Stopwatch() as sw:
                        await _copy(raw, appends)
                    raw_seconds += sw.seconds
                async with engine.connect() as conn:
                    stored = (await conn.exec_driver_sql("SELECT count(*) FROM events")).scalar()
                assert stored == written, f"ours stored {stored} of {written} events"
            finally:
                await raw.close()
                await store.close()
    return [
        Ratio(
            f"{written:,} events in batches of {BATCH:,} vs COPY",
            written / ours_seconds,
            written / raw_seconds,
            "events/s",
            goal=0.5,
        )
    ]


_COLUMNS = ["stream_id", "version", "event_id", "type", "data", "meta", "recorded_at"]


async def _copy(conn: asyncpg.Connection, appends: list[StreamAppend]) -> None:
    now = datetime.now(UTC)
    records = []
    for one in appends:
        meta = orjson.dumps({"actor": "bench", "customer_id": one.customer_id}).decode()
        for offset, new in enumerate(one.events, start=1):
            records.append(
                (
                    one.stream_id,
                    one.expected_version + offset,
                    new.event_id,
                    new.type,
                    orjson.dumps(new.data).decode(),
                    meta,
                    now,
                )
            )
    async with conn.transaction():
        await conn.copy_records_to_table("events", records=records, columns=_COLUMNS)
