"""Transactional outbox and inbox: a crash or an absent broker loses nothing and doubles nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import text

from shared.bus.local import LocalBus
from shared.bus.port import Bus, Outgoing
from shared.consumer import Subscriber
from shared.contracts import Contract, contract
from shared.envelope import CloudEvent
from shared.store.eventstore import (
    DuplicateDelivery,
    EventStore,
    Metadata,
    NewEvent,
    Transaction,
)
from shared.store.relay import OutboxRelay
from tests.kernel.stores import open_store, tally

META = Metadata(actor="test")


@contract
class Counted(Contract):
    """A test event: the consumer counts it once per customer stream."""

    context = "outboxtest"
    n: int


async def record_effect(tx: Transaction, envelope: CloudEvent, message: Contract) -> None:
    """The downstream effect: one more event on the customer's stream."""
    assert isinstance(message, Counted)
    stream = f"effects-{envelope.customerid}"
    loaded = await tx.load(stream)
    await tx.append(stream, len(loaded), [NewEvent("Effect", {"n": message.n})])


async def emit(store: EventStore, customer: str, n: int) -> None:
    async with store.transaction(META) as tx:
        await tx.append(f"source-{customer}-{n}", 0, [NewEvent("Made", {"n": n})])
        await tx.publish(Counted(n=n), topic="outboxtest.events", customer_id=customer)


async def wait_until(condition, timeout: float = 20.0) -> None:  # type: ignore[no-untyped-def]
    deadline = asyncio.get_running_loop().time() + timeout
    while not await condition():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.02)


class CrashAfterPublish(OutboxRelay):
    """A relay that dies after the broker acknowledged, before it cleared the outbox."""

    async def clear(self, ids: list[int]) -> None:
        raise SystemExit("relay killed after publish")


class FlakyBus:
    """A bus that is down for the first `outages` publishes."""

    def __init__(self, inner: LocalBus, outages: int) -> None:
        self.inner = inner
        self.outages = outages

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        if self.outages > 0:
            self.outages -= 1
            raise ConnectionError("broker unreachable")
        await self.inner.publish(messages)


@pytest.fixture
async def bus(tmp_path: Path):  # type: ignore[no-untyped-def]
    bus = LocalBus(tmp_path / "bus.sqlite", backoff_seconds=0.01)
    await bus.start()
    yield bus
    await bus.stop()


async def downstream(bus: LocalBus, url: str):  # type: ignore[no-untyped-def]
    """A consumer service with its own store and inbox."""
    context = open_store(url, source="downstream")
    store = await context.__aenter__()
    subscriber = Subscriber(store, "downstream", {Counted: [record_effect]})
    bus.subscribe("downstream", ["outboxtest.events"], subscriber)
    return context, store


