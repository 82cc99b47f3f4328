"""The embedded bus: a durable log in one SQLite file, with Kafka's delivery semantics.

Written by hand because no library offers an in-process, restart-safe log with consumer
groups and per-key order; it keeps the embedded mode as safe as Kafka across restarts.
"""

from __future__ import annotations

import asyncio
import contextlib
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import aiosqlite
import orjson

from shared.bus.port import Delivery, Handler, Outgoing, deliver_with_retries

_SCHEMA = """
CREATE TABLE IF NOT EXISTS log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    partition INTEGER NOT NULL,
    key TEXT NOT NULL,
    value BLOB NOT NULL,
    headers BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS ix_log_topic_seq ON log (topic, seq);
CREATE TABLE IF NOT EXISTS offsets (
    grp TEXT NOT NULL,
    topic TEXT NOT NULL,
    next_seq INTEGER NOT NULL,
    PRIMARY KEY (grp, topic)
);
"""


class LocalBus:
    """One topic log per name; one cursor per (group, topic); a loop per subscription."""

    def __init__(
        self,
        path: Path | str = ":memory:",
        *,
        partitions: int = 4,
        max_attempts: int = 5,
        backoff_seconds: float = 0.2,
        batch: int = 200,
    ) -> None:
        self.path = str(path)
        self.partitions = partitions
        self.max_attempts = max_attempts
        self.backoff_seconds = backoff_seconds
        self.batch = batch
        self._db: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._wakeups: dict[str, asyncio.Event] = {}
        self._subscriptions: list[tuple[str, str, Handler]] = []
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        """Open the log file."""
        if self._db is not None:
            return
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._db = await aiosqlite.connect(self.path, isolation_level=None)
        await self._db.execute("PRAGMA journal_mode=WAL")
        await self._db.execute("PRAGMA synchronous=NORMAL")
        await self._db.executescript(_SCHEMA)
        for group, topic, handler in self._subscriptions:
            self._spawn(group, topic, handler)

    async def stop(self) -> None:
        """Stop every subscription loop, then close the file."""
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
        if self._db is not None:
            await self._db.close()
            self._db = None

    async def publish(self, messages: Sequence[Outgoing]) -> None:
        """Append to the log in one transaction; durable when this returns."""
        if not messages:
            return
        rows = [
            (m.topic, self._partition(m.key), m.key, m.value, _encode_headers(m.headers))
            for m in messages
        ]
        async with self._lock:
            db = self._require()
            await db.execute("BEGIN")
            await db.executemany(
                "INSERT INTO log (topic, partition, key, value, headers) VALUES (?, ?, ?, ?, ?)",
                rows,
            )
            await db.execute("COMMIT")
        for topic in {m.topic for m in messages}:
            self._wakeup(topic).set()

    def subscribe(self, group: str, topics: Sequence[str], handler: Handler) -> None:
        """Deliver each topic's messages, from the group's last committed offset."""
        for topic in topics:
            self._subscriptions.append((group, topic, handler))
            if self._db is not None:
                self._spawn(group, topic, handler)

    async def ping(self) -> bool:
        """True while the log file is open."""
        if self._db is None:
            return False
        async with self._lock:
            await self._db.execute("SELECT 1")
        return True

    async def lag(self) -> int:
        """Messages not yet handled by the subscriptions of this bus."""
        total = 0
        async with self._lock:
            db = self._require()
            for group, topic, _ in self._subscriptions:
                cursor = await db.execute(
                    "SELECT COUNT(*) FROM log WHERE topic = ? AND seq >= "
                    "COALESCE((SELECT next_seq FROM offsets WHERE grp = ? AND topic = ?), 0)",
                    (topic, group, topic),
                )
                row = await cursor.fetchone()
                total += row[0] if row else 0
        return total

    async def read_log(self, after_seq: int = 0, limit: int = 1000) -> list[tuple[int, Delivery]]:
        """Everything published, in publish order (the scenario runner writes it out)."""
        async with self._lock:
            cursor = await self._require().execute(
                "SELECT seq, topic, partition, key, value, headers FROM log "
                "WHERE seq > ? ORDER BY seq LIMIT ?",
                (after_seq, limit),
            )
            rows = await cursor.fetchall()
        return [(row[0], _delivery(row)) for row in rows]

    def _spawn(self, group: str, topic: str, handler: Handler) -> None:
        self._tasks.append(
            asyncio.create_task(self._consume(group, topic, handler), name=f"bus:{group}:{topic}")
        )

    async def _consume(self, group: str, topic: str, handler: Handler) -> None:
        wakeup = self._wakeup(topic)
        while True:
            wakeup.clear()
            batch = await self._fetch(group, topic)
            if not batch:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(wakeup.wait(), timeout=1.0)
                continue
            for seq, delivery in batch:
                await deliver_with_retries(
                    delivery,
                    handler,
                    group=group,
                    max_attempts=self.max_attempts,
                    backoff_seconds=self.backoff_seconds,
                    dead_letter=lambda message: self.publish([message]),
                )
                await self._commit(group, topic, seq + 1)

    async def _fetch(self, group: str, topic: str) -> list[tuple[int, Delivery]]:
        async with self._lock:
            cursor = await self._require().execute(
                "SELECT seq, topic, partition, key, value, headers FROM log WHERE topic = ? AND "
                "seq >= COALESCE((SELECT next_seq FROM offsets WHERE grp = ? AND topic = ?), 0) "
                "ORDER BY seq LIMIT ?",
                (topic, group, topic, self.batch),
            )
            rows = await cursor.fetchall()
        return [(row[0], _delivery(row)) for row in rows]

    async def _commit(self, group: str, topic: str, next_seq: int) -> None:
        async with self._lock:
            await self._require().execute(
                "INSERT INTO offsets (grp, topic, next_seq) VALUES (?, ?, ?) "
                "ON CONFLICT (grp, topic) DO UPDATE SET next_seq = excluded.next_seq",
                (group, topic, next_seq),
            )

    def _partition(self, key: str) -> int:
        return zlib.crc32(key.encode()) % self.partitions

    def _wakeup(self, topic: str) -> asyncio.Event:
        return self._wakeups.setdefault(topic, asyncio.Event())

    def _require(self) -> aiosqlite.Connection:
        if self._db is None:
            raise RuntimeError("the bus is not started")
        return self._db


def _delivery(row: Any) -> Delivery:
    seq, topic, partition, key, value, headers = tuple(row)
    return Delivery(
        topic=str(topic),
        partition=int(partition),
        offset=int(seq),
        key=str(key),
        value=bytes(value),
        headers=tuple((str(k), str(v).encode("latin-1")) for k, v in orjson.loads(headers)),
    )


def _encode_headers(headers: tuple[tuple[str, bytes], ...]) -> bytes:
    # latin-1 maps every byte to one character, so any header value survives JSON.
    return orjson.dumps([[key, value.decode("latin-1")] for key, value in headers])
