"""Async engines for both dialects, with the settings each needs for correct concurrency."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine


def make_engine(url: str, *, pool_size: int = 10) -> AsyncEngine:
    """An engine for a service store: SQLite (embedded) or PostgreSQL (distributed)."""
    if url.startswith("sqlite"):
        engine = create_async_engine(url, connect_args={"timeout": 60})
        _sqlite_serialised_writes(engine)
        return engine
    return create_async_engine(
        url,
        pool_size=pool_size,
        max_overflow=pool_size * 2,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


def is_postgres(engine: AsyncEngine) -> bool:
    """True for the PostgreSQL dialect."""
    return engine.dialect.name == "postgresql"


def _sqlite_serialised_writes(engine: AsyncEngine) -> None:
    # BEGIN IMMEDIATE takes the write lock up front, so a transaction that read a stream
    # cannot be overtaken before it writes, and positions are assigned in commit order.
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
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