async def test_an_event_committed_before_the_relay_died_is_published_once_on_restart(
    database_url: str, tmp_path: Path, bus: LocalBus
) -> None:
    consumer_ctx, consumer = await downstream(bus, f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite'}")
    async with open_store(database_url) as store:
        await emit(store, "c-1", 1)  # committed; the relay was dead, nothing published
        assert await bus.lag() == 0
        await all_readable(store, 1)
        assert await OutboxRelay(store, bus).run_once() == 1  # the restarted relay

        async def effect_seen() -> bool:
            return (await tally(consumer)).get("effects-c-1") == 1

        await wait_until(effect_seen)
        assert await OutboxRelay(store, bus).run_once() == 0, "the outbox is empty afterwards"
    await consumer_ctx.__aexit__(None, None, None)


async def test_a_relay_killed_after_publishing_republishes_and_the_inbox_absorbs_it(
    database_url: str, tmp_path: Path, bus: LocalBus
) -> None:
    consumer_ctx, consumer = await downstream(bus, f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite'}")
    async with open_store(database_url) as store:
        await emit(store, "c-1", 1)
        await all_readable(store, 1)
        with pytest.raises(SystemExit):
            await CrashAfterPublish(store, bus).run_once()
        assert await OutboxRelay(store, bus).run_once() == 1, "the restarted relay sends it again"

        async def all_handled() -> bool:
            return await bus.lag() == 0

        await wait_until(all_handled)
        published = [d for _, d in await bus.read_log() if d.topic == "outboxtest.events"]
        assert len(published) == 2, "the bus saw the event twice"
        assert await tally(consumer) == {"effects-c-1": 1}, "exactly one effect downstream"
    await consumer_ctx.__aexit__(None, None, None)


async def test_a_broker_down_for_a_while_loses_nothing_and_keeps_each_customers_order(
    database_url: str, tmp_path: Path, bus: LocalBus
) -> None:
    consumer_ctx, consumer = await downstream(bus, f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite'}")
    async with open_store(database_url) as store:
        for n in range(60):
            await emit(store, f"c-{n % 3}", n)
        flaky: Bus = FlakyBus(bus, outages=4)  # type: ignore[assignment]
        relay = OutboxRelay(store, flaky, batch_size=7, retry_seconds=0.01)

        async def all_effects() -> bool:
            return sum((await tally(consumer)).values()) == 60

        async with relay.running():
            await wait_until(all_effects)
        for customer in range(3):
            effects = await consumer.read_stream(f"effects-c-{customer}")
            assert [e.data["n"] for e in effects] == list(range(customer, 60, 3))
    await consumer_ctx.__aexit__(None, None, None)


class RecordingBus:
    """A bus that keeps what it was given and fails the publishes it is told to."""

    def __init__(self, inner: LocalBus, fail_on: set[int] | None = None) -> None:
        self.inner = inner
        self.fail_on = fail_on or set()
        self.calls = 0

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        self.calls += 1
        if self.calls in self.fail_on:
            raise ConnectionError("broker unreachable")
        await self.inner.publish(messages)


async def all_readable(store: EventStore, count: int) -> None:
    """Wait until the relay can read all rows: on PostgreSQL a transaction elsewhere on the
    server holds the read horizon below rows committed after it began."""
    horizon = " WHERE txid < pg_snapshot_xmin(pg_current_snapshot())::text::bigint"
    query = text("SELECT count(*) FROM outbox" + (horizon if store.postgres else ""))

    async def readable() -> bool:
        async with store.engine.connect() as conn:
            return (await conn.execute(query)).scalar() == count

    await wait_until(readable, timeout=60)


async def published_counts(bus: LocalBus) -> list[tuple[str, int]]:
    return [
        (d.key, CloudEvent.from_json(d.value).data["n"])
        for _, d in await bus.read_log()
        if d.topic == "outboxtest.events"
    ]


async def test_a_drain_publishes_batch_after_batch_in_order_and_clears_each(
    database_url: str, bus: LocalBus
) -> None:
    async with open_store(database_url) as store:
        for n in range(23):
            await emit(store, f"c-{n % 3}", n)
        await all_readable(store, 23)
        relay = OutboxRelay(store, RecordingBus(bus), batch_size=4)  # type: ignore[arg-type]
        assert await relay.drain() == 23
        assert relay.published == 23
        assert await relay.pending() == 0
        published = await published_counts(bus)
        assert [n for _, n in published] == list(range(23)), "outbox order, batch after batch"


class SlowSecondRead(OutboxRelay):
    """A relay whose read of the next batch is slow, and two rows commit while it waits."""

    written = False

    async def _fetch(self, after: object) -> Sequence[object]:
        if after is not None and not self.written:
            self.written = True
            await asyncio.sleep(0.2)  # long enough for anything running beside the read
            await emit(self.store, "c-0", 1)
            await emit(self.store, "c-0", 2)
        return await super()._fetch(after)  # type: ignore[arg-type]


async def test_rows_written_while_the_next_batch_is_read_are_published_in_order(
    tmp_path: Path, bus: LocalBus
) -> None:
    # SQLite numbers a new row max(id) + 1: had the batch in hand been deleted before the
    # slow read ran, row 1 would reuse its number, fall behind the read's cursor and be
    # published after row 2.
    async with open_store(f"sqlite+aiosqlite:///{tmp_path / 'o.sqlite'}") as store:
        await emit(store, "c-0", 0)
        relay = SlowSecondRead(store, bus, batch_size=1)
        while await relay.drain():
            pass
        published = await published_counts(bus)
        assert [n for _, n in published] == [0, 1, 2], "commit order, not id-reuse order"


async def test_a_publish_failing_mid_drain_clears_only_what_was_acknowledged_before_it(
    database_url: str, tmp_path: Path, bus: LocalBus
) -> None:
    consumer_ctx, consumer = await downstream(bus, f"sqlite+aiosqlite:///{tmp_path / 'd.sqlite'}")
    async with open_store(database_url) as store:
        for n in range(23):
            await emit(store, f"c-{n % 3}", n)
        await all_readable(store, 23)
        failing = RecordingBus(bus, fail_on={3})
        relay = OutboxRelay(store, failing, batch_size=4)  # type: ignore[arg-type]
        with pytest.raises(ConnectionError):
            await relay.drain()
        assert await relay.pending() == 23 - 8, "the two acknowledged batches are cleared"
        assert await relay.drain() == 15, "the rest, from the failed batch on"
        assert await relay.pending() == 0

        async def all_effects() -> bool:
            return sum((await tally(consumer)).values()) == 23

        await wait_until(all_effects)
        for customer in range(3):
            effects = await consumer.read_stream(f"effects-c-{customer}")
            assert [e.data["n"] for e in effects] == list(range(customer, 23, 3))
    await consumer_ctx.__aexit__(None, None, None)


async def test_rows_hidden_behind_an_older_transaction_go_out_as_soon_as_it_ends(
    pg_database: str, bus: LocalBus
) -> None:
    async with open_store(pg_database) as store:
        relay = OutboxRelay(store, bus, poll_seconds=30)  # only a wake-up can be quick
        async with relay.running():
            async with store.engine.connect() as older:
                async with older.begin():
                    # An older transaction with an id: rows committed after it stay below the
                    # horizon (unreadable) until it ends, though their commit woke the relay.
                    await older.execute(text("SELECT pg_current_xact_id()"))
                    await emit(store, "c-1", 1)
                    await asyncio.sleep(0.3)
                    assert relay.published == 0
            started = asyncio.get_running_loop().time()

            async def sent() -> bool:
                return relay.published == 1

            await wait_until(sent, timeout=5)
            assert asyncio.get_running_loop().time() - started < 2, "not left for the poll"


async def test_rows_committed_by_another_process_of_the_service_wake_the_leading_relay(
    pg_database: str, bus: LocalBus
) -> None:
    # Two processes of one service: the first leads the relay, the second only commits.
    async with open_store(pg_database) as leading, open_store(pg_database) as other:
        relay = OutboxRelay(leading, bus, poll_seconds=30)  # only a wake-up can be quick
        async with relay.running():

            async def leads() -> bool:
                return leading.relay_here

            await wait_until(leads, timeout=5)
            assert not other.relay_here
            loop = asyncio.get_running_loop()
            for n in range(1, 4):
                started = loop.time()
                await emit(other, f"c-{n}", n)

                async def sent(n: int = n) -> bool:
                    return relay.published == n

                await wait_until(sent, timeout=5)
                assert loop.time() - started < 2, "not left for the poll"
            published = [d for _, d in await bus.read_log() if d.topic == "outboxtest.events"]
            assert [d.key for d in published] == ["c-1", "c-2", "c-3"]
        assert not leading.relay_here, "a relay that stopped no longer counts as leading"


async def test_the_inbox_remembers_a_handled_event_and_refuses_a_second_hand_whole(
    database_url: str,
) -> None:
    async with open_store(database_url) as store:
        async with store.transaction(META) as tx:
            assert not await tx.already_handled("downstream", "event-1")
            await tx.append("effects-c-1", 0, [NewEvent("Effect", {"n": 1})])
            await tx.mark_handled("downstream", "event-1")
        async with store.transaction(META) as tx:
            assert await tx.already_handled("downstream", "event-1")
            assert not await tx.already_handled("elsewhere", "event-1"), "inboxes are per consumer"
        # A second hand that raced past the check: its mark is refused and its effect undone.
        with pytest.raises(DuplicateDelivery):
            async with store.transaction(META) as tx:
                await tx.append("effects-c-2", 0, [NewEvent("Effect", {"n": 2})])
                await tx.mark_handled("downstream", "event-1")
        assert await tally(store) == {"effects-c-1": 1}
        async with store.transaction(META) as tx:  # the store goes on after the refusal
            await tx.mark_handled("downstream", "event-2")
            await tx.publish(Counted(n=2), topic="outboxtest.events", customer_id="c-2")
        async with store.engine.connect() as conn:
            queued = (await conn.execute(text("SELECT topic, key, payload FROM outbox"))).all()
        assert [(topic, key) for topic, key, _ in queued] == [("outboxtest.events", "c-2")]
        assert CloudEvent.from_json(bytes(queued[0][2])).data == {"n": 2}
