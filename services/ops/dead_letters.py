"""Dead letters made visible: every service's poison messages, recorded by ops.

A message a service could not handle after its attempts goes to `deadletter.<service>` with
headers naming the original topic, partition, offset, the error and the attempts
(shared/bus/port.py). Ops reads those topics with a consumer group of its own, records each
dead letter once as an event (replay rebuilds the table) and lists them at GET /dead-letters
and on the dashboard. The intake never parses the message itself: it may be the undecodable
bytes that were the reason it is here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.tables import metadata
from shared.bus.port import Delivery, dead_letter_topic
from shared.envelope import utcnow
from shared.platform import SERVICES
from shared.service import Runtime, RuntimeDep
from shared.store.availability import retry_while_unavailable
from shared.store.eventstore import ConcurrencyError, Metadata, NewEvent, StoredEvent
from shared.store.upsert import upsert

RECORDED = "DeadLetterRecorded"
INTAKE_GROUP = "ops-dead-letters"
PREVIEW_BYTES = 2000

dead_letters = Table(
    "dead_letters",
    metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("letter_id", String(400), nullable=False),
    Column("grp", String(200), nullable=False),
    Column("original_topic", String(300), nullable=False),
    Column("original_partition", Integer),
    Column("original_offset", BigInteger),
    Column("message_key", String(400), nullable=False),
    Column("event_id", String(100)),
    Column("error", Text, nullable=False),
    Column("attempts", Integer),
    Column("payload_preview", Text, nullable=False),
    Column("payload_bytes", Integer, nullable=False),
    Column("dead_letter_topic", String(300), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    UniqueConstraint("letter_id", name="uq_dead_letters_letter_id"),
)


def topics() -> list[str]:
    """Every service's dead-letter topic."""
    return [dead_letter_topic(name) for name in SERVICES]


def letter(delivery: Delivery) -> dict[str, Any]:
    """What operators need to know about one dead letter, from its headers."""
    group = delivery.header("dlt-group") or delivery.topic.removeprefix("deadletter.")
    topic = delivery.header("dlt-original-topic") or "?"
    partition = _int(delivery.header("dlt-original-partition"))
    offset = _int(delivery.header("dlt-original-offset"))
    where = (
        f"{partition}:{offset}"
        if offset is not None
        else f"{delivery.topic}:{delivery.partition}:{delivery.offset}"
    )
    return {
        # One per poison message: a message dead-lettered twice (a redelivery after a crash)
        # is the same letter.
        "letter_id": f"{group}/{topic}/{where}",
        "grp": group,
        "original_topic": topic,
        "original_partition": partition,
        "original_offset": offset,
        "message_key": delivery.key,
        "event_id": delivery.header("ce_id"),
        "error": delivery.header("dlt-error") or "unknown",
        "attempts": _int(delivery.header("dlt-attempts")),
        "payload_preview": preview(delivery.value),
        "payload_bytes": len(delivery.value),
        "dead_letter_topic": delivery.topic,
    }


def preview(value: bytes) -> str:
    """The start of the message as text; bytes that are not UTF-8 (and NUL, which PostgreSQL
    cannot store in text) shown as escapes."""
    text = value[:PREVIEW_BYTES].decode("utf-8", errors="backslashreplace")
    return text.replace("\x00", "\\x00")


class DeadLetterIntake:
    """The bus handler of ops' dead-letter subscription: one DeadLetterRecorded per letter."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    async def __call__(self, delivery: Delivery) -> None:
        """Record the letter (a letter already recorded is skipped)."""
        data = letter(delivery)
        meta = Metadata(actor="service:ops", causation_id=data["event_id"])
        stream = f"deadletter-{data['letter_id']}"
        if len(stream) > 200:
            stream = f"deadletter-{hashlib.sha256(stream.encode()).hexdigest()}"

        async def record() -> None:
            try:
                async with self.runtime.store.transaction(meta) as tx:
                    await tx.append(stream, 0, [NewEvent(RECORDED, data)])
            except ConcurrencyError:
                return  # recorded before

        await retry_while_unavailable(record, what="dead-letter intake")


async def dead_letter_intake(runtime: Runtime) -> None:
    """Background job: subscribe ops' own group to every dead-letter topic."""
    runtime.bus.subscribe(INTAKE_GROUP, topics(), DeadLetterIntake(runtime))


class DeadLetterView:
    """The dead_letters table, from DeadLetterRecorded."""

    name = "dead_letters"
    tables = [dead_letters]

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project DeadLetterRecorded."""
        if event.type != RECORDED:
            return
        row = {**event.data, "recorded_at": event.recorded_at or utcnow()}
        await upsert(conn, dead_letters, row, key=["letter_id"])


class DeadLetter(BaseModel):
    """A message a service gave up on, with where it came from and why."""

    seq: int
    group: str
    original_topic: str
    original_partition: int | None
    original_offset: int | None
    key: str
    event_id: str | None
    error: str
    attempts: int | None
    payload_preview: str
    payload_bytes: int
    dead_letter_topic: str
    recorded_at: datetime


async def letters(
    conn: AsyncConnection, *, group: str | None = None, limit: int = 100
) -> list[DeadLetter]:
    """The newest dead letters first."""
    query = select(dead_letters).order_by(dead_letters.c.seq.desc()).limit(limit)
    if group is not None:
        query = query.where(dead_letters.c.grp == group)
    rows = (await conn.execute(query)).mappings().all()
    return [_model(dict(row)) for row in rows]


async def counts(conn: AsyncConnection) -> dict[str, int]:
    """Dead letters per consuming service."""
    query = select(dead_letters.c.grp, func.count()).group_by(dead_letters.c.grp)
    return {str(grp): int(n) for grp, n in (await conn.execute(query)).all()}


router = APIRouter(prefix="/dead-letters", tags=["dead letters"])


@router.get(
    "",
    response_model=list[DeadLetter],
    summary="Messages a service gave up on after its attempts, newest first",
)
async def list_dead_letters(
    runtime: RuntimeDep,
    group: str | None = Query(default=None, description="The consuming service, e.g. dunning"),
    limit: int = Query(default=100, ge=1, le=1000),
) -> Sequence[DeadLetter]:
    async with runtime.store.engine.connect() as conn:
        return await letters(conn, group=group, limit=limit)


def _model(row: dict[str, Any]) -> DeadLetter:
    return DeadLetter(
        seq=row["seq"],
        group=row["grp"],
        original_topic=row["original_topic"],
        original_partition=row["original_partition"],
        original_offset=row["original_offset"],
        key=row["message_key"],
        event_id=row["event_id"],
        error=row["error"],
        attempts=row["attempts"],
        payload_preview=row["payload_preview"],
        payload_bytes=row["payload_bytes"],
        dead_letter_topic=row["dead_letter_topic"],
        recorded_at=row["recorded_at"],
    )


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None
