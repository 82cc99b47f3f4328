"""Outbox relay to Kafka: committed outbox rows to broker acknowledgements, per second.

Ours: N integration events sit committed in a service store's outbox (PostgreSQL); the
OutboxRelay reads them in (txid, id) order, publishes them through KafkaBus (acks=all)
and deletes them once acknowledged. Timed from the relay's start until every row is
acknowledged and cleared.

Theirs: a bare aiokafka producer (acks=all, its defaults otherwise) sends the same
topic/key/value/headers from memory, then waits for every acknowledgement.

Both topics exist before the clock starts and both producers are connected and warmed
up; the sides alternate over a few rounds and each reports its median.
"""

from __future__ import annotations

import asyncio
import statistics
import uuid
from datetime import date
from decimal import Decimal
from pathlib import Path

from aiokafka import AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from sqlalchemy import func, insert, select

from bench.common import (
    Ratio,
    Stopwatch,
    kafka,
    percentile,
    postgres,
    scratch_database,
    size,
    sqlalchemy_url,
)
from shared.bus.kafka import KafkaBus
from shared.bus.port import Outgoing
from shared.contracts.billing import DueDatePassed
from shared.envelope import CloudEvent, utcnow
from shared.ids import new_id
from shared.settings import KafkaSettings
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, Metadata
from shared.store.migrations import upgrade
from shared.store.relay import OutboxRelay
from shared.store.schema import outbox

TITLE = "Outbox relay to Kafka"
MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "billing" / "migrations"
PARTITIONS = 4
CUSTOMERS = 1_000


def messages(count: int, topic: str) -> list[Outgoing]:
    """Realistic integration events: DueDatePassed envelopes keyed by customer."""
    made = []
    for n in range(count):
        customer = f"customer-{n % CUSTOMERS:05d}"
        envelope = CloudEvent(
            id=new_id(),
            source="/services/billing",
            type=DueDatePassed.type_name(),
            time=utcnow(),
            subject=f"invoice-{n}",
            customerid=customer,
            correlationid=new_id(),
            causationid=new_id(),
            actor="service:billing",
            data={
                "customer_id": customer,
                "invoice_number": 100_000 + n,
                "due_date": "2026-02-13",
                "balance": "1234.50",
                "passed_on": "2026-02-14",
            },
        )
        made.append(
            Outgoing(
                topic=topic,
                key=customer,
                value=envelope.to_json(),
                headers=(("ce_id", envelope.id.encode()),),
            )
        )
    return made


async def fill_outbox(store: EventStore, batch: list[Outgoing]) -> None:
    """Commit the rows as services do (one transaction per chunk; txid from the server)."""
    chunk = 5_000
    for start in range(0, len(batch), chunk):
        rows = [
            {
                "topic": m.topic,
                "key": m.key,
                "event_id": m.headers[0][1].decode(),
                "payload": m.value,
            }
            for m in batch[start : start + chunk]
        ]
        async with store.engine.begin() as conn:
            await conn.execute(insert(outbox), rows)


async def outbox_rows(store: EventStore) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(outbox))).scalar() or 0)


async def create_topics(bootstrap: str, topics: list[str]) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        await admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in topics])
    finally:
        await admin.close()


async def ours_once(store: EventStore, bus: KafkaBus, batch: list[Outgoing]) -> float:
    """Seconds for the relay to publish and clear every committed row."""
    await fill_outbox(store, batch)
    relay = OutboxRelay(store, bus)
    with Stopwatch() as sw:
        async with relay.running():
            while relay.published < len(batch):  # noqa: ASYNC110 - timing the relay, not waiting on it
                await asyncio.sleep(0.001)
    assert await outbox_rows(store) == 0, "the relay left rows behind"
    return sw.seconds


async def theirs_once(producer: AIOKafkaProducer, batch: list[Outgoing]) -> float:
    """Seconds for a bare producer to send the same messages and get every ack."""
    with Stopwatch() as sw:
        pending = [
            await producer.send(m.topic, value=m.value, key=m.key.encode(), headers=list(m.headers))
            for m in batch
        ]
        await asyncio.gather(*pending)
    return sw.seconds


