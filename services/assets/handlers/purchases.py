"""Hardware orders and software registration."""

from __future__ import annotations

from services.assets.domain import commands as cmd
from services.assets.domain.purchases import HardwareOrder, Software
from services.assets.handlers.common import register_of, run, save, today
from shared.ids import new_id
from shared.store.eventstore import EventStore, Metadata, Transaction


async def order_hardware(
    store: EventStore, customer_id: str, command: cmd.OrderHardware, meta: Metadata
) -> str:
    """Place an order from a management approver; returns its id. Refused orders store nothing."""
    order_id = new_id()

    async def work(tx: Transaction) -> str:
        register = await register_of(tx, customer_id)
        order = HardwareOrder.place(order_id, register, command, await today(tx))
        await save(tx, order, customer_id)
        return order_id

    return await run(store, meta, work)


async def register_software(
    store: EventStore, customer_id: str, command: cmd.RegisterSoftware, meta: Metadata
) -> str:
    """Register software; returns its id."""
    software_id = new_id()

    async def work(tx: Transaction) -> str:
        register = await register_of(tx, customer_id)
        software = Software.register(software_id, register, command, await today(tx))
        await save(tx, software, customer_id)
        return software_id

    return await run(store, meta, work)
