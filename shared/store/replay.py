"""Rebuild a service's read models from its own events.

Replay empties the projection tables and re-applies the whole log in one transaction. Two
things make it fast on a large log:

- PostgreSQL streams the log through a server-side cursor on the asyncpg connection
  (large fetches, JSON decoded by orjson), instead of one paged query per batch;
- the projections write to an in-memory image of their (now empty) tables: an upsert or
  an update by key changes a row in memory, a read by key is answered from memory, and the
  rows are inserted in bulk at the end. The projections' code is unchanged. A statement
  the image cannot answer exactly (another shape of query, an expression in an update, a
  table that was not emptied) first writes everything held so far and then runs against
  the database, as does every statement after it, so the result is always the same as
  applying the events one by one.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import inspect
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from datetime import date
from decimal import Decimal
from operator import itemgetter
from typing import Any, cast

import asyncpg
from orjson import loads
from sqlalchemy import Date, Integer, Numeric, Table, delete, insert, select, tuple_
from sqlalchemy.engine import Result
from sqlalchemy.engine.result import IteratorResult, SimpleResultMetaData
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.elements import BinaryExpression, BindParameter, Null
from sqlalchemy.sql.operators import eq, in_op
from sqlalchemy.sql.schema import Column
from sqlalchemy.sql.selectable import Select

from shared.store.eventstore import (
    START,
    EventStore,
    StoredEvent,
    _driver_in_transaction,
    _stored,
)
from shared.store.schema import events

FETCH = 10_000  # rows per round trip of the replay cursor
INDEXES_REBUILT_FROM = 20_000  # rows of one table, where its indexes are built after the write
YOUNG_COLLECTION_EVERY = 50_000  # allocations, while the in-memory image grows (Python: 700)


async def rebuild_projections(
    store: EventStore,
    *,
    batch: int = 2000,
    progress: Callable[[int], None] | None = None,
    in_memory: bool = True,
) -> int:
    """Empty every projection table and re-apply the whole log, in one transaction.

    in_memory=False applies every projection statement to the database as it comes (the
    behaviour of normal running), for comparison and for read models too large to hold.
    """
    count = 0
    async with store.engine.begin() as conn:
        tables = [table for projection in store.projections for table in projection.tables]
        await _empty(conn, tables)
        replay = ReplayConnection(conn, tables) if in_memory else None
        target: Any = replay or conn
        projections = store.projections
        with _fewer_collections() if in_memory else contextlib.nullcontext():
            async for chunk in _log(store, conn, batch, replay):
                for stored in chunk:
                    for projection in projections:
                        await projection.apply(target, stored)
                count += len(chunk)
                if progress:
                    progress(len(chunk))
            if replay is not None:
                await replay.flush()
    return count


async def _empty(conn: AsyncConnection, tables: Sequence[Table]) -> None:
    """Empty the read models, in the replay's transaction.

    PostgreSQL: one `TRUNCATE` of them all. It takes the tables whole for the replay (a
    service's reads and projections wait for its commit, then see the rebuilt rows) where
    deleting row by row left the old rows as dead tuples for the bulk write to step over and
    for vacuum to clear: on 240,000 rows of read models, rebuilding over full tables took
    9.0-9.8 s against 8.0 over empty ones (bench/README.md, section 6). A projection's
    write waiting on it goes to the rebuilt rows rather than to deleted ones. Sequences go on
    counting (no RESTART IDENTITY): a reader's cursor over a counted table never goes back.
    """
    if not tables:
        return
    if conn.dialect.name == "postgresql":
        names = ", ".join(conn.dialect.identifier_preparer.format_table(t) for t in tables)
        await conn.exec_driver_sql(f"TRUNCATE {names}")
        return
    for table in tables:
        await conn.execute(delete(table))


@contextlib.contextmanager
def _no_collections() -> Iterator[None]:
    """No garbage collection while the image is written: it allocates a tuple per row and
    makes no cycles, and a full collection there walked the whole image again (0.15-0.2 s
    at 1,000,000 events)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@contextlib.asynccontextmanager
async def _indexes_built_after(conn: AsyncConnection, table: Table) -> AsyncIterator[None]:
    """PostgreSQL: drop the (emptied) table's indexes, write, then build them again.

    Building an index over rows already written sorts them once; keeping it while they are
    written inserts each key at a random place in it (UUID keys). The definitions are the
    catalogue's own (`pg_get_indexdef`, `pg_get_constraintdef`), so the indexes come back
    exactly as they were, under the same names, in the same transaction. A table another
    table's foreign key points at keeps its indexes.
    """
    name = conn.dialect.identifier_preparer.format_table(table)
    found: list[tuple[Any, ...]] = [
        tuple(row)
        for row in await conn.exec_driver_sql(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), c.conname,"
            " pg_get_constraintdef(c.oid),"
            " EXISTS (SELECT 1 FROM pg_constraint f WHERE f.confrelid = i.indrelid)"
            " FROM pg_index i LEFT JOIN pg_constraint c"
            " ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid"
            " WHERE i.indrelid = $1::regclass ORDER BY c.conname IS NULL, 1",
            (name,),
        )
    ]
    if not found or any(referenced for *_, referenced in found):
        yield
        return
    quote = conn.dialect.identifier_preparer.quote
    for index, _, constraint, _, _ in found:
        if constraint is not None:
            await conn.exec_driver_sql(f"ALTER TABLE {name} DROP CONSTRAINT {quote(constraint)}")
        else:
            await conn.exec_driver_sql(f"DROP INDEX {index}")
    yield
    for _, index_def, constraint, constraint_def, _ in found:
        if constraint is not None:
            await conn.exec_driver_sql(
                f"ALTER TABLE {name} ADD CONSTRAINT {quote(constraint)} {constraint_def}"
            )
        else:
            await conn.exec_driver_sql(index_def)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Young garbage collections far rarer while the in-memory image grows, as before after.

    The image holds a row for every key of the read models, alive until the end. At
    Python's usual pace (a young collection every 700 allocations) those rows were carried
    into the oldest generation, and each full collection walked all of them again: a third
    of a 300,000-event replay (bench/README.md, section 6). Replay makes no reference
    cycles for the collector to find (a collection after it frees nothing), so collecting
    rarely loses nothing.
    """
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], YOUNG_COLLECTION_EVERY), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


async def _log(
    store: EventStore, conn: AsyncConnection, batch: int, replay: ReplayConnection | None
) -> Any:
    """The whole log in global order, in chunks."""
    if store.postgres:
        driver = await _driver_in_transaction(conn)
        cursor = await driver.cursor(_READ_LOG, record_class=LoggedEvent)
        size = max(batch, FETCH)
        if replay is None:
            while records := await cursor.fetch(size):
                yield cast(list[StoredEvent], records)
            return
        # In memory, the next chunk is on its way while this one is applied; a projection
        # statement that needs the database waits for it first (one operation at a time).
        pending = asyncio.ensure_future(cursor.fetch(size))
        replay.before_database = lambda: asyncio.wait([pending])
        try:
            while records := await pending:
                pending = asyncio.ensure_future(cursor.fetch(size))
                yield cast(list[StoredEvent], records)
        finally:
            replay.before_database = None
            await asyncio.wait([pending])
            if not pending.cancelled():
                pending.exception()  # retrieved: an error here is the one already raised
        return
    cursor_at = START
    while True:
        rows = (
            (
                await conn.execute(
                    select(events)
                    .where(tuple_(events.c.txid, events.c.position) > cursor_at)
                    .order_by(events.c.txid, events.c.position)
                    .limit(batch)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return
        chunk = [_stored(row) for row in rows]
        cursor_at = chunk[-1].cursor
        yield chunk


_READ_LOG = (
    "SELECT position, txid, stream_id, version, event_id, type, data::text, meta::text,"
    " recorded_at FROM events ORDER BY txid, position"
)


class LoggedEvent(asyncpg.Record):  # type: ignore[misc]
    """A row of the log as the replay cursor returns it, read as a `StoredEvent`.

    The driver builds each row in C; naming its fields costs nothing until a projection
    reads one, where building a `StoredEvent` per row cost a microsecond an event (a
    quarter of what the read itself costs; bench/README.md, section 6). `data` and `meta`
    come as text and are decoded when a projection reads them (each read decodes again:
    projections read each once), so a projection that never reads `meta` never pays for it.
    """

    __slots__ = ()
    position = property(itemgetter(0))
    txid = property(itemgetter(1))
    stream_id = property(itemgetter(2))
    version = property(itemgetter(3))
    event_id = property(itemgetter(4))
    type = property(itemgetter(5))

    @property
    def data(self) -> dict[str, Any]:
        return loads(self[6])  # type: ignore[no-any-return]

    @property
    def meta(self) -> dict[str, Any]:
        return loads(self[7])  # type: ignore[no-any-return]

    recorded_at = property(itemgetter(8))

    @property
    def cursor(self) -> tuple[int, int]:
        """Where this event stands in the global order."""
        return (self[1], self[0])


class _Unsupported(Exception):
    """The in-memory image cannot answer this statement exactly."""


class _Image:
    """The rows of one emptied table, by primary key (the value itself for a one-column key)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.key = tuple(column.key for column in table.primary_key.columns)
        self.key_names = frozenset(self.key)
        self.rows: dict[Any, dict[str, Any]] = {}
        self.coerce = {column.key: _coercer(column) for column in table.columns}
        self.columns = frozenset(self.coerce)
        # Python-side defaults an insert would fill in; server defaults are not known here.
        self.defaults = {
            column.key: getattr(column.default, "arg", None)
            for column in table.columns
            if column.default is not None and column.default.is_scalar
        }
        self.server_defaults = {c.key for c in table.columns if c.server_default is not None}

        if len(self.key) == 1:
            name = self.key[0]
            coerce = self.coerce[name]
            # A key the database gives back as written (text) is read as it is.
            self.key_of = (  # type: ignore[method-assign]
                (lambda row: row[name]) if coerce is _same else (lambda row: coerce(row[name]))
            )

    def key_of(self, row: Mapping[str, Any]) -> Any:
        return tuple(self.coerce[name](row[name]) for name in self.key)


