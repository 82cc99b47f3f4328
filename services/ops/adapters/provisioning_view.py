"""provisioning_view: what dunning asked the vendors to do, and how far provisioning got.

A dunning decision (suspend, restore, close, delete) shows up at once as an action "in flight";
when provisioning queues it (ProvisioningActionQueued, caused by that decision) the row takes
provisioning's action id, so the retry button names the action provisioning knows.
Events are read by their fields (see docs/dashboard.md), tolerant of fields added later.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.observed import Observation, ObservedView, day, utc
from services.ops.adapters.view_tables import manual_task_view as tasks
from services.ops.adapters.view_tables import provisioning_view as t
from shared.store.upsert import upsert

DECISIONS = {
    "ServiceSuspended": ("suspend", "suspended_on"),
    "ServicePermanentlyClosed": ("close", "closed_on"),
    "HostedDataDeletionDue": ("delete", "due_on"),
    "ServiceRestored": ("restore", "restored_on"),
}
VENDORS = {
    "License": "Partner Center",
    "Hosting": "Plesk",
    "HostedData": "Plesk",
    "Antivirus": "ESET",
    "Monitoring": "RMM",
}


class ProvisioningView(ObservedView):
    """Actions in flight, failed, dead-lettered and done; manual tasks."""

    name = "provisioning_view"
    tables = [t, tasks]

    async def observe(self, conn: AsyncConnection, seen: Observation) -> None:
        """Dunning decisions open actions; provisioning's events move them along."""
        context = seen.envelope.context
        if context == "dunning" and seen.name in DECISIONS:
            await self._decided(conn, seen)
        elif context == "provisioning":
            if "outcome" in seen.data and "action_id" in seen.data:
                await self._vendor_outcome(conn, seen)
            else:
                await super().observe(conn, seen)

    async def _decided(self, conn: AsyncConnection, seen: Observation) -> None:
        kind, day_field = DECISIONS[seen.name]
        d = seen.data
        on = day(d.get(day_field)) or seen.day
        row: dict[str, Any] = {
            "action_id": seen.envelope.id,
            "decision_event_id": seen.envelope.id,
            "customer_id": seen.customer_id,
            "subscription_id": d.get("subscription_id"),
            "sku": d.get("sku"),
            "service_kind": d.get("service_kind"),
            "action": kind,
            "state": "in flight",
            "requested_on": on,
            "requested_at": seen.envelope.time,
            "attempts": 0,
            "breach_reported": False,
            "updated_event_id": seen.envelope.id,
        }
        hours = d.get("restore_within_hours") if kind == "restore" else None
        if hours and on:
            row["deadline_at"] = seen.envelope.time + timedelta(hours=int(hours))
            row["deadline_on"] = on + timedelta(days=math.ceil(int(hours) / 24))
        # Topics are read independently: provisioning may have queued it before ops saw why.
        queued = await conn.execute(
            select(t.c.action_id).where(t.c.decision_event_id == seen.envelope.id)
        )
        action_id = queued.scalar()
        if action_id is not None:
            keep = {"action_id", "state", "attempts", "updated_event_id", "breach_reported"}
            facts = {k: v for k, v in row.items() if k not in keep}
            await conn.execute(update(t).where(t.c.action_id == action_id).values(**facts))
            return
        await upsert(conn, t, row, key=["action_id"])

    async def on_ProvisioningActionQueued(self, conn: AsyncConnection, seen: Observation) -> None:
        d = seen.data
        action_id = str(d["action_id"])
        decided = await self._decision_for(conn, seen)
        values = {
            "action_id": action_id,
            "state": "in flight",
            "requested_on": day(d.get("queued_on")) or seen.day,
            "last_step": f"queued: {', '.join(d.get('steps') or []) or d.get('operation', '')}",
            "updated_event_id": seen.envelope.id,
        }
        if decided is not None:
            await conn.execute(update(t).where(t.c.action_id == decided).values(**values))
            return
        row = {
            "decision_event_id": seen.envelope.causationid,
            "customer_id": seen.customer_id,
            "subscription_id": d.get("subscription_id"),
            "sku": d.get("sku"),
            "service_kind": d.get("service_kind"),
            "action": d.get("operation") or "unknown",
            "requested_at": seen.envelope.time,
            "attempts": 0,
            "breach_reported": False,
        }
        await upsert(conn, t, row | values, key=["action_id"])

    async def on_VendorReferenceMissing(self, conn: AsyncConnection, seen: Observation) -> None:
        missing = ", ".join(seen.data.get("missing") or [])
        await self._set(
            conn, seen, state="blocked", last_error=f"vendor reference missing: {missing}"
        )

    async def on_ProvisioningActionFailed(self, conn: AsyncConnection, seen: Observation) -> None:
        d = seen.data
        await self._set(
            conn,
            seen,
            state="failed",
            attempts=int(d.get("attempt") or 0),
            retry_at=_moment(d.get("retry_at")),
            last_error=_failure(d.get("error")),
            vendor=_vendor_of_failure(d.get("error")),
        )

    async def on_ProvisioningActionDeadLettered(
        self, conn: AsyncConnection, seen: Observation
    ) -> None:
        d = seen.data
        await self._set(
            conn,
            seen,
            state="dead-lettered",
            attempts=int(d.get("attempts") or 0),
            retry_at=None,
            last_error=_failure(d.get("error")),
            vendor=_vendor_of_failure(d.get("error")),
        )

    async def on_ProvisioningActionRetried(self, conn: AsyncConnection, seen: Observation) -> None:
        who = seen.data.get("requested_by") or seen.envelope.actor
        await self._set(conn, seen, state="in flight", last_step=f"retry requested by {who}")

    async def on_ProvisioningActionSuperseded(
        self, conn: AsyncConnection, seen: Observation
    ) -> None:
        await self._set(conn, seen, state="superseded", retry_at=None, completed_on=seen.day)

    async def on_ProvisioningActionCompleted(
        self, conn: AsyncConnection, seen: Observation
    ) -> None:
        d = seen.data
        await self._set(
            conn,
            seen,
            state="done",
            retry_at=None,
            completed_on=day(d.get("completed_on")) or seen.day,
            completed_at=seen.envelope.time,
        )

    async def on_HostingRestoreBreached(self, conn: AsyncConnection, seen: Observation) -> None:
        await self._set(conn, seen, breach_reported=True)

    async def _vendor_outcome(self, conn: AsyncConnection, seen: Observation) -> None:
        vendor = next((v for prefix, v in VENDORS.items() if seen.name.startswith(prefix)), None)
        values: dict[str, Any] = {"last_step": f"{seen.name} ({seen.data.get('outcome')})"}
        if vendor:
            values["vendor"] = vendor
        await self._set(conn, seen, **values)

    async def on_ManualTaskOpened(self, conn: AsyncConnection, seen: Observation) -> None:
        d = seen.data
        row = {
            "task_id": str(d.get("task_id") or seen.envelope.id),
            "customer_id": seen.customer_id,
            "subscription_id": d.get("subscription_id"),
            "action_id": d.get("action_id"),
            "title": str(d.get("instructions") or d.get("title") or "Manual task")[:300],
            "opened_on": day(d.get("opened_on")) or seen.day,
            "event_id": seen.envelope.id,
        }
        await upsert(conn, tasks, row, key=["task_id"])
        await self._set(conn, seen, last_step="waiting for a manual task")

    async def on_ManualTaskCompleted(self, conn: AsyncConnection, seen: Observation) -> None:
        d = seen.data
        values = {
            "completed_on": day(d.get("completed_on")) or seen.day,
            "completed_by": d.get("completed_by") or seen.envelope.actor,
        }
        await conn.execute(
            update(tasks).where(tasks.c.task_id == str(d.get("task_id"))).values(**values)
        )
        await self._set(conn, seen, last_step="manual task done")

    async def _decision_for(self, conn: AsyncConnection, seen: Observation) -> str | None:
        """The decision row this queued action came from: by causation, else the same service."""
        causation = seen.envelope.causationid
        if causation:
            found = await conn.execute(
                select(t.c.action_id).where(t.c.decision_event_id == causation)
            )
            if (action_id := found.scalar()) is not None:
                return str(action_id)
        query = (
            select(t.c.action_id)
            .where(
                t.c.subscription_id == seen.data.get("subscription_id"),
                t.c.action == seen.data.get("operation"),
                t.c.action_id == t.c.decision_event_id,  # not yet taken up by provisioning
            )
            .order_by(t.c.requested_at.desc())
        )
        found_id = (await conn.execute(query)).scalar()
        return str(found_id) if found_id is not None else None

    async def _set(self, conn: AsyncConnection, seen: Observation, **values: Any) -> None:
        values["updated_event_id"] = seen.envelope.id
        await conn.execute(
            update(t).where(t.c.action_id == str(seen.data.get("action_id"))).values(**values)
        )


