"""The delivery worker: sends due webhook attempts, records each one as an event, retries.

Deliveries sit in the ops store (written with the EventObserved that caused them), so a restart
loses nothing; an attempt whose record failed to commit is sent again (receivers dedupe on
webhook-id). Time comes from `clock`, so tests move it instead of waiting.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import zlib
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlalchemy import select, text

from services.ops.adapters import destinations
from services.ops.adapters.observed import utc
from services.ops.adapters.tables import event_log
from services.ops.adapters.webhook_tables import webhook_deliveries as deliveries
from services.ops.adapters.webhook_tables import webhook_endpoints as endpoints
from services.ops.adapters.webhook_tables import webhook_secrets as secrets
from services.ops.adapters.webhook_view import due_filter
from services.ops.domain import webhook_events as ev
from services.ops.domain import webhooks as rules
from services.ops.settings import WebhookSettings
from shared.envelope import CloudEvent, utcnow
from shared.store.eventstore import EventStore, Metadata, NewEvent, Transaction, retry_on_conflict

log = logging.getLogger("msp.ops.webhooks")
USER_AGENT = "msp-ops-webhooks/1.0"


def schedule_jitter(delay: timedelta) -> timedelta:
    """Up to 10% later than the schedule, so retries of many messages spread out."""
    return delay * (1 + random.uniform(0, 0.1))


class DeliveryWorker:
    """Sends due attempts; one active worker per store (a PostgreSQL advisory lock elects it)."""

    def __init__(
        self,
        store: EventStore,
        settings: WebhookSettings,
        *,
        clock: Callable[[], datetime] = utcnow,
        jitter: rules.Jitter = schedule_jitter,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.jitter = jitter
        self.transport = transport
        self.attempted = 0
        self._lock = asyncio.Lock()
        self._lock_key = zlib.crc32(f"webhook-worker:{store.source}".encode())

    async def run(self) -> None:
        """Deliver forever: as leader on PostgreSQL, always on SQLite."""
        while True:
            try:
                if self.store.postgres:
                    await self._run_as_leader()
                else:
                    await self._loop()
            except asyncio.CancelledError:
                raise
            except Exception:  # the store is away; deliveries stay queued
                log.warning("webhook delivery paused", exc_info=True)
                await asyncio.sleep(1.0)

    async def deliver_due(self) -> int:
        """Make every attempt that is due now; returns how many were made."""
        async with self._lock:
            now = self.clock()
            query = (
                select(deliveries, endpoints.c.url, endpoints.c.failing_since)
                .join(endpoints, endpoints.c.endpoint_id == deliveries.c.endpoint_id)
                .where(due_filter(now), endpoints.c.enabled)
                .order_by(deliveries.c.created_at)
                .limit(self.settings.batch_size)
            )
            async with self.store.engine.connect() as conn:
                due = [dict(row) for row in (await conn.execute(query)).mappings()]
            if not due:
                return 0
            gate = asyncio.Semaphore(self.settings.concurrency)
            async with httpx.AsyncClient(
                transport=self.transport,
                timeout=self.settings.timeout_seconds,
                follow_redirects=False,
                headers={"user-agent": USER_AGENT},
            ) as client:

                async def one(row: dict[str, Any]) -> None:
                    async with gate:
                        await self._attempt(client, row)

                # A task group, not gather: when the worker is stopped (cancelled) it returns
                # only once every attempt has ended, so none runs on after the store closed.
                async with asyncio.TaskGroup() as group:
                    for row in due:
                        group.create_task(one(row))
            self.attempted += len(due)
            return len(due)

    async def _attempt(self, client: httpx.AsyncClient, row: dict[str, Any]) -> None:
        async with self.store.engine.connect() as conn:
            raw = (
                await conn.execute(
                    select(event_log.c.envelope).where(event_log.c.event_id == row["event_id"])
                )
            ).scalar()
            secret = (
                await conn.execute(
                    select(secrets.c.secret).where(secrets.c.endpoint_id == row["endpoint_id"])
                )
            ).scalar()
        if raw is None or secret is None:
            log.error("delivery %s lacks its event or its endpoint's secret", row["delivery_id"])
            return
        envelope = CloudEvent.model_validate(raw)
        body = envelope.to_json()
        sent_at = self.clock()
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        excerpt: str | None = None
        retry_after: timedelta | None = None
        try:
            await destinations.check(row["url"], self.settings.allowed_networks)
            headers = {
                "content-type": "application/json",
                **rules.signed_headers(secret, envelope.id, sent_at, body),
            }
            request = client.build_request("POST", row["url"], content=body, headers=headers)
            response = await client.send(request, stream=True)
            try:
                status = response.status_code
                excerpt = await _excerpt(response)
                retry_after = rules.parse_retry_after(response.headers.get("retry-after"), sent_at)
            finally:
                await response.aclose()
        except destinations.DestinationRefused as exc:
            error = exc.message
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"[:300] if str(exc) else type(exc).__name__
        duration_ms = int((time.perf_counter() - started) * 1000)
        if status is not None and 200 <= status < 300:
            outcome, next_at = "delivered", None
        elif status == 410:
            outcome, next_at = "gone", None
        else:
            outcome = "failed"
            tried = row["round_attempts"] + 1
            next_at = rules.next_attempt_at(tried, sent_at, retry_after, self.jitter)
            if error is None:
                error = f"HTTP {status}"
        attempt = ev.WebhookAttemptRecorded(
            delivery_id=row["delivery_id"],
            endpoint_id=row["endpoint_id"],
            event_id=envelope.id,
            number=row["attempts"] + 1,
            attempted_at=sent_at,
            outcome=outcome,
            status_code=status,
            error=error,
            response=excerpt,
            duration_ms=duration_ms,
            next_attempt_at=next_at,
        )
        await self._record(row, envelope, attempt)

    async def _record(
        self, row: dict[str, Any], envelope: CloudEvent, attempt: ev.WebhookAttemptRecorded
    ) -> None:
        meta = Metadata(
            actor="service:ops",
            correlation_id=envelope.correlationid or envelope.id,
            causation_id=envelope.id,
        )
        reason = None
        if attempt.outcome == "gone":
            reason = "the receiver answered 410 Gone"
        elif attempt.outcome == "failed" and rules.should_disable(
            utc(row["failing_since"]), attempt.attempted_at
        ):
            reason = "every attempt failed for 5 days"
        stream = ev.delivery_stream(row["delivery_id"])
        recorded = NewEvent("WebhookAttemptRecorded", attempt.model_dump(mode="json"))

        async def write() -> None:
            async with self.store.transaction(meta) as tx:
                if len(await tx.load(stream)) != row["version"]:
                    log.info("delivery %s was recorded by another worker", row["delivery_id"])
                    return
                await tx.append(stream, row["version"], [recorded])
                if reason is not None:
                    await _disable(tx, row["endpoint_id"], reason, attempt.attempted_at)

        # A conflict on the endpoint stream (two deliveries disabling it) is simply tried again.
        await retry_on_conflict(write)

    async def _loop(self, lock_conn: Any = None) -> None:
        while True:
            if await self.deliver_due():
                continue
            if lock_conn is not None:
                await lock_conn.execute(text("SELECT 1"))  # leadership lost if this fails
            await asyncio.sleep(self.settings.poll_seconds)

    async def _run_as_leader(self) -> None:
        async with self.store.engine.connect() as raw:
            conn = await raw.execution_options(isolation_level="AUTOCOMMIT")
            while not await _try_lock(conn, self._lock_key):  # noqa: ASYNC110 - another process's lock
                await asyncio.sleep(1.0)
            try:
                await self._loop(conn)
            finally:
                with contextlib.suppress(Exception):
                    await conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self._lock_key})


async def _disable(tx: Transaction, endpoint_id: str, reason: str, at: datetime) -> None:
    stream = await tx.load(ev.endpoint_stream(endpoint_id))
    if stream and stream[-1].type == "WebhookEndpointDisabled":
        return
    event = ev.WebhookEndpointDisabled(endpoint_id=endpoint_id, reason=reason, disabled_at=at)
    await tx.append(
        ev.endpoint_stream(endpoint_id),
        len(stream),
        [NewEvent("WebhookEndpointDisabled", event.model_dump(mode="json"))],
    )


async def _excerpt(response: httpx.Response, limit: int = 300) -> str | None:
    """The start of the receiver's answer, without reading a body of any size."""
    taken = b""
    async for chunk in response.aiter_bytes():
        taken += chunk
        if len(taken) >= limit:
            break
    return taken[:limit].decode("utf-8", "replace") or None


async def _try_lock(conn: Any, key: int) -> bool:
    found = await conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key})
    return bool(found.scalar())
