"""The event store contract, run against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import random

import pytest

from shared.store.eventstore import (
    ConcurrencyError,
    EventStore,
    Metadata,
    NewEvent,
    retry_on_conflict,
)
from shared.store.replay import rebuild_projections
from tests.kernel.stores import open_store, tally

META = Metadata(actor="test")


def event(n: int) -> NewEvent:
    return NewEvent(type="Counted", data={"n": n})


async def append_next(store: EventStore, stream: str, n: int) -> int:
    """Load the stream, append one event after its last version: the command shape."""

    async def attempt() -> int:
        async with store.transaction(META) as tx:
            loaded = await tx.load(stream)
            stored = await tx.append(stream, len(loaded), [event(n)])
            return stored[0].version

    return await retry_on_conflict(attempt, attempts=200, pause=0.002)


async def test_a_stream_reads_back_in_version_order(database_url: str) -> None:
    async with open_store(database_url) as store:
        async with store.transaction(META) as tx:
            await tx.append("invoice-1", 0, [event(1), event(2)], customer_id="c-1")
        async with store.transaction(META) as tx:
            await tx.append("invoice-1", 2, [event(3)])
        stream = await store.read_stream("invoice-1")
    assert [e.version for e in stream] == [1, 2, 3]
    assert [e.data["n"] for e in stream] == [1, 2, 3]
    assert stream[0].meta["actor"] == "test"
    assert stream[0].meta["customer_id"] == "c-1"


async def test_appending_at_a_stale_version_is_a_conflict_and_stores_nothing(
    database_url: str,
) -> None:
    async with open_store(database_url) as store:
        async with store.transaction(META) as tx:
            await tx.append("s", 0, [event(1)])
        with pytest.raises(ConcurrencyError):
            async with store.transaction(META) as tx:
                await tx.append("other", 0, [event(9)])
                await tx.append("s", 0, [event(2)])
        assert [e.data["n"] for e in await store.read_stream("s")] == [1]
        assert await store.read_stream("other") == []
        assert await tally(store) == {"s": 1}


async def test_fifty_concurrent_appends_to_one_stream_write_each_version_once(
    database_url: str,
) -> None:
    async with open_store(database_url) as store:
        versions = await asyncio.gather(*(append_next(store, "hot", n) for n in range(50)))
        stream = await store.read_stream("hot")
        counts = await tally(store)
    assert sorted(versions) == list(range(1, 51))
    assert [e.version for e in stream] == list(range(1, 51))
    assert sorted(e.data["n"] for e in stream) == list(range(50)), "every command's event is kept"
    assert counts == {"hot": 50}, "the projection saw each event once"


async def test_the_global_order_holds_every_event_once_with_each_stream_in_order(
    database_url: str,
) -> None:
    async with open_store(database_url) as store:
        streams = [f"s{i}" for i in range(8)]
        work = [append_next(store, random.choice(streams), n) for n in range(160)]
        await asyncio.gather(*work)
        everything = [e async for e in store.iterate_all(batch=17)]
    assert sorted(e.data["n"] for e in everything) == list(range(160))
    cursors = [e.cursor for e in everything]
    assert cursors == sorted(cursors), "the global order never goes back"
    for stream in streams:
        versions = [e.version for e in everything if e.stream_id == stream]
        assert versions == list(range(1, len(versions) + 1))


async def test_reading_from_a_cursor_returns_only_what_came_after(database_url: str) -> None:
    async with open_store(database_url) as store:
        for n in range(5):
            await append_next(store, "s", n)
        first = await store.read_all(limit=2)
        rest = await store.read_all(after=first[-1].cursor)
    assert [e.data["n"] for e in first] == [0, 1]
    assert [e.data["n"] for e in rest] == [2, 3, 4]


async def test_replay_rebuilds_the_read_models_as_they_were(database_url: str) -> None:
    async with open_store(database_url) as store:
        for n in range(30):
            await append_next(store, f"s{n % 4}", n)
        before = await tally(store)
        replayed = await rebuild_projections(store, batch=7)
        after = await tally(store)
    assert replayed == 30
    assert after == before == {"s0": 8, "s1": 8, "s2": 7, "s3": 7}


async def test_a_reader_never_skips_an_event_of_a_transaction_still_running(
    pg_database: str,
) -> None:
    """PostgreSQL: a slow transaction's event, committed later, is not jumped over."""
    async with open_store(pg_database) as store:
        slow_appended = asyncio.Event()
        release = asyncio.Event()

        async def slow() -> None:
            async with store.transaction(META) as tx:
                await tx.append("slow", 0, [event(1)])
                slow_appended.set()
                await release.wait()

        slow_task = asyncio.create_task(slow())
        await slow_appended.wait()
        await append_next(store, "fast", 2)  # commits while the slow one is still open
        seen_while_open = await store.read_all()
        release.set()
        await slow_task
        seen_after = await store.read_all()
    assert seen_while_open == [], "nothing at or after the running transaction is handed out"
    assert [e.data["n"] for e in seen_after] == [1, 2]
