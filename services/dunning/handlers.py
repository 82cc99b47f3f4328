"""Dunning handlers: load the debtor, apply what happened, save, publish."""

from __future__ import annotations

from datetime import date
from typing import TypeVar

from sqlalchemy import or_, select

from services.dunning.adapters import tables as t
from services.dunning.domain import events as ev
from services.dunning.domain.debtor import Debtor
from shared.contracts import dunning as contracts
from shared.domain import DomainEvent
from shared.errors import NotFound
from shared.repository import EventTypes, Repository
from shared.store.eventstore import (
    EventStore,
    Metadata,
    Transaction,
    business_today,
    run_command,
)

TYPES = EventTypes(ev.ALL)
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


async def save(tx: Transaction, aggregate: Debtor) -> None:
    """Append the debtor's new events and publish the public ones, dated by their own day."""
    recorded: list[DomainEvent] = list(aggregate.pending)
    await Repository(tx, Debtor, TYPES).save(aggregate, customer_id=aggregate.id)
    for event in recorded:
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
