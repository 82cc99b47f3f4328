"""The service-visit read model: each customer's visits so far and the next one's due day."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assets.adapters import tables as t
from services.assets.domain.visits import visit_due_on
from shared.store.eventstore import StoredEvent
from shared.store.upsert import upsert


async def project_visits(conn: AsyncConnection, event: StoredEvent) -> None:
    """Apply ServiceVisitsScheduled, ServiceVisitDue or ServiceVisitCompleted."""
    d = event.data
    customer_id = d["customer_id"]
    if event.type == "ServiceVisitsScheduled":
        starts_on = date.fromisoformat(d["starts_on"])
        row = {
            "customer_id": customer_id,
            "starts_on": starts_on,
            "visits_per_year": d["visits_per_year"],
            "next_number": 1,
            "next_due_on": visit_due_on(starts_on, d["visits_per_year"], 1),
            "visits": [],
        }
        await upsert(conn, t.service_visits, row, key=["customer_id"])
        return
    plan = (
        (
            await conn.execute(
                select(t.service_visits).where(t.service_visits.c.customer_id == customer_id)
            )
        )
        .mappings()
        .one()
    )
    visits: list[dict[str, Any]] = [v for v in plan["visits"] if v["number"] != d["number"]]
    if event.type == "ServiceVisitDue":
        visit = {"number": d["number"], "due_on": d["due_on"], "status": "due"}
    else:
        visit = {
            "number": d["number"],
            "due_on": d["due_on"],
            "status": "completed",
            "completed_on": d["completed_on"],
            "condition_report": d["condition_report"],
            "recorded_by": str(event.meta.get("actor") or "system"),
        }
    visits = sorted([*visits, visit], key=lambda v: int(v["number"]))
    next_number = max(plan["next_number"], d["number"] + 1)
    await conn.execute(
        update(t.service_visits)
        .where(t.service_visits.c.customer_id == customer_id)
        .values(
            visits=visits,
            next_number=next_number,
            next_due_on=visit_due_on(plan["starts_on"], plan["visits_per_year"], next_number),
        )
    )
