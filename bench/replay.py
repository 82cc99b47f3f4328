"""Replay: rebuild the agreements service's read models from 1,000,000 events.

The log is seeded with COPY (not timed): 40,000 customers, each with 25 events in the mix
a customer gathers over a few years (registered, agreement signed, a contact person, three
subscriptions added and started, sixteen quantity changes).

- ours: `rebuild_projections` (what `msp replay agreements` runs, after freezing what the
  process holds at that point, as `msp replay` does) with the service's real projection
  (`AgreementsView`): empty the read models, re-apply every event, commit. As a replay
  finds a running service's read models, each try starts from full ones (an untimed
  rebuild first fills them);
- limit: reading the same rows, in the same order, with an asyncpg cursor (no decoding, no
  projection).

Each side is timed twice, in turn (cursor, rebuild, cursor, rebuild), and its best try counts.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import asyncpg
import orjson

from bench.common import (
    Ratio,
    Stopwatch,
    postgres,
    scratch_database,
    served_heap,
    size,
    sqlalchemy_url,
)
from services.agreements.adapters.projections import AgreementsView
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore
from shared.store.migrations import upgrade
from shared.store.replay import rebuild_projections

TITLE = "Replay"
PER_CUSTOMER = 25
TRIES = 2  # timed tries of each side, taken in turn
MIGRATIONS = Path(__file__).resolve().parent.parent / "services" / "agreements" / "migrations"
_COLUMNS = ["stream_id", "version", "event_id", "type", "data", "meta", "recorded_at"]
_READ = (
    "SELECT position, txid, stream_id, version, event_id, type, data, meta, recorded_at"
    " FROM events ORDER BY txid, position"
)


async def run(smoke: bool) -> list[Ratio]:
    total = size(1_000_000, 2_500, smoke)
    customers = max(1, total // PER_CUSTOMER)
    with postgres() as server, Stopwatch() as whole:
        async with scratch_database(server) as db:
            engine = make_engine(sqlalchemy_url(db))
            store = EventStore(engine, source="agreements", projections=[AgreementsView()])
            try:
                await upgrade(engine, MIGRATIONS)
                with Stopwatch() as seeding:
                    seeded = await _seed(db, customers)
                conn = await asyncpg.connect(db)
                try:
                    await conn.execute("VACUUM ANALYZE events")
                    await _read_raw(conn, seeded)  # warms the cache for both sides
                    await _rebuild(store, seeded)  # the read models a replay finds
                    # Each side's best of the same number of tries, taken in turn, so both
                    # meet the same moods of the machine.
                    raw_tries, ours_tries = [], []
                    for _ in range(1 if smoke else TRIES):
                        raw_tries.append(await _read_raw(conn, seeded))
                        ours_tries.append(await _rebuild(store, seeded))
                finally:
                    await conn.close()
                await _check(engine, customers)
            finally:
                await store.close()
    return [
        Ratio(
            f"rebuild agreements from {seeded:,} events vs asyncpg cursor read",
            seeded / min(ours_tries),
            seeded / min(raw_tries),
            "events/s",
            goal=0.5,
            notes=(
                f"best of {len(ours_tries)} each, in turn; ours"
                f" {', '.join(f'{seeded / s:,.0f}' for s in ours_tries)}, cursor"
                f" {', '.join(f'{seeded / s:,.0f}' for s in raw_tries)};"
                f" seeded with COPY at {seeded / seeding.seconds:,.0f} events/s"
            ),
            details={"whole_seconds": whole.seconds},
        )
    ]


async def _rebuild(store: EventStore, expected: int) -> float:
    """One timed rebuild, over the read models the last one wrote."""
    with served_heap(), Stopwatch() as sw:  # as `msp replay` freezes first
        replayed = await rebuild_projections(store)
    assert replayed == expected, (replayed, expected)
    return sw.seconds


async def _read_raw(conn: asyncpg.Connection, expected: int) -> float:
    rows = 0
    with Stopwatch() as sw:
        async with conn.transaction():
            cursor = await conn.cursor(_READ)
            while records := await cursor.fetch(10_000):
                rows += len(records)
    assert rows == expected, (rows, expected)
    return sw.seconds


def _customer_events(n: int, day: date) -> list[tuple[str, int, str, dict[str, object]]]:
    """(stream, version, type, data) of one customer's history."""
    customer = str(uuid.uuid4())
    cstream = f"customer-{customer}"
    out: list[tuple[str, int, str, dict[str, object]]] = [
        (
            cstream,
            1,
            "CustomerRegistered",
            {
                "customer_id": customer,
                "name": f"Kunde {n} ApS",
                "cvr": f"{10_000_000 + n % 89_999_999}",
                "kind": "business",
                "address": f"Vestergade {n % 200 + 1}, 8000 Aarhus C",
                "finance_email": f"finance{n}@example.dk",
                "registered_on": day.isoformat(),
            },
        ),
        (
            cstream,
            2,
            "AgreementSigned",
            {
                "customer_id": customer,
                "profile": "standard",
                "model": "subscription",
                "tier": "gold",
                "signed_on": day.isoformat(),
                "first_security_check_due": (day + timedelta(days=90)).isoformat(),
            },
        ),
        (
            cstream,
            3,
            "PersonAdded",
            {
                "person_id": str(uuid.uuid4()),
                "customer_id": customer,
                "role": "finance",
                "name": f"Person {n}",
                "email": f"person{n}@example.dk",
                "phone": "+45 12 34 56 78",
                "department_id": None,
            },
        ),
    ]
    subscriptions = [str(uuid.uuid4()) for _ in range(3)]
    versions = dict.fromkeys(subscriptions, 0)

    def sub(sid: str, kind: str, data: dict[str, object]) -> None:
        versions[sid] += 1
        out.append((f"subscription-{sid}", versions[sid], kind, data))

    for i, sid in enumerate(subscriptions):
        sub(
            sid,
            "SubscriptionAdded",
            {
                "subscription_id": sid,
                "customer_id": customer,
                "sku": f"M365-{i}",
                "name": "Microsoft 365 Business Premium",
                "quantity": 10 + i,
                "billing_period": "monthly",
                "unit_price": "129.00",
                "payment_terms_days": 14,
                "suspendable": True,
                "service_kind": "license",
                "start": day.isoformat(),
                "vendor_reference": {},
            },
        )
    for sid in subscriptions:
        sub(sid, "SubscriptionStarted", {"subscription_id": sid, "start": day.isoformat()})
    for k in range(PER_CUSTOMER - len(out)):
        sid = subscriptions[k % 3]
        sub(
            sid,
            "SubscriptionQuantityChanged",
            {"subscription_id": sid, "quantity": 11 + k, "unit_price": "129.00"},
        )
    return out


