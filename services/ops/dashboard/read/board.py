"""The dunning board: cases per stage with their amounts and what comes next."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.dunning_view import SETTLED
from services.ops.adapters.view_tables import customer_view, dunning_view, invoice_view
from shared.profile import DunningPolicy

COLUMNS = (
    ("overdue", "Overdue", "Due date passed; first reminder next"),
    ("reminder_1", "Reminder 1", "First reminder sent"),
    ("reminder_2", "Reminder 2 · suspended", "Second reminder; services suspended"),
    ("closed_permanently", "Closed permanently", "Collection notice; services closed"),
    ("deletion_due", "Deletion due", "Hosted data to be deleted"),
)
# A ladder without these actions (MICO's: reminders only) names the columns by its letters.
WITHOUT_ACTION = {
    "suspend": ("reminder_2", "Reminder 2", "Second reminder sent"),
    "close": ("closed_permanently", "Collection notice", "Last reminder before collection"),
}
SETTLED_DAYS = 30


@dataclass
class Column:
    """One column of the board."""

    key: str
    title: str
    hint: str
    cases: list[dict[str, Any]] = field(default_factory=list)

    @property
    def total(self) -> Decimal:
        """What the column's customers owe on these invoices, fees included."""
        return sum((c["owed"] for c in self.cases), Decimal(0))


async def cases(
    conn: AsyncConnection, customer_id: str | None = None, today: date | None = None
) -> list[dict[str, Any]]:
    """Cases with the customer name, live invoice balance and what is owed with fees."""
    query = (
        select(
            dunning_view,
            customer_view.c.name.label("customer_name"),
            invoice_view.c.balance.label("balance"),
            invoice_view.c.total.label("invoice_total"),
        )
        .outerjoin(customer_view, customer_view.c.customer_id == dunning_view.c.customer_id)
        .outerjoin(invoice_view, invoice_view.c.invoice_number == dunning_view.c.invoice_number)
        .order_by(
            dunning_view.c.next_on.is_(None), dunning_view.c.next_on, dunning_view.c.opened_on
        )
    )
    if customer_id:
        query = query.where(dunning_view.c.customer_id == customer_id)
    elif today is not None:
        recent = today - timedelta(days=SETTLED_DAYS)
        query = query.where(
            or_(dunning_view.c.stage != SETTLED, dunning_view.c.closed_on >= recent)
        )
    found = []
    for row in (await conn.execute(query)).mappings():
        case = dict(row)
        balance = Decimal(
            str(case["balance"] if case["balance"] is not None else case["outstanding"])
        )
        case["owed"] = balance + Decimal(str(case["fees"])) + Decimal(str(case["compensation"]))
        case["balance"] = balance
        found.append(case)
    return found


def columns_for(policy: DunningPolicy | None) -> dict[str, Column]:
    """The board's columns in ladder order, as far as the profile's ladder goes."""
    columns = {key: Column(key, title, hint) for key, title, hint in COLUMNS}
    if policy is None:
        return columns
    actions = {action for step in policy.steps for action in step.actions}
    for action, (key, title, hint) in WITHOUT_ACTION.items():
        if action not in actions:
            columns[key] = Column(key, title, hint)
    if "delete_hosted_data" not in actions:
        del columns["deletion_due"]
    return columns


async def board(
    conn: AsyncConnection, today: date | None, policy: DunningPolicy | None = None
) -> tuple[list[Column], list[dict[str, Any]]]:
    """The columns in ladder order, and cases settled in the last 30 days."""
    columns = columns_for(policy)
    settled = []
    for case in await cases(conn, today=today):
        if case["stage"] == SETTLED:
            settled.append(case)
        elif case["stage"] in columns:
            columns[case["stage"]].cases.append(case)
    return list(columns.values()), settled


def upcoming(columns: list[Column], limit: int = 8) -> list[dict[str, Any]]:
    """The next dunning steps across cases, soonest first."""
    steps = [c for column in columns for c in column.cases if c["next_on"] is not None]
    return sorted(steps, key=lambda c: (c["next_on"], c["invoice_number"]))[:limit]
