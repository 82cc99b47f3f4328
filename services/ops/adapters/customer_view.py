"""customer_view: who the customer is, their agreement and departments, as ops saw it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.observed import Observation, ObservedView
from services.ops.adapters.view_tables import customer_view as t
from shared.contracts.agreements import (
    AgreementSigned,
    CustomerRegistered,
    DepartmentAdded,
    TrialConverted,
    TrialStarted,
)
from shared.store.upsert import upsert


class CustomerView(ObservedView):
    """One row per customer; every event about them moves last_event_on."""

    name = "customer_view"
    tables = [t]

    async def observe(self, conn: AsyncConnection, seen: Observation) -> None:
        """Project the event, then date the customer's latest activity by it."""
        await super().observe(conn, seen)
        if seen.customer_id and seen.day:
            await conn.execute(
                update(t).where(t.c.customer_id == seen.customer_id).values(last_event_on=seen.day)
            )

    async def on_CustomerRegistered(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, CustomerRegistered)
        row: dict[str, Any] = {
            "customer_id": m.customer_id,
            "name": m.name,
            "cvr": m.cvr,
            "kind": m.kind,
            "address": m.address,
            "finance_email": m.finance_email,
            "registered_on": m.registered_on or seen.day,
            "trial": False,
            "departments": {},
            "last_event_on": seen.day,
        }
        await upsert(conn, t, row, key=["customer_id"])

    async def on_AgreementSigned(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, AgreementSigned)
        label = f"{m.tier.title()} service agreement" if m.tier else "Service agreement"
        if m.model == "packages":
            label = "Service agreement (packages)"
        await self._set(conn, m.customer_id, agreement=label)

    async def on_TrialStarted(self, conn: AsyncConnection, seen: Observation) -> None:
        assert isinstance(seen.message, TrialStarted)
        await self._set(conn, seen.message.customer_id, trial=True)

    async def on_TrialConverted(self, conn: AsyncConnection, seen: Observation) -> None:
        assert isinstance(seen.message, TrialConverted)
        await self._set(conn, seen.message.customer_id, trial=False)

    async def on_DepartmentAdded(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, DepartmentAdded)
        found = await conn.execute(select(t.c.departments).where(t.c.customer_id == m.customer_id))
        departments = dict(found.scalar() or {})
        departments[m.department_id] = m.name
        await self._set(conn, m.customer_id, departments=departments)

    async def _set(self, conn: AsyncConnection, customer_id: str, **values: object) -> None:
        await conn.execute(update(t).where(t.c.customer_id == customer_id).values(**values))
