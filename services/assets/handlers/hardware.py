"""Hardware commands: register, move, retire, repair under warranty, set up."""

from __future__ import annotations

from sqlalchemy import select

from services.assets.adapters import tables as t
from services.assets.adapters.terms import Terms
from services.assets.domain import commands as cmd
from services.assets.domain.hardware import Hardware
from services.assets.handlers.common import load, register_of, run, save, today
from shared.errors import Conflict, NotFound
from shared.ids import new_id
from shared.profile import Profile
from shared.store.eventstore import EventStore, Metadata, Transaction


async def register_hardware(
    store: EventStore, terms: Terms, customer_id: str, command: cmd.RegisterHardware, meta: Metadata
) -> str:
    """Register hardware; returns its id. A serial is registered once per customer."""
    hardware_id = new_id()

    async def work(tx: Transaction) -> str:
        register = await register_of(tx, customer_id)
        await _serial_is_new(tx, customer_id, command.serial)
        hardware = Hardware.register(hardware_id, register, command, terms.policy, await today(tx))
        await save(tx, hardware, customer_id)
        return hardware_id

    return await run(store, meta, work)


async def move_hardware(
    store: EventStore, customer_id: str, hardware_id: str, command: cmd.MoveHardware, meta: Metadata
) -> None:
    """Move hardware to another department or person."""

    async def work(tx: Transaction) -> None:
        register = await register_of(tx, customer_id)
        hardware = await _hardware(tx, customer_id, hardware_id)
        hardware.move(register, command, await today(tx))
        await save(tx, hardware, customer_id)

    await run(store, meta, work)


async def retire_hardware(
    store: EventStore,
    customer_id: str,
    hardware_id: str,
    command: cmd.RetireHardware,
    meta: Metadata,
) -> None:
    """Retire hardware."""

    async def work(tx: Transaction) -> None:
        hardware = await _hardware(tx, customer_id, hardware_id)
        hardware.retire(command.reason, await today(tx))
        await save(tx, hardware, customer_id)

    await run(store, meta, work)


async def return_for_repair(
    store: EventStore,
    customer_id: str,
    hardware_id: str,
    command: cmd.ReturnHardwareForRepair,
    meta: Metadata,
) -> None:
    """Send hardware for repair under warranty."""

    async def work(tx: Transaction) -> None:
        hardware = await _hardware(tx, customer_id, hardware_id)
        hardware.return_for_repair(command, await today(tx))
        await save(tx, hardware, customer_id)

    await run(store, meta, work)


async def receive_repaired(
    store: EventStore,
    customer_id: str,
    hardware_id: str,
    command: cmd.ReceiveRepairedHardware,
    meta: Metadata,
) -> None:
    """Take repaired hardware back into service."""

    async def work(tx: Transaction) -> None:
        hardware = await _hardware(tx, customer_id, hardware_id)
        hardware.receive_repaired(command.note, await today(tx))
        await save(tx, hardware, customer_id)

    await run(store, meta, work)


async def complete_setup(
    store: EventStore,
    profile: Profile,
    customer_id: str,
    hardware_id: str,
    command: cmd.CompleteDeviceSetup,
    meta: Metadata,
) -> None:
    """Record a device setup with the customer's tier (Silver/Gold: the profile's setup price)."""

    async def work(tx: Transaction) -> None:
        register = await register_of(tx, customer_id)
        hardware = await _hardware(tx, customer_id, hardware_id)
        tier = register.tier_in_force()
        tier_terms = profile.tier(tier) if tier else None
        silver_or_gold = tier_terms is not None and tier_terms.device_setup_price is not None
        hardware.complete_setup(command.hours_spent, await today(tx), tier, silver_or_gold)
        await save(tx, hardware, customer_id)

    await run(store, meta, work)


async def _hardware(tx: Transaction, customer_id: str, hardware_id: str) -> Hardware:
    hardware = await load(tx, Hardware, hardware_id, "hardware")
    if hardware.customer_id != customer_id:
        raise NotFound(f"no hardware {hardware_id} at customer {customer_id}", field="hardware_id")
    return hardware


async def _serial_is_new(tx: Transaction, customer_id: str, serial: str) -> None:
    found = (
        await tx.conn.execute(
            select(t.hardware.c.name, t.hardware.c.status).where(
                t.hardware.c.customer_id == customer_id, t.hardware.c.serial == serial
            )
        )
    ).first()
    if found is not None:
        raise Conflict(
            f"serial {serial} is already registered ({found.name}, {found.status})", field="serial"
        )
