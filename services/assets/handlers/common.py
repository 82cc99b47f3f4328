"""What every assets handler does: run in a transaction, load, save and publish the contracts."""

from __future__ import annotations

from typing import TypeVar

from services.assets.domain import events as ev
from services.assets.domain.register import Register
from shared.contracts import Contract
from shared.contracts import assets as contracts
from shared.domain import Aggregate, DomainEvent
from shared.errors import NotFound
from shared.repository import EventTypes, Repository
from shared.store.eventstore import (
    Transaction,
    business_today,
    run_command,
)
from shared.vault import current as vault

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


run = run_command


today = business_today


async def load(tx: Transaction, kind: type[A], aggregate_id: str, what: str) -> A:
    """The aggregate, or NotFound naming what is missing."""
    found = await Repository(tx, kind, TYPES).get(aggregate_id)
    if found is None:
        raise NotFound(f"no {what} {aggregate_id}", field=f"{what.replace(' ', '_')}_id")
    return found


async def register_of(tx: Transaction, customer_id: str) -> Register:
    """The customer's register (the customer must be known to assets), its people revealed."""
    register = await load(tx, Register, customer_id, "customer")
    sealed = register.sealed_people()
    if sealed:
        revealed = await vault().reveal_many(sealed)
        register.reveal({pid: data for (pid, _), data in zip(sealed, revealed, strict=True)})
    return register


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
