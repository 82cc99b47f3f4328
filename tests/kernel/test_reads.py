"""Read-model queries outside a transaction (shared/store/reads.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import contextlib
import gc
from typing import Any

import asyncpg
import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, TypeDecorator, bindparam, select

from shared.store.availability import is_unavailable
from shared.store.eventstore import Metadata, NewEvent
from shared.store.reads import KeyedQuery, Reader, ReadQuery
from tests.kernel.stores import backends, open_store, tallies

META = Metadata(actor="test")
ONE_TALLY = ReadQuery(select(tallies).where(tallies.c.stream_id == bindparam("stream")))
ALL_TALLIES = ReadQuery(select(tallies).order_by(tallies.c.stream_id))
TALLY_OF = KeyedQuery(select(tallies), tallies.c.stream_id)
TALLY_COUNTING = KeyedQuery(select(tallies), tallies.c.events)  # an integer key


def count_statements(store: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many rows each statement the store's read connections sent returned."""
    reader = store._fast_reader()
    fetch = reader.fetch
    sent: list[int] = []

    async def counting(query: ReadQuery, params: Any) -> list[dict[str, Any]]:
        rows = await fetch(query, params)
        sent.append(len(rows))
        return rows

    monkeypatch.setattr(reader, "fetch", counting)
    return sent


async def counted(store: Any, stream: str, times: int) -> None:
    async with store.transaction(META) as tx:
        await tx.append(stream, 0, [NewEvent(type="Counted", data={"n": n}) for n in range(times)])


async def test_a_read_returns_the_rows_of_the_read_model(database_url: str) -> None:
    async with open_store(database_url) as store:
        await counted(store, "a", 3)
        await counted(store, "b", 1)
        assert await store.read(ONE_TALLY, {"stream": "a"}) == [{"stream_id": "a", "events": 3}]
        assert await store.read(ONE_TALLY, {"stream": "nobody"}) == []
        assert await store.read(ALL_TALLIES) == [
            {"stream_id": "a", "events": 3},
            {"stream_id": "b", "events": 1},
        ]
        # Many at once: more than the connections kept for reads, each answered with its own.
        streams = [f"s{n}" for n in range(30)]
        for n, stream in enumerate(streams):
            await counted(store, stream, n + 1)
        found = await asyncio.gather(*(store.read(ONE_TALLY, {"stream": s}) for s in streams))
        assert [rows[0]["events"] for rows in found] == list(range(1, 31))


@pytest.mark.parametrize("kind", ["read", "lookup"])
async def test_a_read_connection_the_server_dropped_is_replaced(
    pg_database: str, kind: str
) -> None:
    async def read(store: Any) -> list[dict[str, Any]]:
        if kind == "read":
            return await store.read(ONE_TALLY, {"stream": "a"})
        row = await store.read_one(TALLY_OF, "a")
        return [row] if row else []

    async with open_store(pg_database) as store:
        await counted(store, "a", 2)
        assert await read(store)
        server = await asyncpg.connect(pg_database.replace("+asyncpg", ""))
        try:
            dropped = await server.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                " AND state = 'idle'"
            )
        finally:
            await server.close()
        assert dropped >= 1
        # At most the read that meets the dropped connection fails, as unavailable (a 503);
        # the one after it gets a new connection.
        answers: list[Any] = []
        for _ in range(3):
            try:
                answers.append(await read(store))
            except Exception as error:
                assert is_unavailable(error), error
                answers.append(None)
        assert answers[-1] == [{"stream_id": "a", "events": 2}]
        assert answers.count(None) <= 1


def test_a_column_of_a_custom_type_is_refused_for_the_fast_path() -> None:
    class Wrapped(TypeDecorator[Any]):
        impl = JSON
        cache_ok = True

    table = Table(
        "wrapped", MetaData(), Column("id", Integer, primary_key=True), Column("v", Wrapped())
    )
    with pytest.raises(TypeError, match="custom type"):
        ReadQuery(select(table))


async def test_a_value_written_into_the_query_is_sent_with_it(database_url: str) -> None:
    above_one = ReadQuery(
        select(tallies.c.stream_id)
        .where(tallies.c.events > 1, tallies.c.stream_id != bindparam("except_for"))
        .order_by(tallies.c.stream_id)
    )
    async with open_store(database_url) as store:
        for stream, times in (("a", 1), ("b", 2), ("c", 3)):
            await counted(store, stream, times)
        assert await store.read(above_one, {"except_for": "c"}) == [{"stream_id": "b"}]


def test_an_in_list_is_refused_for_the_fast_path() -> None:
    with pytest.raises(TypeError, match="IN list"):
        ReadQuery(select(tallies).where(tallies.c.stream_id.in_(["a", "b"])))


