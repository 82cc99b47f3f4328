"""Event append on PostgreSQL: one command = load a stream, append one event, commit.

400 streams, each command picks one at random, at 1 client and at 16 concurrent clients.

- ours: the kernel event store (`EventStore.transaction` -> `load` -> `append`, retried on
  an optimistic-concurrency conflict), no projections;
- peer: the `eventsourcing` library's PostgreSQL application recorder (psycopg), one
  aggregate per stream, `repository.get` then `save`, 16 threads for the concurrent case;
- limit: a bare asyncpg loop doing the same SELECT + INSERT + COMMIT (16 connections).

Each side runs on its own scratch database of the same server.
"""

from __future__ import annotations

import asyncio
import random
import threading
import uuid
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlparse

import asyncpg

from bench.common import (
    BARE_EVENTS_TABLE,
    Ratio,
    Stopwatch,
    postgres,
    scratch_database,
    size,
    sqlalchemy_url,
)
from shared.store.engine import make_engine
from shared.store.eventstore import (
    EventStore,
    Metadata,
    NewEvent,
    StreamAppend,
    retry_on_conflict,
)
from shared.store.migrations import upgrade
from tests.kernel.stores import MIGRATIONS

TITLE = "Event append"
STREAMS = 400
CLIENTS = (1, 16)
META = Metadata(actor="bench")


ROUNDS = 4  # the sides take turns, so a busy moment on the machine hits all of them


