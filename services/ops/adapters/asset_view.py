"""asset_view: the customer's hardware and software as the assets context announced them."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.observed import Observation, ObservedView
from services.ops.adapters.view_tables import asset_view as t
from services.ops.adapters.view_tables import customer_view
from shared.contracts.assets import (
    HardwareMoved,
    HardwareRegistered,
    HardwareRetired,
    SoftwareRegistered,
)
from shared.store.upsert import upsert


class AssetView(ObservedView):
    """Hardware and software per customer, with department names from agreements' events."""

    name = "asset_view"
    tables = [t]

    async def on_HardwareRegistered(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, HardwareRegistered)
        row = {
            "asset_id": m.hardware_id,
            "customer_id": m.customer_id,
            "kind": "hardware",
            "product_type": m.product_type,
            "name": m.name,
            "serial": m.serial,
            "department": await _department(conn, m.customer_id, m.department_id),
            "purchase_date": m.purchase_date,
            "price": m.price,
            "warranty_end": m.warranty_end,
            "state": "in use",
        }
        await upsert(conn, t, row, key=["asset_id"])

    async def on_SoftwareRegistered(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, SoftwareRegistered)
        row = {
            "asset_id": m.software_id,
            "customer_id": m.customer_id,
            "kind": "software",
            "product_type": f"{m.seats} seat{'s' if m.seats != 1 else ''}",
            "name": m.name,
            "serial": None,
            "department": await _department(conn, m.customer_id, m.department_id),
            "purchase_date": m.purchase_date,
            "price": m.price,
            "warranty_end": m.licence_expires,
            "state": "in use",
        }
        await upsert(conn, t, row, key=["asset_id"])

    async def on_HardwareMoved(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, HardwareMoved)
        await conn.execute(
            update(t).where(t.c.asset_id == m.hardware_id).values(department=m.to_department)
        )

    async def on_HardwareRetired(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, HardwareRetired)
        await conn.execute(update(t).where(t.c.asset_id == m.hardware_id).values(state="retired"))


async def _department(
    conn: AsyncConnection, customer_id: str, department_id: str | None
) -> str | None:
    if department_id is None:
        return None
    found = await conn.execute(
        select(customer_view.c.departments).where(customer_view.c.customer_id == customer_id)
    )
    names = found.scalar() or {}
    return str(names.get(department_id, department_id))
