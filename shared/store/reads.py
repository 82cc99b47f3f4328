"""Read-model queries for the HTTP API: on PostgreSQL one statement straight on asyncpg.

A read endpoint runs one SELECT and needs no transaction, so on PostgreSQL it skips
SQLAlchemy's connection checkout, statement execution and result processing, and runs the
query (compiled once, prepared once per connection by asyncpg's statement cache) on a
connection kept for reads. On SQLite (embedded mode) the same query goes through
SQLAlchemy as before.

Why a hand-made lending queue instead of `asyncpg.Pool`: the pool's acquire and release
(the reset query on release, inactivity timers, holders) cost more Python time than the
query itself: 295 µs of CPU for `Pool.fetchrow` against 137 µs on a held connection,
measured on this machine (bench/README.md, section 7). A read-only, single-statement
connection holds no session state that would need a reset, so lending it back is all that
is needed.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Mapping
from typing import Any

import asyncpg
import orjson
from sqlalchemy import TypeDecorator
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import Select

from shared.envelope import dumps_text
from shared.store.availability import is_unavailable

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class ReadQuery:
    """A SELECT compiled once for asyncpg; its named parameters become positional ones."""

    def __init__(self, query: Select[Any]) -> None:
        for column in query.selected_columns:
            if isinstance(column.type, TypeDecorator):
                # Its result processing lives in SQLAlchemy, which this path skips.
                raise TypeError(f"column {column.key} has a custom type; read it via SQLAlchemy")
        self.query = query
        compiled = query.compile(dialect=_DIALECT)
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())


class Reader:
    """Connections kept for reads, lent out one statement at a time."""

    def __init__(self, engine: AsyncEngine, size: int) -> None:
        self._dsn = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        # A slot is an open connection or None (opened when first lent, or again after the
        # server dropped it). Waiting for a slot is the back-pressure: at most `size` open.
        self._slots: asyncio.Queue[asyncpg.Connection | None] = asyncio.Queue()
        for _ in range(size):
            self._slots.put_nowait(None)
        self._open: set[asyncpg.Connection] = set()
        self._closed = False

    async def fetch(self, query: ReadQuery, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column name."""
        args = [params[name] for name in query.names]
        async with self._connection() as conn:
            return [dict(row) for row in await conn.fetch(query.sql, *args)]

    async def close(self) -> None:
        """Close every connection (those lent out are closed when they come back)."""
        self._closed = True
        for conn in list(self._open):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(conn.close(), 5)
            self._open.discard(conn)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[asyncpg.Connection]:
        conn = await self._slots.get()
        try:
            if conn is None or conn.is_closed():
                self._open.discard(conn)
                conn = None
                conn = await asyncpg.connect(self._dsn)
                await _json_codecs(conn)
                self._open.add(conn)
            yield conn
        except BaseException as error:
            if conn is not None and (
                is_unavailable(error) or isinstance(error, asyncio.CancelledError)
            ):
                # Dropped by the server, or left mid-statement: never lend it again.
                self._open.discard(conn)
                conn.terminate()
                conn = None
            raise
        finally:
            if self._closed and conn is not None:
                self._open.discard(conn)
                conn.terminate()
                conn = None
            self._slots.put_nowait(conn)


async def _json_codecs(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name, encoder=dumps_text, decoder=orjson.loads, schema="pg_catalog", format="text"
        )
