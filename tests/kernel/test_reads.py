"""Read-model queries outside a transaction (shared/store/reads.py), on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest
from sqlalchemy import JSON, Column, Integer, MetaData, Table, TypeDecorator, bindparam, select

from shared.store.availability import is_unavailable
from shared.store.eventstore import Metadata, NewEvent
from shared.store.reads import ReadQuery
from tests.kernel.stores import backends, open_store, tallies

META = Metadata(actor="test")
ONE_TALLY = ReadQuery(select(tallies).where(tallies.c.stream_id == bindparam("stream")))
ALL_TALLIES = ReadQuery(select(tallies).order_by(tallies.c.stream_id))


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


async def test_a_read_connection_the_server_dropped_is_replaced(pg_database: str) -> None:
    async with open_store(pg_database) as store:
        await counted(store, "a", 2)
        assert await store.read(ONE_TALLY, {"stream": "a"})
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
                answers.append(await store.read(ONE_TALLY, {"stream": "a"}))
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


async def test_closing_the_store_closes_its_read_connections(pg_database: str) -> None:
    async with open_store(pg_database) as store:
        await counted(store, "a", 1)
        await asyncio.gather(*(store.read(ONE_TALLY, {"stream": "a"}) for _ in range(20)))
        reader = store._reader  # held, so only closing (not collection) can end them
        assert reader is not None
    assert await backends(pg_database) == []
