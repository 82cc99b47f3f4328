"""invoice_view and payment_view: what was invoiced, what is still owed, what was paid."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.observed import Observation, ObservedView
from services.ops.adapters.view_tables import invoice_view as inv
from services.ops.adapters.view_tables import payment_view as pay
from shared.contracts.billing import (
    CreditNoteIssued,
    DisputeResolved,
    DueDatePassed,
    InvoiceDisputed,
    InvoiceIssued,
    InvoicePaid,
    InvoicePartiallyPaid,
    PaymentReceived,
    PaymentUnmatched,
)
from shared.store.upsert import upsert


class FinanceView(ObservedView):
    """Invoices with their running balance and status; payments matched or waiting."""

    name = "finance_view"
    tables = [inv, pay]

    async def on_InvoiceIssued(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, InvoiceIssued)
        row = {
            "invoice_number": m.invoice_number,
            "customer_id": m.customer_id,
            "kind": m.kind,
            "issue_date": m.issue_date,
            "due_date": m.due_date,
            "total": m.total,
            "balance": m.total,
            "credited": 0,
            "status": "open",
            "overdue": False,
            "disputed": False,
            "regarding_invoice": m.regarding_invoice,
        }
        await upsert(conn, inv, row, key=["invoice_number"])

    async def on_InvoicePartiallyPaid(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, InvoicePartiallyPaid)
        await self._set(conn, m.invoice_number, balance=m.balance, status="part paid")

    async def on_InvoicePaid(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, InvoicePaid)
        found = await conn.execute(
            select(inv.c.status).where(inv.c.invoice_number == m.invoice_number)
        )
        status = "credited" if found.scalar() == "credited" else "paid"
        await self._set(conn, m.invoice_number, balance=0, status=status, paid_on=m.paid_on)

    async def on_CreditNoteIssued(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, CreditNoteIssued)
        credited = (
            await conn.execute(
                select(inv.c.credited).where(inv.c.invoice_number == m.invoice_number)
            )
        ).scalar() or 0
        values: dict[str, Any] = {"balance": m.invoice_balance, "credited": credited + m.total}
        if m.invoice_balance <= 0:
            values["status"] = "credited"
        await self._set(conn, m.invoice_number, **values)

    async def on_DueDatePassed(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, DueDatePassed)
        await self._set(conn, m.invoice_number, overdue=True, balance=m.balance)

    async def on_InvoiceDisputed(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, InvoiceDisputed)
        await self._set(conn, m.invoice_number, disputed=True)

    async def on_DisputeResolved(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, DisputeResolved)
        await self._set(conn, m.invoice_number, disputed=False)

    async def on_PaymentReceived(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, PaymentReceived)
        row = {
            "payment_ref": m.payment_ref,
            "customer_id": m.customer_id,
            "amount": m.amount,
            "paid_on": m.paid_on,
            "matched": True,
            "method": m.method,
            "note": m.source,
        }
        await upsert(conn, pay, row, key=["payment_ref"])

    async def on_PaymentUnmatched(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, PaymentUnmatched)
        row = {
            "payment_ref": m.payment_ref,
            "customer_id": None,
            "amount": m.amount,
            "paid_on": m.paid_on,
            "matched": False,
            "method": None,
            "note": m.reason,
        }
        # A payment matched later keeps its matched row.
        await upsert(conn, pay, row, key=["payment_ref"], update=False)

    async def _set(self, conn: AsyncConnection, number: int, **values: Any) -> None:
        await conn.execute(update(inv).where(inv.c.invoice_number == number).values(**values))
