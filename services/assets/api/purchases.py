"""Hardware orders and software over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from sqlalchemy import Table, select

from services.assets.adapters import tables as t
from services.assets.domain import commands as cmd
from services.assets.handlers import purchases as handlers
from services.assets.schemas import OrderRead, SoftwareRead
from shared.service import MetadataDep, RuntimeDep

router = APIRouter(prefix="/customers/{customer_id}")


async def _rows(
    runtime: RuntimeDep, table: Table, customer_id: str, **where: str
) -> list[dict[str, Any]]:
    query = select(table).where(table.c.customer_id == customer_id)
    for column, value in where.items():
        query = query.where(table.c[column] == value)
    async with runtime.store.engine.connect() as conn:
        return [dict(row) for row in (await conn.execute(query)).mappings()]


@router.post(
    "/hardware-orders",
    status_code=status.HTTP_201_CREATED,
    response_model=OrderRead,
    tags=["orders"],
)
async def order_hardware(
    customer_id: str, body: cmd.OrderHardware, runtime: RuntimeDep, meta: MetadataDep
) -> OrderRead:
    """Order hardware; it must come from one of the customer's management approvers."""
    order_id = await handlers.order_hardware(runtime.store, customer_id, body, meta)
    (row,) = await _rows(runtime, t.hardware_orders, customer_id, order_id=order_id)
    return OrderRead.model_validate(row)


@router.get("/hardware-orders", response_model=list[OrderRead], tags=["orders"])
async def list_orders(customer_id: str, runtime: RuntimeDep) -> list[OrderRead]:
    """The customer's hardware orders."""
    rows = await _rows(runtime, t.hardware_orders, customer_id)
    return [OrderRead.model_validate(r) for r in sorted(rows, key=lambda r: r["ordered_on"])]


@router.post(
    "/software", status_code=status.HTTP_201_CREATED, response_model=SoftwareRead, tags=["software"]
)
async def register_software(
    customer_id: str, body: cmd.RegisterSoftware, runtime: RuntimeDep, meta: MetadataDep
) -> SoftwareRead:
    """Register software for the company, a department or an employee."""
    software_id = await handlers.register_software(runtime.store, customer_id, body, meta)
    (row,) = await _rows(runtime, t.software, customer_id, software_id=software_id)
    return SoftwareRead.model_validate(row)


@router.get("/software", response_model=list[SoftwareRead], tags=["software"])
async def list_software(customer_id: str, runtime: RuntimeDep) -> list[SoftwareRead]:
    """The customer's software."""
    rows = await _rows(runtime, t.software, customer_id)
    return [SoftwareRead.model_validate(r) for r in sorted(rows, key=lambda r: r["name"])]
