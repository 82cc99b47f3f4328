"""Dunning handlers: load the debtor, apply what happened, save, publish."""

from __future__ import annotations

import logging
from datetime import date
from typing import TypeVar

from sqlalchemy import or_, select

from services.dunning import letters
from services.dunning.adapters import tables as t
from services.dunning.domain import events as ev
from services.dunning.domain.debtor import Debtor
from shared.contracts import dunning as contracts
from shared.domain import DomainEvent
from shared.errors import NotFound
from shared.mail import Attachment, OutgoingMail
from shared.mail_outbox import queue_mail
from shared.profile import Profile
from shared.repository import EventTypes, Repository
from shared.store.eventstore import (
    EventStore,
    Metadata,
    Transaction,
    business_today,
    run_command,
)

TYPES = EventTypes(ev.ALL)
log = logging.getLogger("msp.dunning")
T = TypeVar("T")

# The date each public event happened on: its business date, even when caught up later.
EVENT_DATE = {
    "DunningCaseOpened": "opened_on",
    "ReminderIssued": "issued_on",
    "ServiceSuspended": "suspended_on",
    "ServicePermanentlyClosed": "closed_on",
    "HostedDataDeletionDue": "due_on",
    "ServiceRestored": "restored_on",
    "DunningCaseClosed": "closed_on",
    "DunningPaused": "paused_on",
    "DunningResumed": "resumed_on",
}


run = run_command


async def debtor(tx: Transaction, customer_id: str) -> Debtor:
    """The customer's debtor record (created on first need)."""
    return await Repository(tx, Debtor, TYPES).get(customer_id) or Debtor(customer_id)


async def save(tx: Transaction, aggregate: Debtor, profile: Profile | None = None) -> None:
    """Append the debtor's new events, publish the public ones dated by their own day, and
    queue each reminder letter for the finance contact (sent after commit, never lost)."""
    recorded: list[DomainEvent] = list(aggregate.pending)
    await Repository(tx, Debtor, TYPES).save(aggregate, customer_id=aggregate.id)
    for event in recorded:
        if isinstance(event, ev.ReminderIssued) and profile is not None and aggregate.finance_email:
            await _queue_letter(tx, aggregate, event, profile)
        if not isinstance(event, ev.PUBLIC):
            continue
        name = type(event).__name__
        message = getattr(contracts, name).model_validate(event.model_dump())
        await tx.publish(
            message,
            topic=contracts.TOPIC,
            customer_id=aggregate.id,
            subject=f"dunning-case-{getattr(event, 'invoice_number', '')}",
            business_date=getattr(event, EVENT_DATE[name]),
        )


today = business_today


async def _queue_letter(
    tx: Transaction, debtor: Debtor, reminder: ev.ReminderIssued, profile: Profile
) -> None:
    letter = reminder.model_dump(mode="json")
    customer = {"name": debtor.name, "cvr": debtor.cvr}
    subject = f"{reminder.title} – faktura {reminder.invoice_number} – {profile.seller.name}"
    body = (
        f"Kære {debtor.name}\n\nVedhæftet er {reminder.title.lower()} vedrørende faktura "
        f"{reminder.invoice_number}.\n\nMed venlig hilsen\n{profile.seller.name}\n{profile.seller.email}\n"
    )
    pdf = Attachment(
        filename=f"rykker-{reminder.invoice_number}-{reminder.reminder_number}.pdf",
        content_type="application/pdf",
        content=letters.render_pdf(letter, customer, profile),
    )
    mail = OutgoingMail(
        to=[debtor.finance_email or ""], subject=subject, body=body, attachments=[pdf]
    )
    await queue_mail(tx.conn, t.mail_outbox, mail, reason="reminder", customer_id=debtor.id)


async def debtors_to_advance(tx: Transaction, day: date) -> list[str]:
    """Customers with an unpaid invoice past due, an open case, or a no-follow-up period."""
    overdue = select(t.followed_invoices.c.customer_id).where(
        t.followed_invoices.c.kind == "run",
        t.followed_invoices.c.due_date < day,
        t.followed_invoices.c.balance > 0,
    )
    open_cases = select(t.cases.c.customer_id).where(or_(t.cases.c.status == "open"))
    flagged = select(t.no_follow_up.c.customer_id)
    rows = await tx.conn.execute(overdue.union(open_cases, flagged))
    return sorted(set(rows.scalars()))


async def set_no_follow_up(
    store: EventStore, customer_id: str, reason: str, until: date, meta: Metadata
) -> None:
    """Stop follow-up on a customer until a date."""

    async def work(tx: Transaction) -> None:
        found = await Repository(tx, Debtor, TYPES).get(customer_id)
        if found is None:
            raise NotFound(f"no customer {customer_id}", field="customer_id")
        found.set_no_follow_up(reason, until, await today(tx))
        await save(tx, found)

    await run(store, meta, work)


async def end_no_follow_up(store: EventStore, customer_id: str, meta: Metadata) -> None:
    """Let follow-up go on (a missed step acts today)."""

    async def work(tx: Transaction) -> None:
        found = await Repository(tx, Debtor, TYPES).get(customer_id)
        if found is None:
            raise NotFound(f"no customer {customer_id}", field="customer_id")
        found.end_no_follow_up(await today(tx), f"follow-up resumed by {tx.meta.actor}")
        await save(tx, found)

    await run(store, meta, work)
