"""Many streams in one transaction: read them in one query, append to them in one statement.

The same guarantees as `Transaction.load` / `Transaction.append` (unique stream version, the
order guard on the writing transaction's id, projections in the same transaction, outbox rows
written with the events), for work that touches hundreds of streams at once, such as an
invoice run. Projections that offer `apply_many(conn, events)` get the whole batch at once;
the others get each event, in order.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import asyncpg
import orjson
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts import Contract
from shared.envelope import SPEC_VERSION, utcnow
from shared.ids import new_id
from shared.store.eventstore import (
    ConcurrencyError,
    StoredEvent,
    StreamAppend,
    Transaction,
    _stored,
)
from shared.store.schema import events, outbox


@dataclass(frozen=True)
class Message:
    """An integration event to queue in the outbox."""

    message: Contract
    topic: str
    customer_id: str | None
    subject: str | None = None
    business_date: date | None = None


class StreamBatch:
    """Reads and appends for many streams within one transaction."""

    def __init__(self, tx: Transaction) -> None:
        self.tx = tx
        self._last_txid: dict[str, int] = {}
        self._pg: asyncpg.Connection | None = None
        self._pg_looked_up = False

    async def load(self, stream_ids: Iterable[str]) -> dict[str, list[StoredEvent]]:
        """Every event of each stream, in version order (an unknown stream maps to [])."""
        wanted = list(dict.fromkeys(stream_ids))
        found: dict[str, list[StoredEvent]] = {s: [] for s in wanted}
        if not wanted:
            return found
        pg = await self.driver()
        if pg is not None:
            for r in await pg.fetch(_PG_LOAD, wanted):
                found[r[2]].append(
                    StoredEvent(
                        r[0],
                        r[1],
                        r[2],
                        r[3],
                        r[4],
                        r[5],
                        orjson.loads(r[6]),
                        orjson.loads(r[7]),
                        r[8],
                    )
                )
        else:
            rows = await self.tx.conn.execute(
                select(events)
                .where(events.c.stream_id.in_(wanted))
                .order_by(events.c.stream_id, events.c.version)
            )
            for row in rows.mappings():
                found[row["stream_id"]].append(_stored(row))
        for stream_id, stream in found.items():
            if stream:
                self._last_txid[stream_id] = stream[-1].txid
        return found

    async def append(self, writes: Sequence[StreamAppend]) -> list[StoredEvent]:
        """Append every write in one statement; ConcurrencyError if any stream moved on."""
        writes = [w for w in writes if w.events]
        if not writes:
            return []
        tx = self.tx
        business_date = await tx.business_date()
        now = utcnow()
        metas: dict[str | None, dict[str, Any]] = {}
        rows: list[dict[str, Any]] = []
        for write in writes:
            meta = metas.get(write.customer_id)
            if meta is None:
                meta = metas[write.customer_id] = {
                    "actor": tx.meta.actor,
                    "correlation_id": tx.meta.correlation_id,
                    "causation_id": tx.meta.causation_id,
                    "customer_id": write.customer_id,
                    "business_date": business_date.isoformat() if business_date else None,
                }
            for offset, new in enumerate(write.events, start=1):
                rows.append(
                    {
                        "stream_id": write.stream_id,
                        "version": write.expected_version + offset,
                        "event_id": new.event_id,
                        "type": new.type,
                        "data": new.data,
                        "meta": meta,
                        "recorded_at": now,
                    }
                )
        pg = await self.driver()
        try:
            if pg is not None:
                written = await pg.fetch(
                    _PG_APPEND,
                    [r["stream_id"] for r in rows],
                    [r["version"] for r in rows],
                    [r["event_id"] for r in rows],
                    [r["type"] for r in rows],
                    [dumps_text(r["data"]) for r in rows],
                    [dumps_text(r["meta"]) for r in rows],
                    now,
                )
            else:
                result = await tx.conn.execute(
                    insert(events).returning(
                        events.c.position, events.c.txid, sort_by_parameter_order=True
                    ),
                    rows,
                )
                written = list(result.all())
        except (IntegrityError, asyncpg.UniqueViolationError) as exc:
            raise ConcurrencyError("a stream of the batch moved on; retry") from exc
        stored = [
            StoredEvent(
                position=ids[0],
                txid=ids[1],
                stream_id=row["stream_id"],
                version=row["version"],
                event_id=row["event_id"],
                type=row["type"],
                data=row["data"],
                meta=row["meta"],
                recorded_at=now,
            )
            for ids, row in zip(written, rows, strict=True)
        ]
        # The order guard of Transaction.append: one transaction writes all rows, one txid.
        if stored and self._last_txid:
            ours = stored[0].txid
            if any(self._last_txid.get(w.stream_id, 0) > ours for w in writes):
                raise ConcurrencyError("a newer transaction wrote a stream of the batch; retry")
        for projection in tx.store.projections:
            apply_many = getattr(projection, "apply_many", None)
            if apply_many is not None:
                await apply_many(tx.conn, stored)
            else:
                for event in stored:
                    await projection.apply(tx.conn, event)
        return stored

    async def publish(self, messages: Sequence[Message]) -> None:
        """Queue integration events in the outbox, as `Transaction.publish` does, in one statement."""
        if not messages:
            return
        tx = self.tx
        service_date = await tx.business_date()
        source = f"/services/{tx.store.source}"
        rows = []
        for m in messages:
            event_id = new_id()
            rows.append(
                {
                    "topic": m.topic,
                    "key": m.customer_id or m.subject or event_id,
                    "event_id": event_id,
                    "payload": _envelope(
                        event_id=event_id,
                        source=source,
                        type=m.message.type_name(),
                        subject=m.subject,
                        customerid=m.customer_id,
                        businessdate=m.business_date or service_date,
                        correlationid=tx.meta.correlation_id,
                        causationid=tx.meta.causation_id,
                        actor=tx.meta.actor,
                        data=m.message.model_dump_json().encode(),
                    ),
                }
            )
        pg = await self.driver()
        if pg is not None:
            await pg.execute(
                _PG_OUTBOX,
                [r["topic"] for r in rows],
                [r["key"] for r in rows],
                [r["event_id"] for r in rows],
                [r["payload"] for r in rows],
            )
        else:
            await tx.conn.execute(insert(outbox), rows)
        tx.wrote_outbox = True

    async def driver(self) -> asyncpg.Connection | None:
        """PostgreSQL: the asyncpg connection under the transaction, for one-round-trip writes."""
        if not self._pg_looked_up:
            self._pg = await driver_of(self.tx.conn)
            self._pg_looked_up = True
        return self._pg


async def driver_of(conn: AsyncConnection) -> asyncpg.Connection | None:
    """The asyncpg connection under a SQLAlchemy connection (None on SQLite), its transaction
    begun: SQLAlchemy sends BEGIN lazily, so a statement goes through it first."""
    if conn.dialect.name != "postgresql":
        return None
    await conn.execute(text("SELECT 1"))
    raw = await conn.get_raw_connection()
    driver: asyncpg.Connection = raw.driver_connection
    return driver


def _envelope(
    *,
    event_id: str,
    source: str,
    type: str,
    subject: str | None,
    customerid: str | None,
    businessdate: date | None,
    correlationid: str | None,
    causationid: str | None,
    actor: str,
    data: bytes,
) -> bytes:
    """The same JSON as `CloudEvent(...).to_json()`, the data serialised once, by its contract."""
    fields: dict[str, Any] = {
        "id": event_id,
        "source": source,
        "type": type,
        "specversion": SPEC_VERSION,
        "time": utcnow(),
        "subject": subject,
        "datacontenttype": "application/json",
        "customerid": customerid,
        "businessdate": businessdate,
        "correlationid": correlationid,
        "causationid": causationid,
        "actor": actor,
        "data": orjson.Fragment(data),
    }
    envelope = {k: v for k, v in fields.items() if v is not None}
    return orjson.dumps(envelope, option=orjson.OPT_UTC_Z)


def dumps_text(value: Any) -> str:
    """JSON text of a document (event data, metadata), as the store keeps it."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


_PG_LOAD = (
    "SELECT position, txid, stream_id, version, event_id, type, data::text, meta::text,"
    " recorded_at FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, version"
)
# unnest keeps the order given, so positions (and the global order) follow it.
_PG_APPEND = (
    "INSERT INTO events (stream_id, version, event_id, type, data, meta, recorded_at)"
    " SELECT s, v, e, t, d::jsonb, m::jsonb, $7"
    " FROM unnest($1::text[], $2::int[], $3::text[], $4::text[], $5::text[], $6::text[])"
    " WITH ORDINALITY AS u(s, v, e, t, d, m, n) ORDER BY n"
    " RETURNING position, txid"
)
_PG_OUTBOX = (
    "INSERT INTO outbox (topic, key, event_id, payload)"
    " SELECT t, k, e, p FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[])"
    " WITH ORDINALITY AS u(t, k, e, p, n) ORDER BY n"
)