def _failure(error: Any) -> str:
    if isinstance(error, dict):
        status = f"HTTP {error['status']}: " if error.get("status") else ""
        return f"{error.get('vendor', 'vendor')}: {status}{error.get('message', '')}"[:600]
    return str(error or "failed")[:600]


def _vendor_of_failure(error: Any) -> str | None:
    return str(error["vendor"]) if isinstance(error, dict) and error.get("vendor") else None


def _moment(value: Any) -> datetime | None:
    return utc(datetime.fromisoformat(value)) if value else None


def restore_breached(row: Any, today: date | None, now: datetime) -> bool:
    """A restore past its deadline: reported by provisioning, still open after the deadline
    (business date or the real hours), or confirmed too late."""
    if row["action"] != "restore":
        return False
    if row["breach_reported"]:
        return True
    if row["deadline_on"] is None:
        return False
    deadline_at = utc(row["deadline_at"])
    if row["state"] not in ("done", "superseded"):
        late_by_date = today is not None and today > row["deadline_on"]
        return late_by_date or (deadline_at is not None and now > deadline_at)
    completed_at = utc(row["completed_at"])
    if completed_at is not None and deadline_at is not None and completed_at > deadline_at:
        return True
    return row["completed_on"] is not None and row["completed_on"] > row["deadline_on"]