async def test_closing_the_store_closes_its_read_connections(pg_database: str) -> None:
    async with open_store(pg_database) as store:
        await counted(store, "a", 1)
        await asyncio.gather(*(store.read(ONE_TALLY, {"stream": "a"}) for _ in range(20)))
        reader = store._reader  # held, so only closing (not collection) can end them
        assert reader is not None
    assert await backends(pg_database) == []


async def test_lookups_made_together_share_a_statement_and_each_gets_its_own_row(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_store(database_url) as store:
        streams = [f"s{n}" for n in range(30)]
        for n, stream in enumerate(streams):
            await counted(store, stream, n + 1)
        sent = count_statements(store, monkeypatch) if store.postgres else []
        asked = [*streams, "s3", "s3", "nobody"]
        found = await asyncio.gather(*(store.read_one(TALLY_OF, s) for s in asked))
        assert [row["events"] if row else None for row in found] == [*range(1, 31), 4, 4, None]
        assert found[30] is not found[31], "each request gets a row of its own"
        assert await store.read_one(TALLY_OF, "s0") == {"stream_id": "s0", "events": 1}
        if store.postgres:
            # The first lookup went out alone; the 32 made while it was out, in one statement.
            assert len(sent) < len(asked) / 4, sent


async def test_a_key_the_server_refuses_fails_only_its_own_lookup(pg_database: str) -> None:
    async with open_store(pg_database) as store:
        for n in range(1, 4):
            await counted(store, f"s{n}", n)
        found = await asyncio.gather(
            *(store.read_one(TALLY_COUNTING, key) for key in (1, 2, 2**40, 3, 9)),
            return_exceptions=True,
        )
        assert [row["stream_id"] if isinstance(row, dict) else row for row in found[:2]] == [
            "s1",
            "s2",
        ]
        assert isinstance(found[2], asyncpg.DataError), found[2]  # out of the column's range
        assert found[3] == {"stream_id": "s3", "events": 3}
        assert found[4] is None


async def test_a_lookup_never_joins_a_statement_already_sent(
    pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with open_store(pg_database) as store:
        await counted(store, "a", 1)
        reader = store._fast_reader()
        fetch = reader.fetch
        answered, release = asyncio.Event(), asyncio.Event()

        async def held(query: ReadQuery, params: Any) -> list[dict[str, Any]]:
            rows = await fetch(query, params)
            if not answered.is_set():  # the first statement has read, and is held on its way back
                answered.set()
                await release.wait()
            return rows

        monkeypatch.setattr(reader, "fetch", held)
        before = asyncio.create_task(store.read_one(TALLY_OF, "a"))
        await answered.wait()
        async with store.transaction(META) as tx:  # committed after that statement read
            await tx.append("a", 1, [NewEvent(type="Counted", data={"n": 1})])
        after = asyncio.create_task(store.read_one(TALLY_OF, "a"))
        await asyncio.sleep(0.05)
        assert not after.done()
        release.set()
        assert (await before)["events"] == 1
        assert (await after)["events"] == 2, "a lookup made after a commit sees it"


async def test_a_lookup_cancelled_by_its_caller_leaves_the_others_answered(
    pg_database: str,
) -> None:
    async with open_store(pg_database) as store:
        await counted(store, "a", 2)
        lookups = [asyncio.create_task(store.read_one(TALLY_OF, "a")) for _ in range(10)]
        lookups[3].cancel()
        lookups[7].cancel()
        done = await asyncio.gather(*lookups, return_exceptions=True)
        assert [isinstance(d, asyncio.CancelledError) for d in done].count(True) == 2
        assert [d for d in done if isinstance(d, dict)] == [{"stream_id": "a", "events": 2}] * 8
        assert await store.read_one(TALLY_OF, "a") == {"stream_id": "a", "events": 2}


async def test_a_read_cancelled_while_its_connection_opens_leaves_no_error_and_no_connection(
    pg_database: str,
) -> None:
    """Cancelled at any point of opening a read connection, nothing is left behind.

    asyncpg cancelled while it asks the server for TLS leaves a failed future nobody reads
    ("Future exception was never retrieved"); the opening must outlive its caller and close
    what it opened.
    """
    loop = asyncio.get_running_loop()
    reported: list[str] = []
    previous = loop.get_exception_handler()
    loop.set_exception_handler(lambda _, context: reported.append(str(context.get("message"))))
    try:
        async with open_store(pg_database) as store:
            for turns in range(60):  # cancelled after 0..59 turns of the loop
                reader = Reader(store.engine, size=1)
                read = asyncio.ensure_future(reader.fetch(ALL_TALLIES, {}))
                for _ in range(turns):
                    await asyncio.sleep(0)
                read.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await read
                await reader.close()
                gc.collect()
        left = await backends(pg_database)
    finally:
        loop.set_exception_handler(previous)
    assert reported == []
    assert left == []
