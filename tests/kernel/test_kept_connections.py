"""Transactions on connections kept out of the pool (shared/store/kept.py), on PostgreSQL.

What a user of the store sees must not change: a transaction commits its events and its
read models together or neither, a failed one leaves its connection fit for the next, a
transaction opened inside another does not wait for itself, and a connection the server
dropped, or one whose statement was cancelled, is never lent again.
"""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from shared.store.eventstore import EventStore, Metadata, NewEvent, retry_on_conflict
from shared.store.schema import events
from tests.kernel.stores import backends, open_store, tally, terminate

META = Metadata(actor="test")


async def counted(store: EventStore, stream: str, times: int = 1) -> None:
    async with store.transaction(META) as tx:
        loaded = await tx.load(stream)
        await tx.append(
            stream, len(loaded), [NewEvent(type="Counted", data={"n": n}) for n in range(times)]
        )


async def test_events_and_read_model_commit_together_and_a_failure_leaves_neither(
    pg_database: str,
) -> None:
    async with open_store(pg_database) as store:
        await counted(store, "a", 2)
        with pytest.raises(RuntimeError, match="the command failed"):
            async with store.transaction(META) as tx:
                await tx.append("a", 2, [NewEvent(type="Counted", data={"n": 2})])
                raise RuntimeError("the command failed")
        # The connection that ran the failed transaction serves the next one cleanly.
        await counted(store, "a")
        assert await tally(store) == {"a": 3}
        assert [e.version for e in await store.read_stream("a")] == [1, 2, 3]


async def test_a_failed_statement_of_a_projection_rolls_back_and_the_connection_is_reused(
    pg_database: str,
) -> None:
    async with open_store(pg_database) as store:
        await counted(store, "a")
        with pytest.raises(Exception, match="division by zero"):
            async with store.transaction(META) as tx:
                await tx.append("a", 1, [NewEvent(type="Counted", data={"n": 1})])
                await tx.conn.exec_driver_sql("SELECT 1 / 0")  # the transaction is now aborted
        for _ in range(5):
            await counted(store, "a")
        assert await tally(store) == {"a": 6}


async def test_a_transaction_inside_another_does_not_wait_for_itself(pg_database: str) -> None:
    async with open_store(pg_database) as store:
        store._kept._size = 1  # type: ignore[union-attr]  # one kept connection: the inner one must not wait
        async with store.transaction(META) as outer:
            await outer.append("outer", 0, [NewEvent(type="Counted", data={})])
            await asyncio.wait_for(counted(store, "inner"), 10)
        assert await tally(store) == {"outer": 1, "inner": 1}


async def test_many_at_once_each_commit_once(pg_database: str) -> None:
    async with open_store(pg_database) as store:

        async def command(n: int) -> None:
            await retry_on_conflict(lambda: counted(store, f"s{n % 5}"), attempts=100)

        await asyncio.gather(*(command(n) for n in range(100)))
        assert await tally(store) == {f"s{n}": 20 for n in range(5)}
        async with store.engine.connect() as conn:
            written = (await conn.execute(select(events.c.stream_id))).scalars().all()
        assert len(written) == 100


async def test_a_connection_the_server_dropped_is_not_lent_again(pg_database: str) -> None:
    async with open_store(pg_database) as store:
        await asyncio.gather(*(counted(store, f"s{n}") for n in range(4)))
        await terminate(pg_database, await backends(pg_database))
        # Each dropped connection fails on BEGIN, before the command did anything, and is
        # replaced there: no command fails for having drawn one.
        for _ in range(6):
            await counted(store, "after")
        assert (await tally(store))["after"] == 6


async def test_a_cancelled_transaction_leaves_nothing_and_its_connection_is_not_reused(
    pg_database: str,
) -> None:
    async with open_store(pg_database) as store:
        await counted(store, "a")
        before = set(await backends(pg_database))

        async def slow() -> None:
            async with store.transaction(META) as tx:
                await tx.append("a", 1, [NewEvent(type="Counted", data={"n": 1})])
                await (await tx.driver()).execute("SELECT pg_sleep(30)")

        task = asyncio.create_task(slow())
        await asyncio.sleep(0.5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The server stopped the cancelled statement, so its uncommitted event holds no lock
        # that the next command on the stream would wait 30 s for.
        await asyncio.wait_for(counted(store, "a"), 10)
        assert await tally(store) == {"a": 2}
        # The cancelled one's backend is gone (terminated, not returned mid-statement).
        for _ in range(50):
            if len(before - set(await backends(pg_database))) >= 1:
                break
            await asyncio.sleep(0.1)
        assert len(before - set(await backends(pg_database))) >= 1


async def test_closing_the_store_or_disposing_its_engine_closes_the_kept_connections(
    pg_database: str,
) -> None:
    async with open_store(pg_database) as store:
        await asyncio.gather(*(counted(store, f"s{n}") for n in range(8)))
        assert len(await backends(pg_database)) >= 2
    assert await backends(pg_database) == []

    async with open_store(pg_database) as store:
        await asyncio.gather(*(counted(store, f"t{n}") for n in range(8)))
        await store.engine.dispose()
        assert await _eventually_empty(pg_database)
        # The store goes on working after its engine's pool was disposed.
        await counted(store, "t0")
        assert (await tally(store))["t0"] == 2


async def _eventually_empty(url: str) -> bool:
    for _ in range(50):
        if not await backends(url):
            return True
        await asyncio.sleep(0.1)
    return False
