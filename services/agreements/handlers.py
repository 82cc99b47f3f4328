"""Agreements command handlers: load, call the domain, save, publish."""

from __future__ import annotations

from services.agreements.domain import events
from services.agreements.domain.commands import RegisterCustomer
from services.agreements.domain.model import Customer
from shared.contracts import agreements as contracts
from shared.ids import new_id
from shared.repository import EventTypes, Repository
from shared.store.eventstore import EventStore, Metadata, retry_on_conflict

TYPES = EventTypes(events.ALL)


async def register_customer(store: EventStore, command: RegisterCustomer, meta: Metadata) -> str:
    """Register a customer; returns its id."""
    customer_id = new_id()

    async def attempt() -> str:
        async with store.transaction(meta) as tx:
            customer = Customer.register(customer_id, command)
            recorded = list(customer.pending)
            await Repository(tx, Customer, TYPES).save(customer, customer_id=customer_id)
            for event in recorded:
                if isinstance(event, events.CustomerRegistered):
                    await tx.publish(
                        contracts.CustomerRegistered(**event.model_dump()),
                        topic=contracts.TOPIC,
                        customer_id=customer_id,
                        subject=customer.stream_id,
                    )
        return customer_id

    return await retry_on_conflict(attempt)
