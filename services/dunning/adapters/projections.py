"""Dunning's read models: cases by stage, reminders as sent, services and their state."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.dunning.adapters import tables as t
from shared.store.eventstore import StoredEvent
from shared.store.upsert import upsert

Apply = Callable[[AsyncConnection, dict[str, Any]], Awaitable[None]]
STAGES = {
    "reminder-1": "reminder 1",
    "reminder-2": "reminder 2",
    "collection-notice": "collection notice",
    "deletion": "deletion due",
}


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


class DunningView:
    """The projection of the Debtor streams."""

    name = "dunning_view"
    tables = t.READ_MODELS

    def __init__(self) -> None:
        self._apply: dict[str, Apply] = {
            "InvoiceKnown": self._invoice,
            "InvoiceBalanceChanged": self._balance,
            "DunningCaseOpened": self._opened,
            "StepTaken": self._step,
            "ReminderIssued": self._reminder,
            "ServiceSuspended": self._suspended,
            "SuspensionShared": self._shared,
            "ServicePermanentlyClosed": self._closed_service,
            "HostedDataDeletionDue": self._deletion,
            "ServiceRestored": self._restored,
            "DunningCaseClosed": self._case_closed,
            "DunningPaused": self._paused,
            "DunningResumed": self._resumed,
            "PauseLifted": self._resumed,
            "NoFollowUpSet": self._no_follow_up,
            "NoFollowUpEnded": self._follow_up,
        }

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project one event of a Debtor stream."""
        handler = self._apply.get(event.type)
        if handler is not None:
            await handler(conn, {**event.data, "_customer": event.meta.get("customer_id")})

    async def _invoice(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            "invoice_number": d["invoice_number"],
            "customer_id": d["_customer"],
            "kind": d["kind"],
            "due_date": _day(d["due_date"]),
            "balance": d["total"],
            "regarding_invoice": d.get("regarding_invoice"),
        }
        await upsert(conn, t.followed_invoices, row, key=["invoice_number"])

    async def _balance(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await conn.execute(
            update(t.followed_invoices)
            .where(t.followed_invoices.c.invoice_number == d["invoice_number"])
            .values(balance=d["balance"])
        )

    async def _case(self, conn: AsyncConnection, number: int, **values: Any) -> None:
        await conn.execute(
            update(t.cases).where(t.cases.c.invoice_number == number).values(**values)
        )

    async def _opened(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            "invoice_number": d["invoice_number"],
            "customer_id": d["customer_id"],
            "status": "open",
            "stage": "overdue",
            "due_date": _day(d["due_date"]),
            "opened_on": _day(d["opened_on"]),
            "closed_on": None,
            "closed_reason": None,
            "paused": [],
            "taken": [],
            "fees": "0",
            "compensation": "0",
        }
        await upsert(conn, t.cases, row, key=["invoice_number"])

    async def _step(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        taken = (
            await conn.execute(
                select(t.cases.c.taken).where(t.cases.c.invoice_number == d["invoice_number"])
            )
        ).scalar()
        entry = {k: d[k] for k in ("step", "on", "deadline", "fee", "reminder_number")}
        await self._case(
            conn,
            d["invoice_number"],
            taken=[*(taken or []), entry],
            stage=STAGES.get(d["step"], d["step"]),
        )

    async def _reminder(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            "invoice_number": d["invoice_number"],
            "reminder_number": d["reminder_number"],
            "customer_id": d["customer_id"],
            "letter": {k: v for k, v in d.items() if k != "_customer"},
        }
        await upsert(conn, t.reminders, row, key=["invoice_number", "reminder_number"])
        current = (
            await conn.execute(
                select(t.cases.c.fees, t.cases.c.compensation).where(
                    t.cases.c.invoice_number == d["invoice_number"]
                )
            )
        ).first()
        fees, compensation = (
            (Decimal(current[0]), Decimal(current[1])) if current else (Decimal(0), Decimal(0))
        )
        await self._case(
            conn,
            d["invoice_number"],
            fees=fees + Decimal(d["fee"]) + Decimal(d["interest"]),
            compensation=compensation + Decimal(d["compensation"]),
        )

    async def _service(
        self, conn: AsyncConnection, d: dict[str, Any], state: str, since: str, **extra: Any
    ) -> None:
        row = {
            "subscription_id": d["subscription_id"],
            "invoice_number": d["invoice_number"],
            "customer_id": d["customer_id"],
            "sku": d["sku"],
            "service_kind": d["service_kind"],
            "state": state,
            "since": _day(since),
            "restore_within_hours": extra.get("restore_within_hours"),
            "after_permanent_closure": extra.get("after_permanent_closure", False),
        }
        await upsert(conn, t.services, row, key=["subscription_id", "invoice_number"])

    async def _suspended(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._service(conn, d, "suspended", d["suspended_on"])

    async def _shared(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        return None  # shown on the case that suspended it

    async def _closed_service(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._service(conn, d, "closed", d["closed_on"])

    async def _deletion(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._service(conn, d, "deletion due", d["due_on"], after_permanent_closure=True)

    async def _restored(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._service(
            conn,
            d,
            "restored",
            d["restored_on"],
            restore_within_hours=d.get("restore_within_hours"),
            after_permanent_closure=d["after_permanent_closure"],
        )

    async def _case_closed(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._case(
            conn,
            d["invoice_number"],
            status="closed",
            closed_on=_day(d["closed_on"]),
            closed_reason=d["reason"],
        )

    async def _paused(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        paused = (
            await conn.execute(
                select(t.cases.c.paused).where(t.cases.c.invoice_number == d["invoice_number"])
            )
        ).scalar()
        await self._case(conn, d["invoice_number"], paused=sorted({*(paused or []), d["reason"]}))

    async def _resumed(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        paused = (
            await conn.execute(
                select(t.cases.c.paused).where(t.cases.c.invoice_number == d["invoice_number"])
            )
        ).scalar()
        await self._case(
            conn,
            d["invoice_number"],
            paused=[p for p in (paused or []) if p != d["lifts"]],
            not_before=_day(d["resumed_on"]),
        )

    async def _no_follow_up(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {k: d[k] for k in ("customer_id", "reason")} | {
            "until": _day(d["until"]),
            "set_on": _day(d["set_on"]),
        }
        await upsert(conn, t.no_follow_up, row, key=["customer_id"])

    async def _follow_up(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await conn.execute(
            delete(t.no_follow_up).where(t.no_follow_up.c.customer_id == d["customer_id"])
        )
