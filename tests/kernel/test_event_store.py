"""The event store contract, run against SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import gc
import random
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select

from shared.store.eventstore import (
    ConcurrencyError,
    EventStore,
    Metadata,
    NewEvent,
    StreamAppend,
    retry_on_conflict,
)
from shared.store.replay import rebuild_projections
from shared.store.schema import events
from shared.store.upsert import update_row
from tests.kernel.stores import open_store, tallies, tally

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


async def test_replay_collects_garbage_rarely_while_it_runs_and_as_before_after(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_store(database_url) as store:
        for n in range(5):
            await append_next(store, "s", n)
        projection = store.projections[0]
        apply = projection.apply
        seen: list[int] = []

        async def noting(conn: Any, stored: Any) -> None:
            seen.append(gc.get_threshold()[0])
            await apply(conn, stored)

        monkeypatch.setattr(projection, "apply", noting)
        before = gc.get_threshold()
        assert await rebuild_projections(store) == 5
        assert gc.get_threshold() == before
        await rebuild_projections(store, in_memory=False)  # statement by statement: as usual
        assert await tally(store) == {"s": 5}
    assert seen == [50_000] * 5 + [before[0]] * 5


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


async def test_append_many_keeps_the_order_given_across_streams(database_url: str) -> None:
    async with open_store(database_url) as store:
        async with store.transaction(META) as tx:
            await tx.append("b", 0, [event(0)])
        async with store.transaction(META) as tx:
            loaded = await tx.load("b")
            stored = await tx.append_many(
                [
                    StreamAppend("a", 0, [event(1), event(2)], customer_id="c-1"),
                    StreamAppend("b", len(loaded), [event(3)]),
                    StreamAppend("c", 0, [event(4), event(5)]),
                ]
            )
        async with store.engine.connect() as conn:  # the global order, whatever the horizon
            everything = (
                await conn.execute(
                    select(events.c.txid, events.c.position, events.c.data).order_by(
                        events.c.txid, events.c.position
                    )
                )
            ).all()
        counts = await tally(store)
    assert [(e.stream_id, e.version) for e in stored] == [
        ("a", 1),
        ("a", 2),
        ("b", 2),
        ("c", 1),
        ("c", 2),
    ]
    assert [e.data["n"] for e in everything] == [0, 1, 2, 3, 4, 5], "the global order is as given"
    assert [(e.txid, e.position) for e in everything[1:]] == [e.cursor for e in stored]
    assert stored[0].meta["customer_id"] == "c-1" and stored[2].meta["customer_id"] is None
    assert counts == {"a": 2, "b": 2, "c": 2}, "projections saw every event"


async def test_append_many_is_a_conflict_as_a_whole_if_one_stream_moved(database_url: str) -> None:
    async with open_store(database_url) as store:
        async with store.transaction(META) as tx:
            await tx.append("s", 0, [event(1)])
        with pytest.raises(ConcurrencyError):
            async with store.transaction(META) as tx:
                await tx.append_many(
                    [StreamAppend("fresh", 0, [event(2)]), StreamAppend("s", 0, [event(3)])]
                )
        assert await store.read_stream("fresh") == []
        assert await tally(store) == {"s": 1}


async def test_replay_in_memory_and_statement_by_statement_agree(database_url: str) -> None:
    async with open_store(database_url) as store:
        for n in range(40):
            await append_next(store, f"s{n % 5}", n)
        before = await tally(store)
        await rebuild_projections(store, in_memory=False)
        by_statement = await tally(store)
        replayed = await rebuild_projections(store)
        in_memory = await tally(store)
    assert replayed == 40
    assert in_memory == by_statement == before == {f"s{i}": 8 for i in range(5)}


async def test_update_row_changes_only_the_row_with_that_key(database_url: str) -> None:
    async with open_store(database_url) as store:
        for n in range(3):
            await append_next(store, "x", n)
        await append_next(store, "y", 9)
        async with store.engine.begin() as conn:
            await update_row(conn, tallies, {"stream_id": "x"}, {"events": 30})
            await update_row(conn, tallies, {"stream_id": "nobody"}, {"events": 1})
        assert await tally(store) == {"x": 30, "y": 1}


async def test_a_transaction_running_in_another_database_does_not_hold_a_reader_back(
    pg_database: str, postgres_url: str
) -> None:
    """PostgreSQL: transaction ids are the server's, but only this database's can add rows."""
    elsewhere = await asyncpg.connect(postgres_url.replace("+asyncpg", ""))
    try:
        async with open_store(pg_database) as store:
            async with elsewhere.transaction():
                await elsewhere.fetchval("SELECT pg_current_xact_id()")  # holds an id open
                await append_next(store, "s", 1)  # commits after it, while it is still open
                seen = await store.read_all()
    finally:
        await elsewhere.close()
    assert [e.data["n"] for e in seen] == [1]
