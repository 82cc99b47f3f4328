"""Webhook commands: load, decide, append; the projection and the worker do the rest."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, select

from services.ops.adapters import destinations
from services.ops.adapters.webhook_tables import webhook_deliveries, webhook_secrets
from services.ops.domain import webhook_events as ev
from services.ops.domain.webhooks import InvalidSecret, new_secret, secret_key
from services.ops.settings import WebhookSettings
from shared.envelope import utcnow
from shared.errors import Conflict, DomainError, NotFound
from shared.ids import new_id
from shared.store.eventstore import EventStore, Metadata, NewEvent, Transaction, retry_on_conflict


def _new(event: ev.WebhookEvent) -> NewEvent:
    return NewEvent(type(event).__name__, event.model_dump(mode="json"))


async def register(
    store: EventStore,
    meta: Metadata,
    settings: WebhookSettings,
    *,
    url: str,
    event_types: list[str],
    description: str | None,
    secret: str | None,
) -> tuple[str, str]:
    """Register an endpoint; returns its id and the secret (the only time it is shown)."""
    await destinations.check(url, settings.allowed_networks)
    if secret is not None:
        try:
            secret_key(secret)
        except InvalidSecret as exc:
            raise DomainError(str(exc), field="secret") from None
    endpoint_id = new_id()
    registered = ev.WebhookEndpointRegistered(
        endpoint_id=endpoint_id,
        url=url,
        description=description,
        event_types=event_types,
        registered_at=utcnow(),
        secret_source="provided" if secret else "generated",
    )
    secret = secret or new_secret()
    async with store.transaction(meta) as tx:
        await tx.append(ev.endpoint_stream(endpoint_id), 0, [_new(registered)])
        # The secret is kept beside the event, never in it: events are read by many.
        await tx.conn.execute(
            insert(webhook_secrets).values(endpoint_id=endpoint_id, secret=secret)
        )
    return endpoint_id, secret


async def disable(store: EventStore, meta: Metadata, endpoint_id: str, reason: str) -> None:
    """Stop deliveries to an endpoint."""

    async def attempt() -> None:
        async with store.transaction(meta) as tx:
            version, enabled = await _endpoint(tx, endpoint_id)
            if not enabled:
                raise Conflict("the endpoint is already disabled", field="endpoint_id")
            event = ev.WebhookEndpointDisabled(
                endpoint_id=endpoint_id, reason=reason, disabled_at=utcnow()
            )
            await tx.append(ev.endpoint_stream(endpoint_id), version, [_new(event)])

    await retry_on_conflict(attempt)


async def enable(store: EventStore, meta: Metadata, endpoint_id: str) -> None:
    """Deliver to the endpoint again, from now on."""

    async def attempt() -> None:
        async with store.transaction(meta) as tx:
            version, enabled = await _endpoint(tx, endpoint_id)
            if enabled:
                raise Conflict("the endpoint is already enabled", field="endpoint_id")
            event = ev.WebhookEndpointEnabled(endpoint_id=endpoint_id, enabled_at=utcnow())
            await tx.append(ev.endpoint_stream(endpoint_id), version, [_new(event)])

    await retry_on_conflict(attempt)


async def replay_since(
    store: EventStore, meta: Metadata, endpoint_id: str, since: datetime, include_delivered: bool
) -> int:
    """Queue again every failed (or missed, or if asked every) message since a time; returns how many wait."""

    async def attempt() -> int:
        async with store.transaction(meta) as tx:
            version, enabled = await _endpoint(tx, endpoint_id)
            if not enabled:
                raise Conflict("enable the endpoint before replaying to it", field="endpoint_id")
            event = ev.WebhookReplayRequested(
                endpoint_id=endpoint_id,
                since=since,
                include_delivered=include_delivered,
                requested_at=utcnow(),
            )
            await tx.append(ev.endpoint_stream(endpoint_id), version, [_new(event)])
            return await _pending(tx, endpoint_id)

    return await retry_on_conflict(attempt)


async def replay_one(store: EventStore, meta: Metadata, delivery_id: str) -> None:
    """Queue one message to one endpoint again."""

    async def attempt() -> None:
        async with store.transaction(meta) as tx:
            row = (
                await tx.conn.execute(
                    select(webhook_deliveries.c.endpoint_id, webhook_deliveries.c.status).where(
                        webhook_deliveries.c.delivery_id == delivery_id
                    )
                )
            ).first()
            if row is None:
                raise NotFound(f"no delivery {delivery_id}", field="delivery_id")
            _, enabled = await _endpoint(tx, row.endpoint_id)
            if not enabled:
                raise Conflict("enable the endpoint before replaying to it", field="delivery_id")
            if row.status == "pending":
                raise Conflict("the delivery is already waiting to be sent", field="delivery_id")
            stream = await tx.load(ev.delivery_stream(delivery_id))
            event = ev.WebhookDeliveryReplayRequested(
                delivery_id=delivery_id, endpoint_id=row.endpoint_id, requested_at=utcnow()
            )
            await tx.append(ev.delivery_stream(delivery_id), len(stream), [_new(event)])

    await retry_on_conflict(attempt)


async def _endpoint(tx: Transaction, endpoint_id: str) -> tuple[int, bool]:
    """The endpoint stream's version and whether it is enabled, from its own events."""
    stream = await tx.load(ev.endpoint_stream(endpoint_id))
    if not stream:
        raise NotFound(f"no webhook endpoint {endpoint_id}", field="endpoint_id")
    enabled = True
    for stored in stream:
        if stored.type == "WebhookEndpointDisabled":
            enabled = False
        elif stored.type == "WebhookEndpointEnabled":
            enabled = True
    return len(stream), enabled


async def _pending(tx: Transaction, endpoint_id: str) -> int:
    found = await tx.conn.execute(
        select(func.count()).where(
            webhook_deliveries.c.endpoint_id == endpoint_id,
            webhook_deliveries.c.status == "pending",
        )
    )
    return int(found.scalar() or 0)
