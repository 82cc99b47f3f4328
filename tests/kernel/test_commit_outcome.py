"""What a caller is told when the database goes away during its command.

The HTTP layer answered every lost database with "the request was not carried out", also
when the connection went while the command was committing (the server may have stored it
whole) and when the command had committed and only reading back its result failed. Those
answers now say so, without Retry-After; a connection lost before any commit keeps the
plain answer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from types import SimpleNamespace

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select

from shared.idempotency import WriteRequests
from shared.service import _add_error_handlers
from shared.store.availability import CommitOutcomeUnknown, is_unavailable
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, Metadata, NewEvent, Transaction
from shared.store.schema import idempotency_keys
from tests.kernel.stores import open_store

pytestmark = pytest.mark.postgres
META = Metadata(actor="test")


async def lose_connection(url: str, tx: Transaction) -> None:
    """End the transaction's server session from outside, as a restart would."""
    pid = (await tx.conn.exec_driver_sql("SELECT pg_backend_pid()")).scalar_one()
    other = await asyncpg.connect(url.replace("+asyncpg", ""))
    try:
        await other.execute("SELECT pg_terminate_backend($1)", pid)
    finally:
        await other.close()


@pytest.fixture
async def store(pg_database: str) -> AsyncIterator[EventStore]:
    async with open_store(pg_database) as opened:
        yield opened


async def test_a_connection_lost_at_commit_is_an_unknown_outcome(
    store: EventStore, pg_database: str
) -> None:
    with pytest.raises(CommitOutcomeUnknown) as raised:
        async with store.transaction(META) as tx:
            await tx.append("s", 0, [NewEvent("Counted", {"n": 1})])
            await lose_connection(pg_database, tx)
    assert is_unavailable(raised.value), "a consumer waits and handles the message again"
    assert await store.read_stream("s") == []  # here the session ended before the commit
    async with store.transaction(META) as tx:  # and the store goes on working
        await tx.append("s", 0, [NewEvent("Counted", {"n": 2})])
    assert [e.data["n"] for e in await store.read_stream("s")] == [2]


async def test_the_api_says_a_command_lost_at_commit_may_have_been_carried_out(
    store: EventStore, pg_database: str
) -> None:
    app = FastAPI()
    _add_error_handlers(app)
    app.add_middleware(WriteRequests)

    @app.post("/lost-at-commit")
    async def lost_at_commit() -> dict[str, str]:
        async with store.transaction(META) as tx:
            await tx.append("a", 0, [NewEvent("Counted", {"n": 1})])
            await lose_connection(pg_database, tx)
        return {}

    @app.post("/lost-before-commit")
    async def lost_before_commit() -> dict[str, str]:
        async with store.transaction(META) as tx:
            await lose_connection(pg_database, tx)
            await tx.append("b", 0, [NewEvent("Counted", {"n": 1})])
        return {}

    gone = make_engine("postgresql+asyncpg://postgres@127.0.0.1:1/nowhere")  # refuses

    @app.post("/lost-after-commit")
    async def lost_after_commit() -> dict[str, str]:
        async with store.transaction(META) as tx:
            await tx.append("c", 0, [NewEvent("Counted", {"n": 1})])
        async with gone.connect() as conn:  # reading back what to answer
            await conn.execute(select(1))
        return {}

    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            at_commit = await client.post("/lost-at-commit")
            before_commit = await client.post("/lost-before-commit")
            after_commit = await client.post("/lost-after-commit")
    finally:
        await gone.dispose()
    assert at_commit.status_code == 503
    assert "may or may not have been carried out" in at_commit.json()["detail"]
    assert "retry-after" not in at_commit.headers
    assert before_commit.status_code == 503
    assert "was not carried out" in before_commit.json()["detail"]
    assert before_commit.headers["retry-after"] == "5"
    assert after_commit.status_code == 503
    assert "The request was carried out" in after_commit.json()["detail"]
    assert "retry-after" not in after_commit.headers
    assert [e.data["n"] for e in await store.read_stream("c")] == [1]


async def test_a_retry_with_its_idempotency_key_after_an_unknown_outcome_is_carried_out_once(
    store: EventStore, pg_database: str
) -> None:
    async with store.engine.begin() as conn:
        await conn.run_sync(idempotency_keys.create)
    app = FastAPI()
    app.state.runtime = SimpleNamespace(store=store)
    _add_error_handlers(app)
    app.add_middleware(WriteRequests)
    tries = 0

    @app.post("/orders")
    async def order() -> dict[str, int]:
        nonlocal tries
        tries += 1
        async with store.transaction(META) as tx:
            version = len(await tx.load("orders"))
            await tx.append("orders", version, [NewEvent("Ordered", {"try": tries})])
            if tries == 1:
                await lose_connection(pg_database, tx)
        return {"try": tries}

    headers = {"idempotency-key": "order-1"}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        lost = await client.post("/orders", headers=headers)
        retried = await client.post("/orders", headers=headers)
        again = await client.post("/orders", headers=headers)
    assert lost.status_code == 503
    assert "same Idempotency-Key" in lost.json()["detail"]
    assert (retried.status_code, retried.json()) == (200, {"try": 2})
    assert again.status_code == 409
    assert "carried out before (answered 200)" in again.json()["detail"][0]["msg"]
    assert [e.data["try"] for e in await store.read_stream("orders")] == [2]
