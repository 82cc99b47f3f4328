"""Billing's read models, kept in the transaction of their events and rebuilt by replay."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from services.billing.adapters import tables as t
from shared.envelope import dumps_text
from shared.store.batch import driver_of
from shared.store.eventstore import StoredEvent
from shared.store.upsert import upsert

Apply = Callable[[AsyncConnection, dict[str, Any]], Awaitable[None]]


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


class BillingView:
    """Invoices, credit notes, payments, work, costs, subscriptions, accounts and runs."""

    name = "billing_view"
    tables = t.READ_MODELS

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self._apply: dict[str, Apply] = {
            "InvoiceIssued": self._invoice,
            "PaymentApplied": self._payment_applied,
            "CreditApplied": self._credit_applied,
            "InvoiceSettled": self._settled,
            "DueDatePassed": self._due_passed,
            "InvoiceDisputed": self._disputed,
            "DisputeResolved": self._dispute_resolved,
            "CreditNoteIssued": self._credit_note,
            "PaymentReceived": self._payment,
            "PaymentMatched": self._payment_matched,
            "PaymentUnmatched": self._payment_unmatched,
            "WorkRecorded": self._work,
            "ExtraCostRecorded": self._cost,
            "ExtraCostApproved": self._cost_approved,
            "ItemsInvoiced": self._items_invoiced,
            "SubscriptionNoted": self._subscription,
            "BillingAccountOpened": self._account,
            "CreditBalanceChanged": self._credit_balance,
            "InvoiceRunStarted": self._run_started,
            "InvoiceRunCompleted": self._run_completed,
        }

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project one event, if it is one of ours."""
        handler = self._apply.get(event.type)
        if handler is not None:
            await handler(conn, event.data)

    async def apply_many(self, conn: AsyncConnection, events: Sequence[StoredEvent]) -> None:
        """Project a batch in order; consecutive issued invoices become one bulk upsert."""
        issued: list[dict[str, Any]] = []
        for event in events:
            if event.type == "InvoiceIssued":
                issued.append(event.data)
                continue
            if issued:
                await self._invoices(conn, issued)
                issued = []
            await self.apply(conn, event)
        if issued:
            await self._invoices(conn, issued)

    async def _number_used(self, conn: AsyncConnection, number: int) -> None:
        # Replay rebuilds the sequence; in normal running the issuing transaction already moved it.
        current = (
            await conn.execute(
                select(t.invoice_numbers.c.last_number).where(
                    t.invoice_numbers.c.provider == self.provider
                )
            )
        ).scalar()
        if current is None or current < number:
            await upsert(
                conn,
                t.invoice_numbers,
                {"provider": self.provider, "last_number": number},
                key=["provider"],
            )

    async def _invoice(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._invoices(conn, [d])

    async def _invoices(self, conn: AsyncConnection, issued: Sequence[dict[str, Any]]) -> None:
        await self._number_used(conn, max(d["invoice_number"] for d in issued))
        pg = await driver_of(conn) if isinstance(conn, AsyncConnection) else None
        if pg is not None:
            # One statement reading the rows out of the events' data, sent as one JSON document
            # (the `document` column keeps each element's text as written).
            await pg.execute(_PG_UPSERT_INVOICES, dumps_text(issued))
            return
        rows = [_invoice_row(d) for d in issued]
        if isinstance(conn, AsyncConnection):
            await upsert_many(conn, t.invoices, rows, key=["invoice_number"])
            return
        for row in rows:  # a replay's in-memory image (shared.store.replay)
            await upsert(conn, t.invoices, row, key=["invoice_number"])

    async def _invoice_update(self, conn: AsyncConnection, number: int, **values: Any) -> None:
        await conn.execute(
            update(t.invoices).where(t.invoices.c.invoice_number == number).values(**values)
        )

    async def _payment_applied(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._invoice_update(conn, d["invoice_number"], balance=d["balance"])

    async def _credit_applied(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._invoice_update(conn, d["invoice_number"], balance=d["balance"])

    async def _settled(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._invoice_update(
            conn, d["invoice_number"], status="paid", paid_on=_day(d["settled_on"])
        )

    async def _due_passed(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._invoice_update(conn, d["invoice_number"], due_passed=True)

    async def _disputed(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._invoice_update(
            conn, d["invoice_number"], dispute="in_time" if d["in_time"] else "late"
        )

    async def _dispute_resolved(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._invoice_update(conn, d["invoice_number"], dispute=d["outcome"])

    async def _credit_note(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await self._number_used(conn, d["credit_note_number"])
        row = {
            "credit_note_number": d["credit_note_number"],
            "invoice_number": d["invoice_number"],
            "customer_id": d["customer_id"],
            "issue_date": _day(d["issue_date"]),
            "total": d["total"],
            "document": d,
        }
        await upsert(conn, t.credit_notes, row, key=["credit_note_number"])
        await conn.execute(
            update(t.invoices)
            .where(t.invoices.c.invoice_number == d["invoice_number"])
            .values(credited=t.invoices.c.credited + Decimal(d["total"]))
        )

    async def _payment(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            "payment_ref": d["payment_ref"],
            "amount": d["amount"],
            "paid_on": _day(d["paid_on"]),
            "source": d["source"],
            "reference": d.get("reference"),
            "debtor_name": d.get("debtor_name"),
            "statement_id": d.get("statement_id"),
            "status": "received",
            "customer_id": None,
            "method": None,
            "reason": None,
        }
        await upsert(conn, t.payments, row, key=["payment_ref"])

    async def _payment_matched(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await conn.execute(
            update(t.payments)
            .where(t.payments.c.payment_ref == d["payment_ref"])
            .values(status="matched", customer_id=d["customer_id"], method=d["method"], reason=None)
        )

    async def _payment_unmatched(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await conn.execute(
            update(t.payments)
            .where(t.payments.c.payment_ref == d["payment_ref"])
            .values(status="unmatched", reason=d["reason"])
        )

    async def _work(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        amount = sum((Decimal(line["amount"]) for line in d["lines"]), Decimal("0"))
        row = {
            "entry_id": d["entry_id"],
            "customer_id": d["customer_id"],
            "kind": d["kind"],
            "description": d["description"],
            "amount": amount,
            "lines": d["lines"],
            "invoice_number": None,
        }
        await upsert(conn, t.work_entries, row, key=["entry_id"])

    async def _cost(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {
            "cost_id": d["cost_id"],
            "customer_id": d["customer_id"],
            "kind": d["kind"],
            "description": d["description"],
            "amount": Decimal(d["quantity"]) * Decimal(d["unit_price"]),
            "incurred_on": _day(d["incurred_on"]),
            "status": "held",
            "approved_by": None,
            "approved_on": None,
            "invoice_number": None,
        }
        await upsert(conn, t.extra_costs, row, key=["cost_id"])

    async def _cost_approved(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await conn.execute(
            update(t.extra_costs)
            .where(t.extra_costs.c.cost_id == d["cost_id"])
            .values(
                status="approved", approved_by=d["approved_by"], approved_on=_day(d["approved_on"])
            )
        )

    async def _items_invoiced(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        number = d["invoice_number"]
        if d["work_entries"]:
            await conn.execute(
                update(t.work_entries)
                .where(t.work_entries.c.entry_id.in_(d["work_entries"]))
                .values(invoice_number=number)
            )
        if d["extra_costs"]:
            await conn.execute(
                update(t.extra_costs)
                .where(t.extra_costs.c.cost_id.in_(d["extra_costs"]))
                .values(status="invoiced", invoice_number=number)
            )

    async def _subscription(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {k: d[k] for k in ("subscription_id", "customer_id", "sku", "billing_period")}
        await upsert(conn, t.billing_subscriptions, row, key=["subscription_id"])

    async def _account(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await upsert(
            conn,
            t.accounts,
            {"customer_id": d["customer_id"], "credit_balance": "0"},
            key=["customer_id"],
        )

    async def _credit_balance(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        await upsert(
            conn,
            t.accounts,
            {"customer_id": d["customer_id"], "credit_balance": d["balance"]},
            key=["customer_id"],
        )

    async def _run_started(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {"run_date": _day(d["run_date"]), "status": "running", "invoices": 0}
        await upsert(conn, t.invoice_runs, row, key=["run_date"])

    async def _run_completed(self, conn: AsyncConnection, d: dict[str, Any]) -> None:
        row = {"run_date": _day(d["run_date"]), "status": "completed", "invoices": d["invoices"]}
        await upsert(conn, t.invoice_runs, row, key=["run_date"])


# The columns as `_invoice_row` makes them, from each InvoiceIssued's data: json_to_record
# parses each element once, and `document` keeps the element's text as written.
_PG_UPSERT_INVOICES = (
    "INSERT INTO invoices (invoice_number, customer_id, kind, issue_date, due_date, total,"
    " balance, credited, status, due_passed, dispute, payment_id, paid_on, regarding_invoice,"
    " document) SELECT x.invoice_number, x.customer_id, x.kind, x.issue_date, x.due_date,"
    " x.total, x.total, 0, 'open', false, NULL, x.payment_id, NULL, x.regarding_invoice, d"
    " FROM json_array_elements($1::json) AS u(d) CROSS JOIN LATERAL json_to_record(d) AS"
    " x(invoice_number int, customer_id text, kind text, issue_date date, due_date date,"
    " total numeric, payment_id text, regarding_invoice int)"
    " ON CONFLICT (invoice_number) DO UPDATE SET customer_id = EXCLUDED.customer_id,"
    " kind = EXCLUDED.kind, issue_date = EXCLUDED.issue_date, due_date = EXCLUDED.due_date,"
    " total = EXCLUDED.total, balance = EXCLUDED.balance, credited = EXCLUDED.credited,"
    " status = EXCLUDED.status, due_passed = EXCLUDED.due_passed, dispute = EXCLUDED.dispute,"
    " payment_id = EXCLUDED.payment_id, paid_on = EXCLUDED.paid_on,"
    " regarding_invoice = EXCLUDED.regarding_invoice, document = EXCLUDED.document"
)


def _invoice_row(d: dict[str, Any]) -> dict[str, Any]:
    return {
        "invoice_number": d["invoice_number"],
        "customer_id": d["customer_id"],
        "kind": d["kind"],
        "issue_date": _day(d["issue_date"]),
        "due_date": _day(d["due_date"]),
        "total": d["total"],
        "balance": d["total"],
        "credited": "0",
        "status": "open",
        "due_passed": False,
        "dispute": None,
        "payment_id": d["payment_id"],
        "paid_on": None,
        "regarding_invoice": d.get("regarding_invoice"),
        "document": d,
    }


async def upsert_many(
    conn: AsyncConnection, table: Table, rows: Sequence[dict[str, Any]], *, key: Sequence[str]
) -> None:
    """Insert the rows, or update the non-key columns of those whose key exists (executemany)."""
    if not rows:
        return
    build = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = build(table)
    changes = {name: statement.excluded[name] for name in rows[0] if name not in key}
    await conn.execute(
        statement.on_conflict_do_update(index_elements=list(key), set_=changes), list(rows)
    )
