"""Async engines for both dialects, with the settings each needs for correct concurrency."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import event, exc
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.envelope import dumps_text


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An engine for a service store: SQLite (embedded) or PostgreSQL (distributed)."""
    if url.startswith("sqlite"):
        # hide_parameters: a statement's values (a secret, a person's name) never reach a log.
        engine = create_async_engine(url, connect_args={"timeout": 60}, hide_parameters=True)
        _sqlite_serialised_writes(engine)
        return engine
    engine = create_async_engine(
        url,
        json_serializer=dumps_text,
        json_deserializer=orjson.loads,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_recycle=1800,
        hide_parameters=True,
    )
    _replace_closed_connections(engine)
    _discard_broken_connections(engine)
    return engine


def is_postgres(engine: AsyncEngine) -> bool:
    """True for the PostgreSQL dialect."""
    return engine.dialect.name == "postgresql"


def _replace_closed_connections(engine: AsyncEngine) -> None:
    # A pooled connection whose server went away (restart, terminated backend) is replaced at
    # checkout. The check is local (the socket was closed), so a command costs no extra round
    # trip; pool_pre_ping would cost three (BEGIN, ping, ROLLBACK) on every checkout.
    @event.listens_for(engine.sync_engine, "checkout")
    def _checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None and driver.is_closed():
            raise exc.DisconnectionError("connection closed by the server")


def _discard_broken_connections(engine: AsyncEngine) -> None:
    # A connection the server dropped mid-statement, or whose statement was cancelled, fails
    # every later statement ("another operation is in progress") while its socket still looks
    # open: treat that as a disconnect, so the pool discards it instead of lending it again.
    from shared.store.availability import is_unavailable

    @event.listens_for(engine.sync_engine, "handle_error")
    def _handle_error(context: Any) -> None:
        if is_unavailable(context.original_exception):
            context.is_disconnect = True


def _sqlite_serialised_writes(engine: AsyncEngine) -> None:
    # BEGIN IMMEDIATE takes the write lock up front, so a transaction that read a stream
    # cannot be overtaken before it writes, and positions are assigned in commit order.
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        _stop_once(dbapi_connection.driver_connection)
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(sync_engine, "begin")
    def _begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def _stop_once(connection: Any) -> None:
    """Make an aiosqlite connection's stop() a no-op once its worker thread was told to stop.

    When a task is cancelled inside a statement, SQLAlchemy closes the connection gracefully
    (close(), shielded) and, because of the cancellation, stops the worker thread at once
    (stop()). close() ends by calling stop() itself and waiting for the thread's answer, but
    the thread has already left: the close waited for ever, leaving a task that a shutdown
    or a test's teardown then waited on (tests/kernel/test_sqlite_connections.py). The
    first stop() already queued the close of the SQLite connection and the thread's end.
    """
    stop = getattr(connection, "stop", None)
    if stop is None or not hasattr(connection, "_running"):
        return  # another aiosqlite: its own stop() semantics apply

    def once() -> Any:
        if not connection._running:
            return None  # stopping already: close() has nothing to wait for
        return stop()

    connection.stop = once