async def _seed(db: str, customers: int) -> int:
    """COPY the log in chunks, one transaction per chunk; returns the number of events."""
    conn = await asyncpg.connect(db)
    now = datetime.now(UTC)
    day = date(2026, 1, 5)
    seeded = 0
    try:
        for first in range(0, customers, 4_000):
            records = []
            for n in range(first, min(customers, first + 4_000)):
                meta = orjson.dumps({"actor": "bench", "business_date": day.isoformat()}).decode()
                for stream, version, kind, data in _customer_events(n, day):
                    records.append(
                        (
                            stream,
                            version,
                            str(uuid.uuid4()),
                            kind,
                            orjson.dumps(data).decode(),
                            meta,
                            now,
                        )
                    )
            async with conn.transaction():
                await conn.copy_records_to_table("events", records=records, columns=_COLUMNS)
            seeded += len(records)
    finally:
        await conn.close()
    return seeded


async def _check(engine: object, customers: int) -> None:
    """The read models hold what the events say."""
    from sqlalchemy import func, select
    from sqlalchemy.ext.asyncio import AsyncEngine

    from services.agreements.adapters import tables as t

    assert isinstance(engine, AsyncEngine)
    async with engine.connect() as conn:
        subs = (await conn.execute(select(func.count()).select_from(t.subscriptions))).scalar()
        active = (
            await conn.execute(
                select(func.count())
                .select_from(t.subscriptions)
                .where(t.subscriptions.c.status == "active")
            )
        ).scalar()
        people = (await conn.execute(select(func.count()).select_from(t.people))).scalar()
    assert subs == active == 3 * customers, (subs, active, customers)
    assert people == customers, (people, customers)
