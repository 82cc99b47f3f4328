"""Read models of the assets context, kept in the transaction of their events (replayable)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Numeric, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.assets.adapters import tables as t
from services.assets.adapters.visit_view import project_visits
from shared.privacy import legacy_personal
from shared.store.eventstore import StoredEvent
from shared.store.upsert import upsert

Apply = Callable[[AsyncConnection, StoredEvent], Awaitable[None]]

# Events that appear in a device's history, with the date field that places them.
HISTORY = {
    "HardwareRegistered": "purchase_date",
    "HardwareMoved": "moved_on",
    "HardwareRetired": "retired_on",
    "HardwareReturnedForRepair": "returned_on",
    "HardwareRepaired": "repaired_on",
    "DeviceSetupCompleted": "completed_on",
    "WarrantyExpiring": "noticed_on",
}
STATUS_AFTER = {
    "HardwareRetired": "retired",
    "HardwareReturnedForRepair": "in_repair",
    "HardwareRepaired": "active",
}


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if value else None


def _pick(data: dict[str, Any], columns: Any) -> dict[str, Any]:
    """The event fields that are columns, as the column types want them."""
    row: dict[str, Any] = {}
    for column in columns:
        if column.name not in data:
            continue
        value = data[column.name]
        if isinstance(column.type, Date):
            value = _day(value)
        elif isinstance(column.type, Numeric) and value is not None:
            value = Decimal(value)
        row[column.name] = value
    return row


class AssetsView:
    """The register, hardware and its history, moves, orders, software, packages, workbooks, visits."""

    name = "assets_view"
    tables = t.READ_MODELS

    def __init__(self) -> None:
        self._apply: dict[str, Apply] = {
            "DepartmentNoted": self._row(t.departments, "department_id"),
            "PersonNoted": self._person,
            "PersonForgotten": self._person_forgotten,
            "HardwareRegistered": self._hardware,
            "HardwareMoved": self._moved,
            "HardwareOrdered": self._row(t.hardware_orders, "order_id"),
            "SoftwareRegistered": self._row(t.software, "software_id"),
            "WarrantyExpiring": self._warranty,
            "HardwareWorkbookIssued": self._workbook,
            "ServiceVisitsScheduled": project_visits,
            "ServiceVisitDue": project_visits,
            "ServiceVisitCompleted": project_visits,
        }

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project one event, if it is one of ours."""
        handler = self._apply.get(event.type)
        if handler is not None:
            await handler(conn, event)
        if event.type in HISTORY:
            await self._history(conn, event)
        if event.type in STATUS_AFTER:
            await self._hardware_values(conn, event, status=STATUS_AFTER[event.type])

    @staticmethod
    def _row(table: Any, key: str) -> Apply:
        async def apply(conn: AsyncConnection, event: StoredEvent) -> None:
            await upsert(conn, table, _pick(event.data, table.columns), key=[key])

        return apply

    async def _person(self, conn: AsyncConnection, event: StoredEvent) -> None:
        row = _pick(legacy_personal(event.data), t.people.columns)
        await upsert(conn, t.people, {**row, "name": None, "email": None}, key=["person_id"])

    async def _person_forgotten(self, conn: AsyncConnection, event: StoredEvent) -> None:
        await conn.execute(
            update(t.people)
            .where(t.people.c.person_id == event.data["person_id"])
            .values(personal=None, name=None, email=None)
        )

    async def _hardware(self, conn: AsyncConnection, event: StoredEvent) -> None:
        row = _pick(event.data, t.hardware.columns)
        row.update(status="active", warranty_noticed_on=None, registered_position=event.position)
        await upsert(conn, t.hardware, row, key=["hardware_id"])

    async def _hardware_values(
        self, conn: AsyncConnection, event: StoredEvent, **values: Any
    ) -> None:
        await conn.execute(
            update(t.hardware)
            .where(t.hardware.c.hardware_id == event.data["hardware_id"])
            .values(**values)
        )

    async def _moved(self, conn: AsyncConnection, event: StoredEvent) -> None:
        d = event.data
        await self._hardware_values(
            conn, event, department_id=d["to_department_id"], employee_id=d["to_employee_id"]
        )
        row = _pick(d, t.hardware_moves.columns)
        row.update(event_id=event.event_id, position=event.position)
        await upsert(conn, t.hardware_moves, row, key=["event_id"])

    async def _warranty(self, conn: AsyncConnection, event: StoredEvent) -> None:
        await self._hardware_values(conn, event, warranty_noticed_on=_day(event.data["noticed_on"]))

    async def _workbook(self, conn: AsyncConnection, event: StoredEvent) -> None:
        await upsert(
            conn, t.workbooks, _pick(event.data, t.workbooks.columns), key=["customer_id", "month"]
        )

    async def _history(self, conn: AsyncConnection, event: StoredEvent) -> None:
        d = event.data
        row = {
            "event_id": event.event_id,
            "position": event.position,
            "hardware_id": d["hardware_id"],
            "customer_id": d["customer_id"],
            "what": event.type,
            "on_day": _day(d[HISTORY[event.type]]),
            "details": {k: v for k, v in d.items() if k not in ("hardware_id", "customer_id")},
            "actor": str(event.meta.get("actor") or "system"),
        }
        await upsert(conn, t.hardware_history, row, key=["event_id"])
