"""Provisioning as ops saw it: actions in flight, failed, dead-lettered, done; manual tasks."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.provisioning_view import restore_breached
from services.ops.adapters.view_tables import customer_view, manual_task_view, provisioning_view

GROUPS = ("in flight", "failed", "dead-lettered", "done")
# Blocked actions need a person like dead-lettered ones; superseded ones are finished.
GROUP_OF = {"blocked": "dead-lettered", "superseded": "done"}


async def actions(
    conn: AsyncConnection, today: date | None, now: datetime, customer_id: str | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Actions grouped by state, newest first, each marked when a restore breached its deadline."""
    query = (
        select(provisioning_view, customer_view.c.name.label("customer_name"))
        .outerjoin(customer_view, customer_view.c.customer_id == provisioning_view.c.customer_id)
        .order_by(provisioning_view.c.requested_at.desc())
    )
    if customer_id:
        query = query.where(provisioning_view.c.customer_id == customer_id)
    grouped: dict[str, list[dict[str, Any]]] = {group: [] for group in GROUPS}
    for row in (await conn.execute(query)).mappings():
        action = dict(row) | {"breached": restore_breached(row, today, now)}
        grouped.setdefault(GROUP_OF.get(action["state"], action["state"]), []).append(action)
    grouped["done"] = grouped["done"][:25]
    return grouped


async def manual_tasks(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Manual tasks, open ones first."""
    query = (
        select(manual_task_view, customer_view.c.name.label("customer_name"))
        .outerjoin(customer_view, customer_view.c.customer_id == manual_task_view.c.customer_id)
        .order_by(manual_task_view.c.completed_on.is_not(None), manual_task_view.c.opened_on.desc())
        .limit(100)
    )
    return [dict(r) for r in (await conn.execute(query)).mappings()]
