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
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts import Contract
from shared.envelope import SPEC_VERSION, utcnow
from shared.ids import new_id
from shared.store.eventstore import (
    StoredEvent,
    StreamAppend,
    Transaction,
    _driver_in_transaction,
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
            self.tx.loaded(stream_id, stream)
        return found

    async def append(self, writes: Sequence[StreamAppend]) -> list[StoredEvent]:
        """Append every write in one statement; ConcurrencyError if any stream moved on."""
        return await self.tx.append_many([w for w in writes if w.events])

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
        return await self.tx.driver() if self.tx.store.postgres else None


async def driver_of(conn: AsyncConnection) -> asyncpg.Connection | None:
    """The asyncpg connection under a SQLAlchemy connection (None on SQLite), its transaction
    begun, for projections' one-statement writes."""
    if conn.dialect.name != "postgresql":
        return None
    return await _driver_in_transaction(conn)


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


_PG_LOAD = (
    "SELECT position, txid, stream_id, version, event_id, type, data::text, meta::text,"
    " recorded_at FROM events WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, version"
)
_PG_OUTBOX = (
    "INSERT INTO outbox (topic, key, event_id, payload)"
    " SELECT t, k, e, p FROM unnest($1::text[], $2::text[], $3::text[], $4::bytea[])"
    " WITH ORDINALITY AS u(t, k, e, p, n) ORDER BY n"
)
