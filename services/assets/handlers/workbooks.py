"""The month-end hardware workbooks: built from the moves, recorded with their bytes, mailed after commit."""

from __future__ import annotations

from datetime import date

from sqlalchemy import insert, or_, select

from services.assets.adapters import tables as t
from services.assets.adapters import workbook_xlsx as xlsx
from services.assets.adapters.mail_outbox import queue_mail
from services.assets.adapters.terms import Terms
from services.assets.domain.register import Register
from services.assets.domain.workbook import (
    AccountingPeriod,
    Workbook,
    WorkbookRow,
    period_ending,
    total_of,
)
from services.assets.handlers.common import register_of, save
from shared.ids import new_id
from shared.mail import Attachment, OutgoingMail
from shared.money import format_dkk
from shared.store.eventstore import Transaction


async def issue_workbooks(tx: Transaction, today: date, terms: Terms) -> None:
    """On the month's last business day: one workbook per customer with hardware or moves."""
    period = period_ending(today)
    if period is None:
        return
    moved = select(t.hardware_moves.c.customer_id).where(
        t.hardware_moves.c.moved_on.between(period.start, period.end)
    )
    customers = await tx.conn.execute(
        select(t.hardware.c.customer_id)
        .where(or_(t.hardware.c.status != "retired", t.hardware.c.customer_id.in_(moved)))
        .distinct()
    )
    for (customer_id,) in sorted(customers.all()):
        if await tx.load(f"{Workbook.stream_prefix}-{Workbook.key(customer_id, period.month)}"):
            continue  # issued already
        await _issue(tx, await register_of(tx, customer_id), period, today, terms)


async def _issue(
    tx: Transaction, register: Register, period: AccountingPeriod, today: date, terms: Terms
) -> None:
    rows = await _rows(tx, register.id, period)
    content = xlsx.render(register.name, terms.profile.name, period, rows, today)
    filename = xlsx.filename(register.name, period.month)
    # People are recorded and queued by reference; the mail outbox looks their address up.
    recipients = register.recipient_references(register.finance_recipients())
    workbook_id = new_id()
    workbook = Workbook.issue(
        workbook_id, register.id, period, rows, today, (filename, xlsx.sha256(content)), recipients
    )
    await save(tx, workbook, register.id)
    await tx.conn.execute(insert(t.workbook_files).values(workbook_id=workbook_id, content=content))
    if recipients:
        mail = OutgoingMail(
            to=recipients,
            subject=f"Hardwareregnskab {period.title} – {register.name}",
            body=_body(register.name, terms.profile.name, period, rows),
            attachments=[Attachment(filename=filename, content_type=xlsx.XLSX, content=content)],
        )
        await queue_mail(tx.conn, mail, reason="HardwareWorkbookIssued", customer_id=register.id)


async def _rows(tx: Transaction, customer_id: str, period: AccountingPeriod) -> list[WorkbookRow]:
    m = t.hardware_moves.c
    found = await tx.conn.execute(
        select(
            m.product_type,
            m.product_name,
            m.from_department,
            m.to_department,
            m.estimated_price,
            m.moved_on,
        )
        .where(m.customer_id == customer_id, m.moved_on.between(period.start, period.end))
        .order_by(m.moved_on, m.position)
    )
    return [WorkbookRow(*row) for row in found.all()]


def _body(customer: str, provider: str, period: AccountingPeriod, rows: list[WorkbookRow]) -> str:
    moves = "1 flytning" if len(rows) == 1 else f"{len(rows)} flytninger"
    return (
        f"Til økonomiafdelingen hos {customer}\n\n"
        f"Hermed hardwareregnskabet for {period.title}: {moves} af hardware mellem afdelinger "
        f"og medarbejdere i perioden {period.start:%d.%m.%Y}–{period.end:%d.%m.%Y}, "
        f"estimeret værdi i alt {format_dkk(total_of(rows))} ekskl. moms.\n\n"
        "Regnearket er vedhæftet.\n\n"
        f"Venlig hilsen\n{provider}\n"
    )
