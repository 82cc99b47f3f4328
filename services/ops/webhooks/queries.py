"""Reads of the webhook read models, for the API and the dashboard."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.observed import utc
from services.ops.adapters.webhook_tables import webhook_attempts as attempts
from services.ops.adapters.webhook_tables import webhook_deliveries as deliveries
from services.ops.adapters.webhook_tables import webhook_endpoints as endpoints
from shared.errors import NotFound

TIMES = (
    "disabled_at",
    "created_at",
    "failing_since",
    "last_success_at",
    "next_attempt_at",
    "delivered_at",
    "attempted_at",
)


def _row(row: Any) -> dict[str, Any]:
    data = dict(row)
    for name in TIMES:
        if name in data:
            data[name] = utc(data[name])
    return data


async def endpoint_list(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Every endpoint with its delivery counts by status."""
    rows = (await conn.execute(select(endpoints).order_by(endpoints.c.created_at))).mappings().all()
    counts = await conn.execute(
        select(deliveries.c.endpoint_id, deliveries.c.status, func.count()).group_by(
            deliveries.c.endpoint_id, deliveries.c.status
        )
    )
    by_endpoint: dict[str, dict[str, int]] = {}
    for endpoint_id, status, count in counts.all():
        by_endpoint.setdefault(endpoint_id, {})[status] = count
    return [_row(r) | {"counts": by_endpoint.get(r["endpoint_id"], {})} for r in rows]


async def endpoint(conn: AsyncConnection, endpoint_id: str) -> dict[str, Any]:
    """One endpoint, or NotFound."""
    row = (
        (await conn.execute(select(endpoints).where(endpoints.c.endpoint_id == endpoint_id)))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no webhook endpoint {endpoint_id}", field="endpoint_id")
    return _row(row)


async def delivery_list(
    conn: AsyncConnection,
    endpoint_id: str | None = None,
    status: str | None = None,
    limit: int = 100,
) -> list[dict[str, Any]]:
    """Deliveries, newest first."""
    query = select(deliveries).order_by(deliveries.c.created_at.desc()).limit(limit)
    if endpoint_id:
        query = query.where(deliveries.c.endpoint_id == endpoint_id)
    if status:
        query = query.where(deliveries.c.status == status)
    return [_row(r) for r in (await conn.execute(query)).mappings()]


async def attempt_list(
    conn: AsyncConnection, delivery_ids: list[str]
) -> dict[str, list[dict[str, Any]]]:
    """The attempts of the deliveries, in order."""
    if not delivery_ids:
        return {}
    query = (
        select(attempts).where(attempts.c.delivery_id.in_(delivery_ids)).order_by(attempts.c.number)
    )
    found: dict[str, list[dict[str, Any]]] = {}
    for row in (await conn.execute(query)).mappings():
        found.setdefault(row["delivery_id"], []).append(_row(row))
    return found


async def delivery(conn: AsyncConnection, delivery_id: str) -> dict[str, Any]:
    """One delivery with its attempts, or NotFound."""
    row = (
        (await conn.execute(select(deliveries).where(deliveries.c.delivery_id == delivery_id)))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"no delivery {delivery_id}", field="delivery_id")
    made = await attempt_list(conn, [delivery_id])
    return _row(row) | {"attempts_made": made.get(delivery_id, [])}