class _Rows(IteratorResult[Any]):
    """A result answered from memory."""

    def __init__(self, keys: Sequence[str], rows: Iterable[tuple[Any, ...]], rowcount: int):
        super().__init__(SimpleResultMetaData(keys), iter(rows))
        self._rowcount = rowcount

    @property
    def rowcount(self) -> int:
        return self._rowcount


class ReplayConnection:
    """What projections write to during replay: an in-memory image of the emptied tables."""

    def __init__(self, conn: AsyncConnection, tables: Iterable[Table]) -> None:
        self.conn = conn
        self.dialect = conn.dialect
        self.images = {table: _Image(table) for table in tables if table.primary_key.columns}
        self.passthrough = False
        self.before_database: Callable[[], Awaitable[Any]] | None = None

    async def _database(self) -> None:
        """Wait for the replay's own read in flight, then write what memory holds."""
        if self.before_database is not None:
            await self.before_database()
        await self.flush()

    def upsert(self, table: Table, row: dict[str, Any], key: Sequence[str], update: bool) -> bool:
        """Insert-or-update in memory; False if it must go to the database."""
        image = self.images.get(table) if not self.passthrough else None
        if (
            image is None
            or len(key) != len(image.key)
            or not image.key_names.issuperset(key)
            or not row.keys() <= image.columns
        ):
            return False
        found_key = image.key_of(row)
        found = image.rows.get(found_key)
        if found is None:
            image.rows[found_key] = {**image.defaults, **row}
        elif update:
            found.update(row)
        return True

    def update_row(self, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]) -> bool:
        """Update by key in memory; False if it must go to the database."""
        image = self.images.get(table) if not self.passthrough else None
        if image is None or key.keys() != image.key_names or not values.keys() <= image.columns:
            return False
        row = image.rows.get(image.key_of(key))
        if row is not None:
            row.update(values)
        return True

    async def execute(self, statement: Any, parameters: Any = None) -> Result[Any]:
        """Run a statement: in memory if it is one the image answers exactly."""
        if not self.passthrough and parameters is None:
            try:
                if isinstance(statement, Update):
                    return self._update(statement)
                if isinstance(statement, Select):
                    return self._select(statement)
            except (_Unsupported, AttributeError):  # AttributeError: a shape not foreseen
                pass
        await self._database()
        result: Result[Any] = await self.conn.execute(statement, parameters)
        return result

    def __getattr__(self, name: str) -> Any:
        # Anything else a projection uses runs on the database, after what memory holds.
        target = getattr(self.conn, name)
        if not inspect.iscoroutinefunction(target):
            if self.passthrough or not callable(target):
                return target
            raise AttributeError(f"{name} cannot run during an in-memory replay")

        async def call(*args: Any, **kwargs: Any) -> Any:
            await self._database()
            return await target(*args, **kwargs)

        return call

    def _where_keys(self, image: _Image, criteria: Sequence[Any]) -> list[Any]:
        """The keys (one column: the values themselves) a where clause on the key names."""
        if len(criteria) != 1 or len(image.key) != 1:
            raise _Unsupported
        clause = criteria[0]
        if not (
            isinstance(clause, BinaryExpression)
            and isinstance(clause.left, Column)
            and clause.left.table is image.table
            and clause.left.key == image.key[0]
            and isinstance(clause.right, BindParameter)
            and clause.right.callable is None
        ):
            raise _Unsupported
        coerce = image.coerce[image.key[0]]
        if clause.operator is eq and not clause.right.expanding:
            return [coerce(clause.right.value)]
        if clause.operator is in_op and clause.right.expanding:
            return [coerce(value) for value in clause.right.value or ()]
        raise _Unsupported

    def _update(self, statement: Update) -> Result[Any]:
        image = self.images.get(statement.table)  # type: ignore[call-overload]
        if (
            image is None
            or getattr(statement, "_returning", None)
            or getattr(statement, "_ordered_values", None)
            or getattr(statement, "_extra_froms", None)
            or getattr(statement, "_multi_values", None)
        ):
            raise _Unsupported
        keys = self._where_keys(image, statement._where_criteria)
        values: dict[str, Any] = {}
        for name, value in (statement._values or {}).items():
            if not isinstance(name, str) or name not in image.coerce or name in image.key:
                raise _Unsupported
            if isinstance(value, BindParameter) and value.callable is None:
                values[name] = value.value
            elif isinstance(value, Null):
                values[name] = None
            else:
                raise _Unsupported
        changed = 0
        for key in keys:
            row = image.rows.get(key)
            if row is not None:
                row.update(values)
                changed += 1
        return _Rows((), (), changed)

    def _select(self, statement: Select[Any]) -> Result[Any]:
        froms = statement.get_final_froms()
        if len(froms) != 1 or not isinstance(froms[0], Table):
            raise _Unsupported
        image = self.images.get(froms[0])
        if (
            image is None
            or statement._limit_clause is not None
            or statement._offset_clause is not None
            or statement._group_by_clauses
            or statement._having_criteria
            or statement._distinct
            or statement._for_update_arg is not None
        ):
            raise _Unsupported
        columns: list[Column[Any]] = []
        for column in statement.selected_columns:
            if not (isinstance(column, Column) and column.table is image.table):
                raise _Unsupported
            columns.append(column)
        keys = self._where_keys(image, statement._where_criteria)
        rows = []
        for key in keys:
            row = image.rows.get(key)
            if row is not None:
                if any(c.key not in row and c.key in image.server_defaults for c in columns):
                    raise _Unsupported
                rows.append(tuple(image.coerce[c.key](row.get(c.key)) for c in columns))
        return _Rows([c.key for c in columns], rows, len(rows))

    async def flush(self) -> None:
        """Write the rows held in memory; every statement after this goes to the database."""
        if self.passthrough:
            return
        self.passthrough = True
        with _no_collections():
            for image in self.images.values():
                groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
                for row in image.rows.values():
                    groups.setdefault(tuple(row), []).append(row)
                if self.dialect.name == "postgresql":
                    large = len(image.rows) >= INDEXES_REBUILT_FROM
                    indexes = _indexes_built_after(self.conn, image.table) if large else None
                    async with indexes or contextlib.nullcontext():
                        for names, rows in groups.items():
                            await self._copy(image, names, rows)
                else:
                    for rows in groups.values():
                        for start in range(0, len(rows), 10_000):
                            batch = rows[start : start + 10_000]
                            await self.conn.execute(insert(image.table), batch)
                image.rows.clear()

    async def _copy(
        self, image: _Image, names: tuple[str, ...], rows: list[dict[str, Any]]
    ) -> None:
        """PostgreSQL: COPY the rows, each value bound as an INSERT would bind it.

        Built column by column (`map` over the rows, a conversion only where the column needs
        one), then zipped into records: no Python loop per row and value.
        """
        columns = []
        for name in names:
            values: Iterable[Any] = map(itemgetter(name), rows)
            coerce = image.coerce[name]
            if coerce is not _same:
                values = map(coerce, values)
            process = image.table.c[name].type._cached_bind_processor(self.dialect)
            if process is not None:
                values = map(process, values)
            columns.append(values)
        records = list(zip(*columns, strict=True))
        driver = await _driver_in_transaction(self.conn)
        await driver.copy_records_to_table(
            image.table.name, records=records, columns=list(names), schema_name=image.table.schema
        )


def _coercer(column: Column[Any]) -> Callable[[Any], Any]:
    """Turn a value a projection wrote into what the database would give back."""
    kind = column.type
    if isinstance(kind, Numeric) and kind.asdecimal:
        return lambda v: v if v is None or isinstance(v, Decimal) else Decimal(str(v))
    if isinstance(kind, Integer):
        return lambda v: v if v is None or type(v) is int else int(v)
    if isinstance(kind, Date):
        return lambda v: date.fromisoformat(v) if isinstance(v, str) else v
    return _same


def _same(value: Any) -> Any:
    return value
