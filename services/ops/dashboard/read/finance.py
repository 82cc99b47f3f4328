"""Receivables: open invoices, their aging at the business date, invoiced against paid."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.view_tables import customer_view, invoice_view, payment_view
from services.ops.dashboard.charts import Month
from services.ops.domain.aging import Bucket, age

OPEN = ("open", "part paid")


async def open_invoices(
    conn: AsyncConnection, customer_id: str | None = None
) -> list[dict[str, Any]]:
    """Invoices with something left to pay, oldest due date first, with customer names."""
    query = (
        select(invoice_view, customer_view.c.name.label("customer_name"))
        .outerjoin(customer_view, customer_view.c.customer_id == invoice_view.c.customer_id)
        .where(invoice_view.c.status.in_(OPEN), invoice_view.c.balance > 0)
        .order_by(invoice_view.c.due_date, invoice_view.c.invoice_number)
    )
    if customer_id:
        query = query.where(invoice_view.c.customer_id == customer_id)
    return [dict(r) for r in (await conn.execute(query)).mappings()]


def aging(invoices: list[dict[str, Any]], today: date | None) -> list[Bucket]:
    """The aging buckets of the open invoices at the business date."""
    if today is None:
        return age([], date.min)
    return age([(i["due_date"], Decimal(str(i["balance"]))) for i in invoices], today)


def totals(invoices: list[dict[str, Any]], today: date | None) -> dict[str, Decimal]:
    """Outstanding and overdue (due before the business date) amounts."""
    outstanding = sum((Decimal(str(i["balance"])) for i in invoices), Decimal(0))
    overdue = sum(
        (
            Decimal(str(i["balance"]))
            for i in invoices
            if today is not None and i["due_date"] < today
        ),
        Decimal(0),
    )
    return {"outstanding": outstanding, "overdue": overdue}


async def monthly(conn: AsyncConnection, today: date | None, count: int = 12) -> list[Month]:
    """Invoiced (by issue date) and paid (by payment date) for the months up to the business date."""
    if today is None:
        return []
    months: list[tuple[int, int]] = []
    year, month = today.year, today.month
    for _ in range(count):
        months.insert(0, (year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    first = date(months[0][0], months[0][1], 1)
    invoiced: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    paid: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    rows = await conn.execute(
        select(invoice_view.c.issue_date, invoice_view.c.total).where(
            invoice_view.c.issue_date >= first
        )
    )
    for issued, total in rows.all():
        invoiced[(issued.year, issued.month)] += Decimal(str(total))
    rows = await conn.execute(
        select(payment_view.c.paid_on, payment_view.c.amount).where(
            payment_view.c.paid_on >= first, payment_view.c.matched
        )
    )
    for paid_on, amount in rows.all():
        paid[(paid_on.year, paid_on.month)] += Decimal(str(amount))
    # Skip the empty months before the platform's first activity, so a young log is readable.
    while len(months) > 1 and not invoiced[months[0]] and not paid[months[0]]:
        months.pop(0)
    return [
        Month(date(y, m, 1).strftime("%b %y"), invoiced[(y, m)], paid[(y, m)]) for y, m in months
    ]


async def invoices_of(conn: AsyncConnection, customer_id: str) -> list[dict[str, Any]]:
    """Every invoice of the customer, newest first."""
    query = (
        select(invoice_view)
        .where(invoice_view.c.customer_id == customer_id)
        .order_by(invoice_view.c.invoice_number.desc())
    )
    return [dict(r) for r in (await conn.execute(query)).mappings()]


async def unmatched_payments(conn: AsyncConnection) -> list[dict[str, Any]]:
    """Payments nothing matched, waiting for someone."""
    query = select(payment_view).where(~payment_view.c.matched).order_by(payment_view.c.paid_on)
    return [dict(r) for r in (await conn.execute(query)).mappings()]


async def balances_by_customer(
    conn: AsyncConnection, today: date | None
) -> dict[str, dict[str, Decimal]]:
    """Outstanding and overdue per customer."""
    query = (
        select(
            invoice_view.c.customer_id, invoice_view.c.due_date, func.sum(invoice_view.c.balance)
        )
        .where(invoice_view.c.status.in_(OPEN))
        .group_by(invoice_view.c.customer_id, invoice_view.c.due_date)
    )
    found: dict[str, dict[str, Decimal]] = defaultdict(
        lambda: {"outstanding": Decimal(0), "overdue": Decimal(0)}
    )
    for customer_id, due, balance in (await conn.execute(query)).all():
        found[customer_id]["outstanding"] += Decimal(str(balance))
        if today is not None and due < today:
            found[customer_id]["overdue"] += Decimal(str(balance))
    return found