async def run(smoke: bool) -> list[Ratio]:
    commands = {1: size(2_000, 40, smoke), 16: size(4_000, 80, smoke)}
    rounds = 1 if smoke else ROUNDS
    global _streams
    _streams = size(STREAMS, 20, smoke)
    seconds: dict[str, dict[int, float]] = {
        side: dict.fromkeys(CLIENTS, 0.0) for side in ("ours", "peer", "bare")
    }
    with postgres() as server:
        async with (
            scratch_database(server) as ours_db,
            scratch_database(server) as peer_db,
            scratch_database(server) as bare_db,
        ):
            ours = await _Ours.open(ours_db)
            peer = await asyncio.to_thread(_Peer, peer_db)
            bare = await _Bare.open(bare_db)
            try:
                for clients in CLIENTS:
                    for side in (ours, peer, bare):  # warm up: connections, prepared statements
                        await side.run(clients, 2 * clients)
                    chunk = commands[clients] // rounds
                    for _ in range(rounds):
                        seconds["ours"][clients] += await ours.run(clients, chunk)
                        seconds["peer"][clients] += await peer.run(clients, chunk)
                        seconds["bare"][clients] += await bare.run(clients, chunk)
            finally:
                await ours.close()
                await asyncio.to_thread(peer.close)
                await bare.close()
    rates = {
        side: {c: (commands[c] // rounds) * rounds / seconds[side][c] for c in CLIENTS}
        for side in seconds
    }
    ratios: list[Ratio] = []
    for clients in CLIENTS:
        ratios.append(
            Ratio(
                f"{clients} client{'s' if clients > 1 else ''} vs eventsourcing",
                rates["ours"][clients],
                rates["peer"][clients],
                "commands/s",
                goal=2 if clients == 1 else 8,
            )
        )
    for clients in CLIENTS:
        ratios.append(
            Ratio(
                f"{clients} client{'s' if clients > 1 else ''} vs bare asyncpg",
                rates["ours"][clients],
                rates["bare"][clients],
                "commands/s",
                goal=0.6,
            )
        )
    return ratios


def _stream_ids() -> list[str]:
    return [f"counter-{uuid.uuid4()}" for _ in range(_streams)]


_streams = STREAMS


async def _clients(clients: int, commands: int, command: Callable[[], Awaitable[None]]) -> float:
    """Seconds for `clients` tasks to run `commands` commands between them."""
    left = commands

    async def client() -> None:
        nonlocal left
        while left > 0:
            left -= 1
            await command()

    with Stopwatch() as sw:
        await asyncio.gather(*(client() for _ in range(clients)))
    return sw.seconds


# --- ours ---------------------------------------------------------------------------------


class _Ours:
    def __init__(self, store: EventStore, streams: list[str]) -> None:
        self.store = store
        self.streams = streams

    @classmethod
    async def open(cls, db: str) -> _Ours:
        engine = make_engine(sqlalchemy_url(db), pool_size=max(CLIENTS))
        await upgrade(engine, MIGRATIONS)
        store = EventStore(engine, source="bench")
        streams = _stream_ids()
        async with store.transaction(META) as tx:  # every stream starts with one event
            await tx.append_many(
                [StreamAppend(s, 0, [NewEvent("Counted", {"n": 0})]) for s in streams]
            )
        return cls(store, streams)

    async def command(self) -> None:
        stream = random.choice(self.streams)

        async def attempt() -> None:
            async with self.store.transaction(META) as tx:
                loaded = await tx.load(stream)
                await tx.append(stream, len(loaded), [NewEvent("Counted", {"n": len(loaded)})])

        await retry_on_conflict(attempt, attempts=100, pause=0.001)

    async def run(self, clients: int, commands: int) -> float:
        return await _clients(clients, commands, self.command)

    async def close(self) -> None:
        await self.store.close()


# --- bare asyncpg ---------------------------------------------------------------------------

_BARE_SELECT = (
    "SELECT position, txid, stream_id, version, event_id, type, data, meta, recorded_at"
    " FROM events WHERE stream_id = $1 ORDER BY version"
)
_BARE_INSERT = (
    "INSERT INTO events (stream_id, version, event_id, type, data, meta, recorded_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING position, txid"
)
_BARE_META = '{"actor": "bench"}'


class _Bare:
    def __init__(self, conns: list[asyncpg.Connection], streams: list[str]) -> None:
        self.conns = conns
        self.streams = streams
        self.free: asyncio.Queue[asyncpg.Connection] = asyncio.Queue()
        for conn in conns:
            self.free.put_nowait(conn)

    @classmethod
    async def open(cls, db: str) -> _Bare:
        conns = [await asyncpg.connect(db) for _ in range(max(CLIENTS))]
        streams = _stream_ids()
        await conns[0].execute(BARE_EVENTS_TABLE)
        async with conns[0].transaction():
            for stream in streams:
                await conns[0].execute(
                    _BARE_INSERT, stream, 1, str(uuid.uuid4()), "Counted", '{"n": 0}', _BARE_META
                )
        return cls(conns, streams)

    async def command(self) -> None:
        stream = random.choice(self.streams)
        conn = await self.free.get()
        try:
            while True:
                try:
                    async with conn.transaction():
                        rows = await conn.fetch(_BARE_SELECT, stream)
                        await conn.fetchrow(
                            _BARE_INSERT,
                            stream,
                            len(rows) + 1,
                            str(uuid.uuid4()),
                            "Counted",
                            f'{{"n": {len(rows)}}}',
                            _BARE_META,
                        )
                    return
                except asyncpg.UniqueViolationError:
                    await asyncio.sleep(0.001)
        finally:
            self.free.put_nowait(conn)

    async def run(self, clients: int, commands: int) -> float:
        return await _clients(clients, commands, self.command)

    async def close(self) -> None:
        for conn in self.conns:
            await conn.close()


# --- peer: eventsourcing ---------------------------------------------------------------------


class _Peer:
    """The eventsourcing library's application on its PostgreSQL recorder, in threads."""

    def __init__(self, db: str) -> None:
        from eventsourcing.application import Application
        from eventsourcing.domain import Aggregate, event
        from eventsourcing.persistence import IntegrityError

        class Counter(Aggregate):
            def __init__(self) -> None:
                self.n = 0

            @event("Counted")
            def count(self, n: int) -> None:
                self.n = n

        self.conflict = IntegrityError
        url = urlparse(db)
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": url.path.lstrip("/"),
            "POSTGRES_HOST": url.hostname or "127.0.0.1",
            "POSTGRES_PORT": str(url.port or 5432),
            "POSTGRES_USER": url.username or "postgres",
            "POSTGRES_PASSWORD": url.password or "",
            "POSTGRES_POOL_SIZE": str(max(CLIENTS)),
            "POSTGRES_MAX_OVERFLOW": "0",
            "POSTGRES_PRE_PING": "n",
        }
        self.app: Any = Application(env=env)  # no aggregate cache: every command loads
        counters = [Counter() for _ in range(_streams)]
        for counter in counters:
            counter.count(0)
        self.app.save(*counters)
        self.ids = [counter.id for counter in counters]

    def command(self) -> None:
        aggregate_id = random.choice(self.ids)
        while True:
            counter = self.app.repository.get(aggregate_id)
            counter.count(counter.n + 1)
            try:
                self.app.save(counter)
                return
            except self.conflict:
                continue

    def _threaded(self, clients: int, commands: int) -> float:
        left = commands
        lock = threading.Lock()

        def client() -> None:
            nonlocal left
            while True:
                with lock:
                    if left <= 0:
                        return
                    left -= 1
                self.command()

        with ThreadPoolExecutor(clients) as pool, Stopwatch() as sw:
            for future in [pool.submit(client) for _ in range(clients)]:
                future.result()
        return sw.seconds

    async def run(self, clients: int, commands: int) -> float:
        return await asyncio.to_thread(self._threaded, clients, commands)

    def close(self) -> None:
        self.app.close()
