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
from sqlalchemy import ARRAY, TypeDecorator, any_, bindparam
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql import ColumnElement, Select

from shared.envelope import dumps_text
from shared.store.availability import is_unavailable

_DIALECT = asyncpg_dialect()  # type: ignore[no-untyped-call]


class ReadQuery:
    """A SELECT compiled once for asyncpg; its named parameters become positional ones.

    Values written into the query (`state == "pending"`) are sent as the parameters they
    compile to; an IN list of them is refused (it is expanded per execution): write the
    alternatives out with `or_`.
    """

    def __init__(self, query: Select[Any]) -> None:
        for column in query.selected_columns:
            if isinstance(column.type, TypeDecorator):
                # Its result processing lives in SQLAlchemy, which this path skips.
                raise TypeError(f"column {column.key} has a custom type; read it via SQLAlchemy")
        self.query = query
        compiled = query.compile(dialect=_DIALECT)
        self.sql = compiled.string
        self.names = tuple(compiled.positiontup or ())
        for name, bind in compiled.binds.items():
            if bind.expanding:
                raise TypeError(f"parameter {name} is an IN list; write it out with or_")
        self.constants = {
            name: bind.value
            for name, bind in compiled.binds.items()
            if name in self.names and bind.value is not None and bind.callable is None
        }

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        """The positional arguments for these named parameters (and the query's own values)."""
        constants = self.constants
        return [params[name] if name in params else constants[name] for name in self.names]


class KeyedQuery:
    """A SELECT of at most one row per key, for lookups that share one statement.

    `one` asks for one key (`key = :key`), `many` for a batch (`key = ANY(:keys)`); the key
    column must be among the selected ones, so each row names the lookup it answers.
    """

    def __init__(self, query: Select[Any], key: ColumnElement[Any]) -> None:
        if key.key is None or key.key not in query.selected_columns:
            raise ValueError(f"the key column {key.key} must be selected")
        self.key_name: str = key.key
        self.one = ReadQuery(query.where(key == bindparam("key")))
        self.many = ReadQuery(query.where(key == any_(bindparam("keys", type_=ARRAY(key.type)))))


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
        self._opening: set[asyncio.Task[asyncpg.Connection]] = set()
        self._closed = False
        self._lookups: dict[KeyedQuery, _Lookups] = {}

    async def fetch(self, query: ReadQuery, params: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The rows as dicts keyed by column name."""
        args = query.args(params)
        async with self._connection() as conn:
            return [dict(row) for row in await conn.fetch(query.sql, *args)]

    async def lookup(self, query: KeyedQuery, key: Any) -> dict[str, Any] | None:
        """The row of one key, or None; lookups made meanwhile share one statement."""
        lookups = self._lookups.get(query)
        if lookups is None:
            lookups = self._lookups[query] = _Lookups(self, query)
        return await lookups.get(key)

    async def close(self) -> None:
        """Close every connection (those lent out are closed when they come back)."""
        self._closed = True
        for lookups in self._lookups.values():
            await lookups.stop()
        if self._opening:  # connections still opening for callers that left: let them end
            await asyncio.wait(self._opening, timeout=5)
            await asyncio.sleep(0)  # their done callbacks close what they opened
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
                conn = await self._connect()
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

    async def _connect(self) -> asyncpg.Connection:
        """A new connection; a caller cancelled while it opens leaves nothing behind.

        Cancelled while it asks the server for TLS, asyncpg leaves a future failed with
        "unexpected connection_lost() call" that nobody reads (logged at exit as "Future
        exception was never retrieved"; seen when a relay stopped while its reads opened a
        connection). So the connect runs to its end in its own task, and a connection it
        opens for a caller that left is closed at once.
        """
        opening = asyncio.ensure_future(_open_connection(self._dsn))
        self._opening.add(opening)
        opening.add_done_callback(self._opening.discard)
        try:
            return await asyncio.shield(opening)
        except asyncio.CancelledError:
            opening.add_done_callback(_close_unwanted)
            raise


async def _open_connection(dsn: str) -> asyncpg.Connection:
    conn = await asyncpg.connect(dsn)
    try:
        await _json_codecs(conn)
    except BaseException:
        conn.terminate()
        raise
    return conn


def _close_unwanted(opening: asyncio.Task[asyncpg.Connection]) -> None:
    """Close a connection opened for a caller that was cancelled meanwhile."""
    if opening.cancelled():
        return
    if opening.exception() is None:  # an error is read here: nobody else waits for it
        opening.result().terminate()


# The futures of the lookups waiting, by the key each asked for.
_Waiting = dict[Any, list["asyncio.Future[dict[str, Any] | None]"]]


class _Lookups:
    """The lookups of one keyed query waiting for their statement, and the task sending it.

    A lookup joins the keys waiting; while a statement is out, the next one gathers every
    key asked meanwhile, so under load one round trip answers many requests (the Python
    and server work of a statement is paid once per batch, not per request) and alone a
    lookup goes out at once. A lookup only joins a statement not yet sent, so it never
    sees rows older than its request. If the batch statement fails for another reason
    than an unavailable database, each key is asked alone: one key the server refuses
    (out of its column's range, say) fails only its own request.
    """

    def __init__(self, reader: Reader, query: KeyedQuery) -> None:
        self._reader = reader
        self._query = query
        self._waiting: _Waiting = {}
        self._task: asyncio.Task[None] | None = None

    async def get(self, key: Any) -> dict[str, Any] | None:
        future: asyncio.Future[dict[str, Any] | None] = asyncio.get_running_loop().create_future()
        waiting = self._waiting.get(key)
        if waiting is None:
            self._waiting[key] = [future]
        else:
            waiting.append(future)
        if self._task is None:
            self._task = asyncio.create_task(self._send(), name="read lookups")
        return await future

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _send(self) -> None:
        batch: _Waiting = {}
        try:
            while self._waiting:
                batch, self._waiting = self._waiting, {}
                await self._answer(batch)
        finally:
            self._task = None
            for futures in (*batch.values(), *self._waiting.values()):
                for future in futures:
                    future.cancel()  # only those left unanswered: the task was cancelled
            self._waiting = {}

    async def _answer(self, batch: _Waiting) -> None:
        try:
            if len(batch) == 1:
                rows = await self._reader.fetch(self._query.one, {"key": next(iter(batch))})
            else:
                rows = await self._reader.fetch(self._query.many, {"keys": list(batch)})
        except Exception as error:
            if len(batch) == 1 or is_unavailable(error):
                for futures in batch.values():
                    for future in futures:
                        if not future.done():
                            future.set_exception(error)
                return
            for key, futures in batch.items():
                await self._answer({key: futures})
            return
        name = self._query.key_name
        found = {row[name]: row for row in rows}
        for key, futures in batch.items():
            row = found.get(key)
            for n, future in enumerate(futures):
                if not future.done():
                    future.set_result(row if n == 0 or row is None else dict(row))


async def _json_codecs(conn: asyncpg.Connection) -> None:
    for name in ("json", "jsonb"):
        await conn.set_type_codec(
            name, encoder=dumps_text, decoder=orjson.loads, schema="pg_catalog", format="text"
        )
