"""What every assets handler does: run in a transaction, load, save and publish the contracts."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from typing import TypeVar

from services.assets.domain import events as ev
from services.assets.domain.register import Register
from shared.contracts import Contract
from shared.contracts import assets as contracts
from shared.domain import Aggregate, DomainEvent
from shared.errors import DomainError, NotFound
from shared.repository import EventTypes, Repository
from shared.store.eventstore import EventStore, Metadata, Transaction, retry_on_conflict

TYPES = EventTypes(ev.ALL)
T = TypeVar("T")
A = TypeVar("A", bound=Aggregate)

# Domain events that cross the bus; the others (facts learnt, repairs, plans) stay inside.
PUBLIC: dict[type[DomainEvent], type[Contract]] = {
    ev.HardwareRegistered: contracts.HardwareRegistered,
    ev.HardwareOrdered: contracts.HardwareOrdered,
    ev.HardwareMoved: contracts.HardwareMoved,
    ev.HardwareRetired: contracts.HardwareRetired,
    ev.SoftwareRegistered: contracts.SoftwareRegistered,
    ev.DeviceSetupCompleted: contracts.DeviceSetupCompleted,
    ev.WarrantyExpiring: contracts.WarrantyExpiring,
    ev.HardwareWorkbookIssued: contracts.HardwareWorkbookIssued,
    ev.ServiceVisitDue: contracts.ServiceVisitDue,
    ev.ServiceVisitCompleted: contracts.ServiceVisitCompleted,
}


async def run(store: EventStore, meta: Metadata, work: Callable[[Transaction], Awaitable[T]]) -> T:
    """Run work in one transaction, again from scratch when it loses a concurrency race."""

    async def attempt() -> T:
        async with store.transaction(meta) as tx:
            return await work(tx)

    return await retry_on_conflict(attempt)


async def today(tx: Transaction) -> date:
    """The business date; commands need the clock to have started."""
    day = await tx.business_date()
    if day is None:
        raise DomainError("the platform clock has not started; advance it first", field="date")
    return day


async def load(tx: Transaction, kind: type[A], aggregate_id: str, what: str) -> A:
    """The aggregate, or NotFound naming what is missing."""
    found = await Repository(tx, kind, TYPES).get(aggregate_id)
    if found is None:
        raise NotFound(f"no {what} {aggregate_id}", field=f"{what.replace(' ', '_')}_id")
    return found


async def register_of(tx: Transaction, customer_id: str) -> Register:
    """The customer's register (the customer must be known to assets)."""
    return await load(tx, Register, customer_id, "customer")


async def save(tx: Transaction, aggregate: Aggregate, customer_id: str) -> None:
    """Append what the aggregate recorded and queue its public events in the outbox."""
    recorded = list(aggregate.pending)
    await Repository(tx, type(aggregate), TYPES).save(aggregate, customer_id=customer_id)
    for event in recorded:
        public = PUBLIC.get(type(event))
        if public is not None:
            await tx.publish(
                public.model_validate(event.model_dump()),
                topic=contracts.TOPIC,
                customer_id=customer_id,
                subject=aggregate.stream_id,
            )
