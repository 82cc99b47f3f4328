"""The action log as tables: actions by state, their tries, manual tasks, subscriptions."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.provisioning.adapters import tables as t
from shared.store.eventstore import StoredEvent
from shared.store.upsert import upsert

Apply = Callable[[AsyncConnection, dict[str, Any], datetime], Awaitable[None]]


def db_time(value: datetime | str | None) -> datetime | None:
    """A moment as the tables keep it: naive UTC (the same on SQLite and PostgreSQL)."""
    if value is None:
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def aware(value: datetime | None) -> datetime | None:
    """A table's naive UTC moment as an aware datetime."""
    return value.replace(tzinfo=UTC) if value is not None else None


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


class ProvisioningView:
    """The projection of the action and subscription streams."""

    name = "provisioning_view"
    tables = t.READ_MODELS

    def __init__(self) -> None:
        self._apply: dict[str, Apply] = {
            "SubscriptionKnown": self._known,
            "VendorReferenceChanged": self._reference,
            "ActionQueued": self._queued,
            "ReferenceResolved": self._resolved,
            "ActionClaimed": self._claimed,
            "StepCompleted": self._step,
            "ManualTaskOpened": self._task_opened,
            "ManualTaskCompleted": self._task_completed,
            "AttemptFailed": self._failed,
            "ActionDeadLettered": self._dead_lettered,
            "ActionRetryRequested": self._retry,
            "ActionSuperseded": self._superseded,
            "ActionCompleted": self._completed,
            "RestoreBreached": self._breached,
        }

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project one event."""
        handler = self._apply.get(event.type)
        if handler is not None:
            recorded = db_time(event.recorded_at)
            assert recorded is not None
            await handler(conn, event.data, recorded)

    async def _known(self, conn: AsyncConnection, d: dict[str, Any], _: datetime) -> None:
        row = {
            "subscription_id": d["subscription_id"],
            "customer_id": d["customer_id"],
            "sku": d["sku"],
            "service_kind": d["service_kind"],
            "quantity": d["quantity"],
            "vendor_reference": d["vendor_reference"],
        }
        await upsert(conn, t.subscriptions, row, key=["subscription_id"])

    async def _reference(self, conn: AsyncConnection, d: dict[str, Any], _: datetime) -> None:
        row = {"subscription_id": d["subscription_id"], "vendor_reference": d["vendor_reference"]}
        await upsert(conn, t.subscriptions, row, key=["subscription_id"])

    async def _queued(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        row = {
            "action_id": d["action_id"],
            "customer_id": d["customer_id"],
            "subscription_id": d["subscription_id"],
            "sequence": d["sequence"],
            "sku": d["sku"],
            "service_kind": d["service_kind"],
            "operation": d["operation"],
            "invoice_number": d.get("invoice_number"),
            "occurred_on": _day(d["occurred_on"]),
            "state": "needs_reference" if d["missing"] else "pending",
            "steps": d["steps"],
            "completed_steps": [],
            "missing": d["missing"],
            "attempts": 0,
            "after_permanent_closure": d.get("after_permanent_closure", False),
            "restore_within_hours": d.get("restore_within_hours"),
            "restore_deadline": db_time(d.get("restore_deadline")),
            "queued_at": at,
            "updated_at": at,
        }
        await upsert(conn, t.actions, row, key=["action_id"])

    async def _action(self, conn: AsyncConnection, action_id: str, **values: Any) -> None:
        await conn.execute(
            update(t.actions).where(t.actions.c.action_id == action_id).values(**values)
        )

    async def _attempt(
        self, conn: AsyncConnection, action_id: str, attempt: int, **values: Any
    ) -> None:
        await conn.execute(
            update(t.attempts)
            .where(and_(t.attempts.c.action_id == action_id, t.attempts.c.attempt == attempt))
            .values(**values)
        )

    async def _resolved(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        await self._action(conn, d["action_id"], state="pending", missing=[], updated_at=at)

    async def _claimed(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        # A try still "running" lost its claim: its process died or overran its lease.
        await conn.execute(
            update(t.attempts)
            .where(
                and_(t.attempts.c.action_id == d["action_id"], t.attempts.c.outcome == "running")
            )
            .values(outcome="abandoned", finished_at=db_time(d["claimed_at"]))
        )
        await self._action(
            conn,
            d["action_id"],
            state="in_flight",
            attempts=d["attempt"],
            worker=d["worker"],
            lease_until=db_time(d["lease_until"]),
            updated_at=at,
        )
        row = {
            "action_id": d["action_id"],
            "attempt": d["attempt"],
            "worker": d["worker"],
            "started_at": db_time(d["claimed_at"]),
            "outcome": "running",
            "steps_done": [],
        }
        await upsert(conn, t.attempts, row, key=["action_id", "attempt"])

    async def _step(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        done = {"step": d["step"], "outcome": d["outcome"], "request_id": d["request_id"]}
        action = await self._row(conn, t.actions, t.actions.c.action_id == d["action_id"])
        await self._action(
            conn,
            d["action_id"],
            completed_steps=[*action["completed_steps"], done] if action else [done],
            updated_at=at,
        )
        tried = await self._row(
            conn,
            t.attempts,
            and_(t.attempts.c.action_id == d["action_id"], t.attempts.c.attempt == d["attempt"]),
        )
        if tried is not None:
            await self._attempt(
                conn, d["action_id"], d["attempt"], steps_done=[*tried["steps_done"], done]
            )

    async def _task_opened(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        action = await self._row(conn, t.actions, t.actions.c.action_id == d["action_id"])
        assert action is not None
        await self._action(
            conn, d["action_id"], state="awaiting_operator", lease_until=None, updated_at=at
        )
        await self._attempt(
            conn, d["action_id"], action["attempts"], outcome="manual_task", finished_at=at
        )
        row = {
            "task_id": d["task_id"],
            "action_id": d["action_id"],
            "customer_id": action["customer_id"],
            "subscription_id": action["subscription_id"],
            "service_kind": action["service_kind"],
            "operation": action["operation"],
            "step": d["step"],
            "instructions": d["instructions"],
            "state": "open",
            "opened_on": _day(d.get("opened_on")),
            "opened_at": db_time(d["opened_at"]),
        }
        await upsert(conn, t.manual_tasks, row, key=["task_id"])

    async def _task_completed(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        await conn.execute(
            update(t.manual_tasks)
            .where(t.manual_tasks.c.task_id == d["task_id"])
            .values(
                state="completed",
                completed_by=d["completed_by"],
                note=d.get("note"),
                completed_at=db_time(d["completed_at"]),
            )
        )
        action = await self._row(conn, t.actions, t.actions.c.action_id == d["action_id"])
        done = {"step": d["step"], "outcome": "manual", "request_id": d["task_id"]}
        steps = [*action["completed_steps"], done] if action else [done]
        await self._action(
            conn,
            d["action_id"],
            state="pending",
            next_attempt_at=None,
            completed_steps=steps,
            updated_at=at,
        )

    async def _failed(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        retry_at = db_time(d["retry_at"])
        await self._action(
            conn,
            d["action_id"],
            state="failed",
            next_attempt_at=retry_at,
            lease_until=None,
            last_error=d["error"],
            updated_at=at,
        )
        await self._attempt(
            conn,
            d["action_id"],
            d["attempt"],
            outcome="failed",
            error=d["error"],
            retry_at=retry_at,
            finished_at=db_time(d["failed_at"]),
        )

    async def _dead_lettered(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        await self._action(
            conn,
            d["action_id"],
            state="dead_lettered",
            next_attempt_at=None,
            lease_until=None,
            last_error=d["error"],
            updated_at=at,
        )
        await self._attempt(
            conn,
            d["action_id"],
            d["attempt"],
            outcome="dead_lettered",
            error=d["error"],
            finished_at=db_time(d["failed_at"]),
        )

    async def _retry(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        await self._action(
            conn, d["action_id"], state="pending", next_attempt_at=None, updated_at=at
        )

    async def _superseded(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        await self._action(
            conn,
            d["action_id"],
            state="superseded",
            superseded_by=d["superseded_by"],
            next_attempt_at=None,
            updated_at=at,
        )

    async def _completed(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        finished = db_time(d["completed_at"])
        await self._action(
            conn,
            d["action_id"],
            state="done",
            next_attempt_at=None,
            lease_until=None,
            updated_at=at,
        )
        await conn.execute(
            update(t.attempts)
            .where(
                and_(t.attempts.c.action_id == d["action_id"], t.attempts.c.outcome == "running")
            )
            .values(outcome="succeeded", finished_at=finished)
        )

    async def _breached(self, conn: AsyncConnection, d: dict[str, Any], at: datetime) -> None:
        await self._action(conn, d["action_id"], breached_on=_day(d["detected_on"]), updated_at=at)

    @staticmethod
    async def _row(conn: AsyncConnection, table: Any, where: Any) -> Any:
        return (await conn.execute(select(table).where(where))).mappings().first()
