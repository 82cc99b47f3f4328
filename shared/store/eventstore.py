"""Append-only event store with optimistic concurrency, outbox and inbox in one transaction."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol, TypeVar

import asyncpg
import orjson
from sqlalchemy import (
    Select,
    String,
    Table,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
    text,
    tuple_,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts import Contract
from shared.envelope import CloudEvent, dumps_text, utcnow
from shared.ids import new_id
from shared.store.availability import (
    CommitOutcomeUnknown,
    is_unavailable,
    retry_while_unavailable,
)
from shared.store.claims import note_commit, open_claim, take
from shared.store.engine import is_postgres
from shared.store.kept import KeptConnections, kept_transaction
from shared.store.reads import KeyedQuery, Reader, ReadQuery
from shared.store.schema import events, inbox, outbox, service_state

log = logging.getLogger("msp.store")

Cursor = tuple[int, int]  # (txid, position): the global order, stable once read
START: Cursor = (-1, 0)
BUSINESS_DATE_KEY = "business_date"


class ConcurrencyError(Exception):
    """Another writer appended to the stream first; reload and retry the command."""


class DuplicateDelivery(Exception):
    """The inbox already holds this event for this consumer."""


@dataclass(frozen=True)
class NewEvent:
    """An event about to be appended."""

    type: str
    data: dict[str, Any]
    event_id: str = field(default_factory=new_id)


@dataclass(frozen=True)
class StoredEvent:
    """An event as the store holds it."""

    position: int
    txid: int
    stream_id: str
    version: int
    event_id: str
    type: str
    data: dict[str, Any]
    meta: dict[str, Any]
    recorded_at: datetime

    @property
    def cursor(self) -> Cursor:
        """Where this event stands in the global order."""
        return (self.txid, self.position)


@dataclass(frozen=True)
class StreamAppend:
    """New events for one stream, after the version the command loaded (for append_many)."""

    stream_id: str
    expected_version: int
    events: Sequence[NewEvent]
    customer_id: str | None = None


@dataclass(frozen=True)
class Metadata:
    """Who and what caused the changes of one transaction."""

    actor: str
    correlation_id: str = field(default_factory=new_id)
    causation_id: str | None = None


class Projection(Protocol):
    """A read model kept in the same transaction as the events it is built from."""

    @property
    def name(self) -> str:
        """What the read model is called."""

    @property
    def tables(self) -> Sequence[Table]:
        """The tables it writes (replay empties them)."""

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Update the read model for one event."""


