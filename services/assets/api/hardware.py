"""Hardware over HTTP: register, list, look at one, move, retire, repair, set up."""

from __future__ import annotations

from fastapi import APIRouter, Query, status
from sqlalchemy import select

from services.assets.adapters import tables as t
from services.assets.adapters.terms import terms_of
from services.assets.domain import commands as cmd
from services.assets.handlers import hardware as handlers
from services.assets.schemas import HardwareRead, HistoryEntry, MoveRead
from shared.errors import NotFound
from shared.service import MetadataDep, RuntimeDep

router = APIRouter(prefix="/customers/{customer_id}/hardware", tags=["hardware"])


async def read_hardware(runtime: RuntimeDep, customer_id: str, hardware_id: str) -> HardwareRead:
    """One device with its history."""
    async with runtime.store.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(t.hardware).where(
                        t.hardware.c.hardware_id == hardware_id,
                        t.hardware.c.customer_id == customer_id,
                    )
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(
                f"no hardware {hardware_id} at customer {customer_id}", field="hardware_id"
            )
        history = (
            await conn.execute(
                select(t.hardware_history)
                .where(t.hardware_history.c.hardware_id == hardware_id)
                .order_by(t.hardware_history.c.position)
            )
        ).mappings()
        return HardwareRead(**row, history=[HistoryEntry.model_validate(dict(h)) for h in history])


@router.post("", status_code=status.HTTP_201_CREATED, response_model=HardwareRead)
async def register_hardware(
    customer_id: str, body: cmd.RegisterHardware, runtime: RuntimeDep, meta: MetadataDep
) -> HardwareRead:
    """Register hardware for the company, a department or an employee."""
    hardware_id = await handlers.register_hardware(
        runtime.store, terms_of(runtime), customer_id, body, meta
    )
    return await read_hardware(runtime, customer_id, hardware_id)


@router.get("", response_model=list[HardwareRead])
async def list_hardware(
    customer_id: str,
    runtime: RuntimeDep,
    status_is: str | None = Query(
        default=None, alias="status", description="active, in_repair, retired"
    ),
) -> list[HardwareRead]:
    """The customer's hardware in registration order."""
    query = select(t.hardware).where(t.hardware.c.customer_id == customer_id)
    if status_is is not None:
        query = query.where(t.hardware.c.status == status_is)
    async with runtime.store.engine.connect() as conn:
        rows = (await conn.execute(query.order_by(t.hardware.c.registered_position))).mappings()
        return [HardwareRead.model_validate(dict(row)) for row in rows]


@router.get("/{hardware_id}", response_model=HardwareRead)
async def get_hardware(customer_id: str, hardware_id: str, runtime: RuntimeDep) -> HardwareRead:
    """One device with its history: moves, setups, repairs, warranty notice, retirement."""
    return await read_hardware(runtime, customer_id, hardware_id)


@router.post("/{hardware_id}/moves", status_code=status.HTTP_201_CREATED, response_model=MoveRead)
async def move_hardware(
    customer_id: str,
    hardware_id: str,
    body: cmd.MoveHardware,
    runtime: RuntimeDep,
    meta: MetadataDep,
) -> MoveRead:
    """Move to another department and/or person at an estimated price (a workbook row)."""
    await handlers.move_hardware(runtime.store, customer_id, hardware_id, body, meta)
    async with runtime.store.engine.connect() as conn:
        row = (
            (
                await conn.execute(
                    select(t.hardware_moves)
                    .where(t.hardware_moves.c.hardware_id == hardware_id)
                    .order_by(t.hardware_moves.c.position.desc())
                    .limit(1)
                )
            )
            .mappings()
            .one()
        )
    return MoveRead.model_validate(dict(row))


@router.post("/{hardware_id}/retire", response_model=HardwareRead)
async def retire_hardware(
    customer_id: str,
    hardware_id: str,
    body: cmd.RetireHardware,
    runtime: RuntimeDep,
    meta: MetadataDep,
) -> HardwareRead:
    """Take hardware out of service for good."""
    await handlers.retire_hardware(runtime.store, customer_id, hardware_id, body, meta)
    return await read_hardware(runtime, customer_id, hardware_id)


@router.post(
    "/{hardware_id}/repairs", status_code=status.HTTP_201_CREATED, response_model=HardwareRead
)
async def return_for_repair(
    customer_id: str,
    hardware_id: str,
    body: cmd.ReturnHardwareForRepair,
    runtime: RuntimeDep,
    meta: MetadataDep,
) -> HardwareRead:
    """Send defective hardware for repair under warranty (refused after the warranty's end)."""
    await handlers.return_for_repair(runtime.store, customer_id, hardware_id, body, meta)
    return await read_hardware(runtime, customer_id, hardware_id)


@router.post("/{hardware_id}/repairs/received", response_model=HardwareRead)
async def receive_repaired(
    customer_id: str,
    hardware_id: str,
    body: cmd.ReceiveRepairedHardware,
    runtime: RuntimeDep,
    meta: MetadataDep,
) -> HardwareRead:
    """Take repaired hardware back into service."""
    await handlers.receive_repaired(runtime.store, customer_id, hardware_id, body, meta)
    return await read_hardware(runtime, customer_id, hardware_id)


@router.post(
    "/{hardware_id}/setups", status_code=status.HTTP_201_CREATED, response_model=HardwareRead
)
async def complete_setup(
    customer_id: str,
    hardware_id: str,
    body: cmd.CompleteDeviceSetup,
    runtime: RuntimeDep,
    meta: MetadataDep,
) -> HardwareRead:
    """Record a device setup (billable: Silver/Gold per device, otherwise per started hour)."""
    await handlers.complete_setup(
        runtime.store, runtime.profile, customer_id, hardware_id, body, meta
    )
    return await read_hardware(runtime, customer_id, hardware_id)