async def wake_latency(
    leading: EventStore, url: str, bus: KafkaBus, topic: str, count: int
) -> tuple[list[float], float]:
    """Milliseconds from a commit in another process of the service to the broker's ack.

    The relay leads in `leading`'s process; the commits come from a second store on the same
    database, as a second process of the service would make them. Also returns the relay's
    poll interval, which is what such a commit waited for before it rang the relay.
    """
    other = EventStore(make_engine(url), source=leading.source)
    relay = OutboxRelay(leading, bus)
    meta = Metadata(actor="bench")
    loop = asyncio.get_running_loop()
    taken = []
    try:
        async with relay.running():
            while not leading.relay_here:  # noqa: ASYNC110 - waiting for the relay to lead
                await asyncio.sleep(0.001)
            for n in range(count):
                started = loop.time()
                async with other.transaction(meta) as tx:
                    message = DueDatePassed(
                        invoice_number=n,
                        customer_id=f"customer-{n:05d}",
                        due_date=date(2026, 2, 13),
                        balance=Decimal("1234.50"),
                        issue_date=date(2026, 1, 30),
                    )
                    await tx.publish(message, topic=topic, customer_id=message.customer_id)
                while relay.published <= n:  # noqa: ASYNC110 - timing the relay, not waiting on it
                    await asyncio.sleep(0.0002)
                taken.append((loop.time() - started) * 1000)
    finally:
        await other.close()
    return taken, relay.poll_seconds


async def run(smoke: bool) -> list[Ratio]:
    count = size(100_000, 300, smoke)
    rounds = 1 if smoke else 3
    run_id = uuid.uuid4().hex[:8]
    ours_topic, bare_topic = f"bench-relay-ours-{run_id}", f"bench-relay-bare-{run_id}"
    ours_batch, bare_batch = messages(count, ours_topic), messages(count, bare_topic)
    with postgres() as server, kafka() as broker:
        await create_topics(broker.bootstrap, [ours_topic, bare_topic])
        settings = KafkaSettings(
            bootstrap_servers=broker.bootstrap,
            enable_idempotence=broker.idempotence,
            partitions=PARTITIONS,
        )
        async with scratch_database(server) as database:
            engine = make_engine(sqlalchemy_url(database))
            store = EventStore(engine, source="billing")
            await upgrade(engine, MIGRATIONS)
            bus = KafkaBus(settings, client_id="bench-relay")
            producer = AIOKafkaProducer(
                bootstrap_servers=broker.bootstrap,
                acks="all",
                enable_idempotence=broker.idempotence,
            )
            await bus.start()
            await producer.start()
            try:
                warm = min(200, count)
                await ours_once(store, bus, ours_batch[:warm])
                await theirs_once(producer, bare_batch[:warm])
                ours_s, theirs_s = [], []
                for _ in range(rounds):
                    ours_s.append(await ours_once(store, bus, ours_batch))
                    theirs_s.append(await theirs_once(producer, bare_batch))
                wakes, poll = await wake_latency(
                    store, sqlalchemy_url(database), bus, ours_topic, size(300, 10, smoke)
                )
            finally:
                await producer.stop()
                await bus.stop()
                await store.close()
    p50, p99 = percentile(wakes, 50), percentile(wakes, 99)
    ours = count / statistics.median(ours_s)
    theirs = count / statistics.median(theirs_s)
    return [
        Ratio(
            name=f"{count:,} events committed -> acknowledged",
            ours=ours,
            theirs=theirs,
            unit="events/s",
            goal=0.8,
            notes=(
                f"median of {rounds}; ours OutboxRelay+KafkaBus, theirs bare aiokafka acks=all;"
                f" a commit in another process of the service -> acknowledged p50 {p50:.1f} ms,"
                f" p99 {p99:.1f} ms over {len(wakes)} (the poll: {poll * 1000:.0f} ms)"
            ),
            details={
                "other_process_p50_ms": p50,
                "other_process_p99_ms": p99,
                "ours_runs_s": min(ours_s),
                "theirs_runs_s": min(theirs_s),
            },
        )
    ]