class EventStore:
    """One service's store: events, outbox, inbox and its projections."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        source: str,
        projections: Sequence[Projection] = (),
    ) -> None:
        self.engine = engine
        self.source = source
        self.projections = list(projections)
        self.postgres = is_postgres(engine)
        self.outbox_written = asyncio.Event()
        # True while this process's relay leads for the service (shared/store/relay.py): it
        # sees this process's commits through outbox_written. Otherwise the leader runs in
        # another process, and a commit with outbox rows rings it (PostgreSQL NOTIFY).
        self.relay_here = False
        self.outbox_channel = f"msp_outbox_{source}"
        self._ringing: asyncio.Task[None] | None = None
        self._ring_again = False
        self._reader: Reader | None = None
        self._pool_size: int = getattr(engine.pool, "size", lambda: 10)()
        self._read_slots = asyncio.Semaphore(max(1, self._pool_size))
        # PostgreSQL transactions run on connections kept out of the pool (shared/store/kept.py).
        self._kept = KeptConnections(engine, self._pool_size) if self.postgres else None

    @asynccontextmanager
    async def transaction(self, meta: Metadata) -> AsyncIterator[Transaction]:
        """A unit of work: everything in it commits together, or nothing does."""
        connections = self._kept
        kept = await connections.begin() if connections is not None else None
        committing = False
        claim = open_claim(self)  # a write request's Idempotency-Key (shared/store/claims.py)
        try:
            if connections is not None and kept is not None:
                tx = Transaction(self, kept.conn, meta, driver=kept.driver)
                async with kept_transaction(connections, kept):
                    if claim is not None:
                        await take(tx.conn, claim)
                    yield tx
                    committing = True
            else:
                async with self.engine.connect() as conn:
                    tx = Transaction(self, conn, meta)
                    async with conn.begin():
                        if claim is not None:
                            await take(conn, claim)
                        yield tx
                        committing = True
        except Exception as error:
            # Lost while committing: the server may have stored it all before the answer
            # was lost; the caller must not be told nothing was stored.
            if committing and is_unavailable(error):
                raise CommitOutcomeUnknown() from error
            raise
        finally:
            if claim is not None:
                claim.taking = False
        if claim is not None:
            claim.claimed = True
        note_commit()
        if tx.wrote_outbox:
            self.outbox_written.set()
            if self.postgres and not self.relay_here:
                self._ring_relay()
        for work in tx.after_commit_work:
            # Committed work must not be dropped because the database went away meanwhile.
            await retry_while_unavailable(work, what="after-commit work")

    async def read(
        self, query: ReadQuery | Select[Any], params: Mapping[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The rows of one read-model query, outside any transaction.

        A `ReadQuery` (compiled once) runs on PostgreSQL straight on a connection kept for
        reads (shared/store/reads.py). Any other select runs through SQLAlchemy, in
        autocommit on PostgreSQL (one statement needs no BEGIN and ROLLBACK), at most the
        pool's size at once: more would open and close overflow connections per request.
        """
        if isinstance(query, ReadQuery):
            if self.postgres:
                return await self._fast_reader().fetch(query, params or {})
            query = query.query
        async with self._read_slots, self.engine.connect() as conn:
            if self.postgres:
                conn = await conn.execution_options(isolation_level="AUTOCOMMIT")
            return [dict(row) for row in (await conn.execute(query, params)).mappings()]

    async def read_one(self, query: KeyedQuery, key: Any) -> dict[str, Any] | None:
        """The row of one key, or None, outside any transaction.

        On PostgreSQL, lookups of the same query made while one is being answered share the
        next statement (shared/store/reads.py), so concurrent requests cost one round trip.
        """
        if self.postgres:
            return await self._fast_reader().lookup(query, key)
        rows = await self.read(query.one, {"key": key})
        return rows[0] if rows else None

    def _fast_reader(self) -> Reader:
        if self._reader is None:
            # Half the pool's size: in the HTTP read benchmark 5 connections served more
            # than 10 or 2 did (fewer backends, fuller batches), and they add less to the
            # server's connection count.
            self._reader = Reader(self.engine, size=max(1, self._pool_size // 2))
        return self._reader

    def _ring_relay(self) -> None:
        """Wake the relay leading in another process for outbox rows just committed here.

        The notification is sent after the commit, in the background, and commits that come
        while one is on its way share the next: a NOTIFY inside the committing transaction
        would hold PostgreSQL's cluster-wide notify lock through that commit's flush,
        putting every notifying commit in a line. Should it fail, the leader's poll still
        finds the rows.
        """
        if self._ringing is not None and not self._ringing.done():
            self._ring_again = True
            return
        self._ringing = asyncio.create_task(self._ring(), name=f"outbox-ring:{self.source}")

    async def _ring(self) -> None:
        while True:
            self._ring_again = False
            try:
                await self._fast_reader().fetch(_NOTIFY, {"channel": self.outbox_channel})
            except Exception:  # the poll finds the rows; nothing is lost
                log.debug("could not wake the outbox relay", exc_info=True)
                return
            if not self._ring_again:
                return

    async def close(self) -> None:
        """Close the read connections and the engine's pool."""
        if self._ringing is not None:
            await asyncio.gather(self._ringing, return_exceptions=True)
            self._ringing = None
        if self._reader is not None:
            await self._reader.close()
            self._reader = None
        if self._kept is not None:
            await self._kept.close()
        await self.engine.dispose()

    async def read_stream(self, stream_id: str) -> list[StoredEvent]:
        """Every event of one stream, in version order."""
        async with self.engine.connect() as conn:
            return await _load(conn, stream_id)

    async def read_all(self, after: Cursor = START, limit: int = 1000) -> list[StoredEvent]:
        """Events after a cursor in global order; on PostgreSQL only finished transactions."""
        query = select(events).where(tuple_(events.c.txid, events.c.position) > after)
        if self.postgres:
            query = query.where(events.c.txid < _XMIN)
        query = query.order_by(events.c.txid, events.c.position).limit(limit)
        async with self.engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [_stored(row) for row in rows]

    async def iterate_all(self, batch: int = 1000) -> AsyncIterator[StoredEvent]:
        """Stream the whole log in global order without loading it at once."""
        cursor = START
        while chunk := await self.read_all(cursor, batch):
            for stored in chunk:
                yield stored
            cursor = chunk[-1].cursor

    async def business_date(self) -> date | None:
        """The last DayStarted date this service handled."""
        async with self.engine.connect() as conn:
            return await _business_date(conn)


class Transaction:
    """What a command or a consumer does inside one database transaction."""

    def __init__(
        self,
        store: EventStore,
        conn: AsyncConnection,
        meta: Metadata,
        *,
        driver: asyncpg.Connection | None = None,
    ) -> None:
        self.store = store
        self.conn = conn
        self.meta = meta
        self.wrote_outbox = False
        self._last_txid: dict[str, int] = {}
        self.after_commit_work: list[Callable[[], Awaitable[None]]] = []
        self._business_date: date | bool | None = False
        self._driver = driver  # given when BEGIN was sent on it already

    async def driver(self) -> asyncpg.Connection:
        """PostgreSQL: the asyncpg connection under this transaction (BEGIN already sent).

        The hot paths (load, append, append_many) use it directly: prepared statements and
        one round trip each, without building SQLAlchemy statements per call.
        """
        if self._driver is None:
            self._driver = await _driver_in_transaction(self.conn)
        return self._driver

    async def load(self, stream_id: str) -> list[StoredEvent]:
        """The stream's events; remembers the last writer for the order guard."""
        if self.store.postgres:
            driver = await self.driver()
            loaded = [_from_record(r) for r in await driver.fetch(_PG_LOAD, stream_id)]
        else:
            loaded = await _load(self.conn, stream_id)
        self.loaded(stream_id, loaded)
        return loaded

    def loaded(self, stream_id: str, stream: Sequence[StoredEvent]) -> None:
        """Remember the stream's last writer: `append` refuses to write after a newer one."""
        if stream:
            self._last_txid[stream_id] = stream[-1].txid

    async def append(
        self,
        stream_id: str,
        expected_version: int,
        new_events: Sequence[NewEvent],
        *,
        customer_id: str | None = None,
    ) -> list[StoredEvent]:
        """Append after expected_version; ConcurrencyError if another writer got there first."""
        if not new_events:
            return []
        if self.store.postgres:
            return await self.append_many(
                [StreamAppend(stream_id, expected_version, new_events, customer_id)]
            )
        meta = await self._meta(customer_id)
        now = utcnow()
        rows = [
            {
                "stream_id": stream_id,
                "version": expected_version + offset,
                "event_id": new.event_id,
                "type": new.type,
                "data": new.data,
                "meta": meta,
                "recorded_at": now,
            }
            for offset, new in enumerate(new_events, start=1)
        ]
        try:
            result = await self.conn.execute(
                insert(events).returning(
                    events.c.position, events.c.txid, sort_by_parameter_order=True
                ),
                rows,
            )
            written = result.all()
        except IntegrityError as exc:
            raise ConcurrencyError(f"{stream_id} moved past version {expected_version}") from exc
        # A transaction whose id is older than the stream's last writer would sort before it.
        if written and written[0].txid < self._last_txid.get(stream_id, 0):
            raise ConcurrencyError(f"{stream_id}: a newer transaction wrote it; retry")
        stored = [
            StoredEvent(
                position=ids.position,
                txid=ids.txid,
                stream_id=stream_id,
                version=expected_version + offset,
                event_id=new.event_id,
                type=new.type,
                data=new.data,
                meta=meta,
                recorded_at=now,
            )
            for offset, (ids, new) in enumerate(zip(written, new_events, strict=True), start=1)
        ]
        await self._project(stored)
        return stored

    async def append_many(self, appends: Sequence[StreamAppend]) -> list[StoredEvent]:
        """Append to many streams at once: one statement for the whole batch.

        The same contract as calling append for each in turn (one transaction id, positions
        in the order given, ConcurrencyError if any stream moved), for imports and batch
        jobs that write thousands of events per transaction.
        """
        if not self.store.postgres:
            stored: list[StoredEvent] = []
            for one in appends:
                stored += await self.append(
                    one.stream_id, one.expected_version, one.events, customer_id=one.customer_id
                )
            return stored
        now = utcnow()
        # The business date rides on the insert when this transaction has not read it yet.
        date_known = self._business_date is not False
        business_date = _iso(self._business_date) if date_known else None  # type: ignore[arg-type]
        # One JSON document for the whole batch: orjson writes it in one call, and PostgreSQL
        # reads it with jsonb_array_elements; binding six arrays instead costs asyncpg a type
        # check per element (bench/README.md, section 2).
        rows: list[tuple[Any, ...]] = []
        metas_by_customer: dict[str | None, dict[str, Any]] = {}
        meta_texts: dict[str | None, orjson.Fragment] = {}
        for one in appends:
            if one.customer_id not in metas_by_customer:
                meta = self._meta_dict(one.customer_id, business_date)
                metas_by_customer[one.customer_id] = meta
                meta_texts[one.customer_id] = orjson.Fragment(dumps_text(meta))
            meta_text = meta_texts[one.customer_id]
            stream_id, version = one.stream_id, one.expected_version
            for new in one.events:
                version += 1
                rows.append((stream_id, version, new.event_id, new.type, new.data, meta_text))
        if not rows:
            return []
        driver = await self.driver()
        try:
            written = await driver.fetch(
                _PG_APPEND if date_known else _PG_APPEND_READING_DATE, dumps_text(rows), now
            )
        except asyncpg.IntegrityConstraintViolationError as exc:
            raise ConcurrencyError(f"a stream moved past the version loaded: {exc}") from exc
        if not date_known:
            business_date = written[0][2]
            self._business_date = date.fromisoformat(business_date) if business_date else None
            for meta in metas_by_customer.values():
                meta["business_date"] = business_date
        txid = written[0][1]
        # Positions were drawn in the order given; RETURNING need not list them in that order.
        positions = sorted(record[0] for record in written)
        for one in appends:
            # A transaction whose id is older than the stream's last writer would sort before it.
            if txid < self._last_txid.get(one.stream_id, 0):
                raise ConcurrencyError(f"{one.stream_id}: a newer transaction wrote it; retry")
        stored = []
        index = 0
        for one in appends:
            meta = metas_by_customer[one.customer_id]
            for offset, new in enumerate(one.events, start=1):
                position = positions[index]
                index += 1
                stored.append(
                    StoredEvent(
                        position=position,
                        txid=txid,
                        stream_id=one.stream_id,
                        version=one.expected_version + offset,
                        event_id=new.event_id,
                        type=new.type,
                        data=new.data,
                        meta=meta,
                        recorded_at=now,
                    )
                )
        await self._project(stored)
        return stored

    async def _project(self, stored: Sequence[StoredEvent]) -> None:
        """Each projection sees the events in order: all at once if it offers `apply_many`."""
        for projection in self.store.projections:
            apply_many = getattr(projection, "apply_many", None)
            if apply_many is not None:
                await apply_many(self.conn, stored)
            else:
                for event in stored:
                    await projection.apply(self.conn, event)

    def _meta_dict(self, customer_id: str | None, business_date: str | None) -> dict[str, Any]:
        return {
            "actor": self.meta.actor,
            "correlation_id": self.meta.correlation_id,
            "causation_id": self.meta.causation_id,
            "customer_id": customer_id,
            "business_date": business_date,
        }

    async def _meta(self, customer_id: str | None) -> dict[str, Any]:
        return self._meta_dict(customer_id, _iso(await self.business_date()))

    async def publish(
        self,
        message: Contract,
        *,
        topic: str,
        customer_id: str | None,
        subject: str | None = None,
        event_id: str | None = None,
        business_date: date | None = None,
    ) -> CloudEvent:
        """Queue an integration event in the outbox; the relay sends it after commit.

        business_date overrides the service's date for events that happened on another day
        (a dunning step caught up after missed days keeps its own date).
        """
        envelope = CloudEvent.of(
            message,
            id=event_id,
            source=f"/services/{self.store.source}",
            subject=subject,
            customerid=customer_id,
            businessdate=business_date or await self.business_date(),
            correlationid=self.meta.correlation_id,
            causationid=self.meta.causation_id,
            actor=self.meta.actor,
        )
        key = customer_id or subject or envelope.id
        if self.store.postgres:
            driver = await self.driver()
            await driver.execute(_PG_PUBLISH, topic, key, envelope.id, envelope.to_json())
        else:
            await self.conn.execute(
                insert(outbox).values(
                    topic=topic, key=key, event_id=envelope.id, payload=envelope.to_json()
                )
            )
        self.wrote_outbox = True
        return envelope

    def after_commit(self, work: Callable[[], Awaitable[None]]) -> None:
        """Run work once this transaction has committed (in its own transactions)."""
        self.after_commit_work.append(work)

    async def already_handled(self, consumer: str, event_id: str) -> bool:
        """True if the inbox shows this consumer handled the event before."""
        if self.store.postgres:
            driver = await self.driver()
            return await driver.fetchval(_PG_HANDLED, consumer, event_id) is not None
        found = await self.conn.execute(
            select(inbox.c.event_id).where(
                and_(inbox.c.consumer == consumer, inbox.c.event_id == event_id)
            )
        )
        return found.first() is not None

    async def mark_handled(self, consumer: str, event_id: str) -> None:
        """Record the event in the inbox; written last so a race shows up as a conflict."""
        if self.store.postgres:
            driver = await self.driver()
            try:
                await driver.execute(_PG_MARK_HANDLED, consumer, event_id, utcnow())
            except asyncpg.UniqueViolationError as exc:
                raise DuplicateDelivery(event_id) from exc
            return
        try:
            await self.conn.execute(
                insert(inbox).values(consumer=consumer, event_id=event_id, handled_at=utcnow())
            )
        except IntegrityError as exc:
            raise DuplicateDelivery(event_id) from exc

    async def business_date(self) -> date | None:
        """The DayStarted date in force for this service."""
        if self._business_date is False:
            if self.store.postgres:
                driver = await self.driver()
                value = await driver.fetchval(_PG_BUSINESS_DATE, BUSINESS_DATE_KEY)
                self._business_date = date.fromisoformat(value) if value else None
            else:
                self._business_date = await _business_date(self.conn)
        return self._business_date  # type: ignore[return-value]

    async def set_business_date(self, day: date) -> None:
        """Move this service's business date (only from DayStarted)."""
        await self.conn.execute(
            delete(service_state).where(service_state.c.key == BUSINESS_DATE_KEY)
        )
        await self.conn.execute(
            insert(service_state).values(key=BUSINESS_DATE_KEY, value={"date": day.isoformat()})
        )
        self._business_date = day


# Readers of the global order stay below the oldest transaction still running that could
# write to this database: the statement's snapshot's oldest running id, leaving out those
# pg_stat_activity shows running in another database of the same server (ids are the
# server's, so a long transaction there, a replay of another service, held every service's
# readers and relays back until it ended). A transaction that ends between the snapshot and
# that read is not left out, nor is one whose database the view does not show (another role's
# session without pg_read_all_stats): either can only hold a reader back, never let it pass
# a row still to come. pg_stat_activity is read only while the snapshot has a running id.
_XMIN = text(
    "(SELECT least(min(pg_snapshot_xmax(s)::text::bigint), min(x::text::bigint))"
    " FROM pg_current_snapshot() s LEFT JOIN LATERAL pg_snapshot_xip(s) x"
    " ON x::text::bigint % 4294967296 NOT IN (SELECT backend_xid::text::bigint"
    " FROM pg_stat_activity WHERE backend_xid IS NOT NULL AND datname <> current_database()))"
)

_COLUMNS = "position, txid, stream_id, version, event_id, type, data, meta, recorded_at"
_PG_LOAD = f"SELECT {_COLUMNS} FROM events WHERE stream_id = $1 ORDER BY version"
# One row per element of a JSON array of [stream, version, event id, type, data, meta]; the
# ordinality keeps the order given, so positions (and the global order) follow it.
_PG_APPEND_ROWS = " FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS u(r, n) ORDER BY n"
_PG_APPEND = (
    "INSERT INTO events (stream_id, version, event_id, type, data, meta, recorded_at)"
    " SELECT r->>0, (r->>1)::int, r->>2, r->>3, r->4, r->5, $2"
    f"{_PG_APPEND_ROWS} RETURNING position, txid"
)
# The same, reading the business date into the metadata in the same round trip.
_PG_APPEND_READING_DATE = (
    "INSERT INTO events (stream_id, version, event_id, type, data, meta, recorded_at)"
    " SELECT r->>0, (r->>1)::int, r->>2, r->>3, r->4,"
    " r->5 || jsonb_build_object('business_date',"
    f" (SELECT value->>'date' FROM service_state WHERE key = '{BUSINESS_DATE_KEY}')), $2"
    f"{_PG_APPEND_ROWS} RETURNING position, txid, meta->>'business_date'"
)
_PG_BUSINESS_DATE = "SELECT value->>'date' FROM service_state WHERE key = $1"
# The statements every consumer's and command's transaction runs, prepared once per
# connection rather than built as SQLAlchemy statements each time (bench/README.md, 5).
_PG_PUBLISH = "INSERT INTO outbox (topic, key, event_id, payload) VALUES ($1, $2, $3, $4)"
# Wakes the relay leading in another process (it listens on the service's channel).
_NOTIFY = ReadQuery(
    select(func.pg_notify(bindparam("channel", type_=String), literal("", String)).label("rung"))
)
_PG_HANDLED = "SELECT 1 FROM inbox WHERE consumer = $1 AND event_id = $2"
_PG_MARK_HANDLED = "INSERT INTO inbox (consumer, event_id, handled_at) VALUES ($1, $2, $3)"


async def _driver_in_transaction(conn: AsyncConnection) -> asyncpg.Connection:
    """The asyncpg connection of a SQLAlchemy connection, its transaction begun."""
    raw = await conn.get_raw_connection()
    adapted: Any = raw.dbapi_connection
    if adapted._transaction is None and adapted.isolation_level != "autocommit":
        # SQLAlchemy's adapter sends BEGIN lazily, on the first statement it runs.
        async with adapted._execute_mutex:
            if adapted._transaction is None:
                await adapted._start_transaction()
    driver: asyncpg.Connection = raw.driver_connection
    return driver


def _from_record(record: Any) -> StoredEvent:
    return StoredEvent(*record)


T = TypeVar("T")


async def retry_on_conflict(
    attempt: Callable[[], Awaitable[T]], *, attempts: int = 20, pause: float = 0.005
) -> T:
    """Run a command again from scratch while it loses optimistic-concurrency races."""
    for tried in range(1, attempts + 1):
        try:
            return await attempt()
        except ConcurrencyError:
            if tried == attempts:
                raise
            await asyncio.sleep(pause * tried)
    raise AssertionError("unreachable")


async def _load(conn: AsyncConnection, stream_id: str) -> list[StoredEvent]:
    rows = (
        await conn.execute(
            select(events).where(events.c.stream_id == stream_id).order_by(events.c.version)
        )
    ).mappings()
    return [_stored(row) for row in rows]


async def _business_date(conn: AsyncConnection) -> date | None:
    value = (
        await conn.execute(
            select(service_state.c.value).where(service_state.c.key == BUSINESS_DATE_KEY)
        )
    ).scalar()
    return date.fromisoformat(value["date"]) if value else None


def _stored(row: Any) -> StoredEvent:
    return StoredEvent(
        position=row["position"],
        txid=row["txid"],
        stream_id=row["stream_id"],
        version=row["version"],
        event_id=row["event_id"],
        type=row["type"],
        data=row["data"],
        meta=row["meta"],
        recorded_at=row["recorded_at"],
    )


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


async def run_command(
    store: EventStore, meta: Metadata, work: Callable[[Transaction], Awaitable[T]]
) -> T:
    """Run a command's work in one transaction, again from scratch while it loses concurrency races."""

    async def attempt() -> T:
        async with store.transaction(meta) as tx:
            return await work(tx)

    return await retry_on_conflict(attempt)


async def business_today(tx: Transaction) -> date:
    """The business date; commands that need one refuse to run before the clock starts."""
    from shared.errors import DomainError

    day = await tx.business_date()
    if day is None:
        raise DomainError("the platform clock has not started; advance it first", field="date")
    return day
