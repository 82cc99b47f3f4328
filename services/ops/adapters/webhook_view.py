"""Webhook read models: endpoints, the delivery outbox and every attempt, all rebuilt by replay.

A delivery row is written while EventObserved is applied, so the message and its webhook
commit together; attempts and replays are ops' own events, so replay restores the queue exactly.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.projections import OBSERVED
from services.ops.adapters.tables import event_log
from services.ops.adapters.webhook_tables import WEBHOOK_VIEWS
from services.ops.adapters.webhook_tables import webhook_attempts as attempts
from services.ops.adapters.webhook_tables import webhook_deliveries as deliveries
from services.ops.adapters.webhook_tables import webhook_endpoints as endpoints
from services.ops.domain import webhook_events as ev
from services.ops.domain.webhooks import matches
from shared.envelope import CloudEvent
from shared.store.eventstore import StoredEvent
from shared.store.upsert import upsert

Apply = Callable[[AsyncConnection, StoredEvent], Awaitable[None]]


class WebhookView:
    """The projection behind /webhooks and the delivery worker."""

    name = "webhook_view"
    tables = list(WEBHOOK_VIEWS)

    def __init__(self) -> None:
        self._apply: dict[str, Apply] = {
            OBSERVED: self._observed,
            "WebhookEndpointRegistered": self._registered,
            "WebhookEndpointDisabled": self._disabled,
            "WebhookEndpointEnabled": self._enabled,
            "WebhookReplayRequested": self._replay_since,
            "WebhookDeliveryReplayRequested": self._replay_one,
            "WebhookAttemptRecorded": self._attempted,
        }

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project one event of ops' log."""
        handler = self._apply.get(event.type)
        if handler is not None:
            await handler(conn, event)

    async def _observed(self, conn: AsyncConnection, event: StoredEvent) -> None:
        envelope = CloudEvent.model_validate(event.data)
        found = await conn.execute(
            select(endpoints.c.endpoint_id, endpoints.c.event_types).where(endpoints.c.enabled)
        )
        for endpoint_id, patterns in found.all():
            if matches(patterns, envelope.context, envelope.event_name):
                await _queue(conn, endpoint_id, envelope, event.recorded_at)

    async def _registered(self, conn: AsyncConnection, event: StoredEvent) -> None:
        e = ev.WebhookEndpointRegistered.model_validate(event.data)
        row = {
            "endpoint_id": e.endpoint_id,
            "url": e.url,
            "description": e.description,
            "event_types": e.event_types,
            "enabled": True,
            "created_at": e.registered_at,
            "created_by": event.meta.get("actor", "unknown"),
            "version": event.version,
        }
        await upsert(conn, endpoints, row, key=["endpoint_id"])

    async def _disabled(self, conn: AsyncConnection, event: StoredEvent) -> None:
        e = ev.WebhookEndpointDisabled.model_validate(event.data)
        await self._endpoint(
            conn,
            e.endpoint_id,
            event,
            enabled=False,
            disabled_reason=e.reason,
            disabled_at=e.disabled_at,
        )
        # What was still queued will not go out; it stays replayable.
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.endpoint_id == e.endpoint_id, deliveries.c.status == "pending")
            .values(status="failed", next_attempt_at=None, last_error="endpoint disabled")
        )

    async def _enabled(self, conn: AsyncConnection, event: StoredEvent) -> None:
        e = ev.WebhookEndpointEnabled.model_validate(event.data)
        await self._endpoint(
            conn,
            e.endpoint_id,
            event,
            enabled=True,
            disabled_reason=None,
            disabled_at=None,
            failing_since=None,
        )

    async def _replay_since(self, conn: AsyncConnection, event: StoredEvent) -> None:
        e = ev.WebhookReplayRequested.model_validate(event.data)
        await self._endpoint(conn, e.endpoint_id, event)
        wanted = ["failed", "delivered"] if e.include_delivered else ["failed"]
        await conn.execute(
            update(deliveries)
            .where(
                deliveries.c.endpoint_id == e.endpoint_id,
                deliveries.c.created_at >= e.since,
                deliveries.c.status.in_(wanted),
            )
            .values(status="pending", next_attempt_at=None, round_attempts=0)
        )
        # Messages observed while the endpoint was disabled never got a delivery: queue them now.
        patterns = (
            await conn.execute(
                select(endpoints.c.event_types).where(endpoints.c.endpoint_id == e.endpoint_id)
            )
        ).scalar() or []
        missed = await conn.execute(
            select(event_log.c.envelope, event_log.c.time)
            .outerjoin(
                deliveries,
                and_(
                    deliveries.c.event_id == event_log.c.event_id,
                    deliveries.c.endpoint_id == e.endpoint_id,
                ),
            )
            .where(event_log.c.time >= e.since, deliveries.c.delivery_id.is_(None))
            .order_by(event_log.c.seq)
        )
        for raw, observed_at in missed.all():
            envelope = CloudEvent.model_validate(raw)
            if matches(patterns, envelope.context, envelope.event_name):
                await _queue(conn, e.endpoint_id, envelope, observed_at)

    async def _replay_one(self, conn: AsyncConnection, event: StoredEvent) -> None:
        e = ev.WebhookDeliveryReplayRequested.model_validate(event.data)
        await conn.execute(
            update(deliveries)
            .where(deliveries.c.delivery_id == e.delivery_id)
            .values(status="pending", next_attempt_at=None, round_attempts=0, version=event.version)
        )

    async def _attempted(self, conn: AsyncConnection, event: StoredEvent) -> None:
        e = ev.WebhookAttemptRecorded.model_validate(event.data)
        await conn.execute(
            insert(attempts).values(
                attempt_id=event.event_id,
                delivery_id=e.delivery_id,
                endpoint_id=e.endpoint_id,
                number=e.number,
                attempted_at=e.attempted_at,
                outcome=e.outcome,
                status_code=e.status_code,
                error=e.error,
                response=e.response,
                duration_ms=e.duration_ms,
                next_attempt_at=e.next_attempt_at,
            )
        )
        values: dict[str, Any] = {
            "attempts": e.number,
            "round_attempts": deliveries.c.round_attempts + 1,
            "last_status_code": e.status_code,
            "last_error": e.error,
            "version": event.version,
        }
        if e.outcome == "delivered":
            values |= {
                "status": "delivered",
                "delivered_at": e.attempted_at,
                "next_attempt_at": None,
            }
        elif e.next_attempt_at is not None:
            values |= {"status": "pending", "next_attempt_at": e.next_attempt_at}
        else:
            values |= {"status": "failed", "next_attempt_at": None}
        await conn.execute(
            update(deliveries).where(deliveries.c.delivery_id == e.delivery_id).values(**values)
        )
        await self._health(conn, e)

    async def _health(self, conn: AsyncConnection, e: ev.WebhookAttemptRecorded) -> None:
        """Track since when every attempt to the endpoint has failed (for the five-day rule)."""
        if e.outcome == "delivered":
            values: dict[str, Any] = {"failing_since": None, "last_success_at": e.attempted_at}
            await conn.execute(
                update(endpoints).where(endpoints.c.endpoint_id == e.endpoint_id).values(**values)
            )
            return
        await conn.execute(
            update(endpoints)
            .where(endpoints.c.endpoint_id == e.endpoint_id, endpoints.c.failing_since.is_(None))
            .values(failing_since=e.attempted_at)
        )

    async def _endpoint(
        self, conn: AsyncConnection, endpoint_id: str, event: StoredEvent, **values: Any
    ) -> None:
        values["version"] = event.version
        await conn.execute(
            update(endpoints).where(endpoints.c.endpoint_id == endpoint_id).values(**values)
        )


async def _queue(
    conn: AsyncConnection, endpoint_id: str, envelope: CloudEvent, observed_at: datetime
) -> None:
    row = {
        "delivery_id": ev.delivery_id(endpoint_id, envelope.id),
        "endpoint_id": endpoint_id,
        "event_id": envelope.id,
        "event_name": envelope.event_name,
        "customer_id": envelope.customerid,
        "status": "pending",
        "attempts": 0,
        "round_attempts": 0,
        "next_attempt_at": None,
        "created_at": observed_at,
        "version": 0,
    }
    await upsert(conn, deliveries, row, key=["delivery_id"], update=False)


def due_filter(now: datetime) -> Any:
    """Pending deliveries whose next attempt is now or overdue (None means at once)."""
    return and_(
        deliveries.c.status == "pending",
        or_(deliveries.c.next_attempt_at.is_(None), deliveries.c.next_attempt_at <= now),
    )
