"""service_view: each subscription's service and its state (active, suspended, closed…)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection

from services.ops.adapters.observed import Observation, ObservedView
from services.ops.adapters.view_tables import service_view as t
from shared.contracts.agreements import (
    SubscriptionCancellationRequested,
    SubscriptionEnded,
    SubscriptionQuantityChanged,
    SubscriptionStarted,
)
from shared.store.upsert import upsert


class ServiceView(ObservedView):
    """Subscriptions from agreements, their state from dunning's decisions."""

    name = "service_view"
    tables = [t]

    async def on_SubscriptionStarted(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, SubscriptionStarted)
        row = {
            "subscription_id": m.subscription_id,
            "customer_id": m.customer_id,
            "sku": m.sku,
            "name": m.name,
            "service_kind": m.service_kind,
            "quantity": m.quantity,
            "suspendable": m.suspendable,
            "state": "active",
            "state_since": m.start,
            "started_on": m.start,
        }
        await upsert(conn, t, row, key=["subscription_id"])

    async def on_SubscriptionQuantityChanged(
        self, conn: AsyncConnection, seen: Observation
    ) -> None:
        m = seen.message
        assert isinstance(m, SubscriptionQuantityChanged)
        await self._set(conn, m.subscription_id, quantity=m.quantity)

    async def on_SubscriptionCancellationRequested(
        self, conn: AsyncConnection, seen: Observation
    ) -> None:
        m = seen.message
        assert isinstance(m, SubscriptionCancellationRequested)
        await self._set(conn, m.subscription_id, ends_on=m.end_date)

    async def on_SubscriptionEnded(self, conn: AsyncConnection, seen: Observation) -> None:
        m = seen.message
        assert isinstance(m, SubscriptionEnded)
        await self._set(conn, m.subscription_id, state="ended", state_since=m.end_date)

    async def on_ServiceSuspended(self, conn: AsyncConnection, seen: Observation) -> None:
        await self._dunning_state(conn, seen, "suspended", seen.data.get("suspended_on"))

    async def on_ServicePermanentlyClosed(self, conn: AsyncConnection, seen: Observation) -> None:
        await self._dunning_state(conn, seen, "closed", seen.data.get("closed_on"))

    async def on_HostedDataDeletionDue(self, conn: AsyncConnection, seen: Observation) -> None:
        await self._dunning_state(conn, seen, "deletion due", seen.data.get("due_on"))

    async def on_ServiceRestored(self, conn: AsyncConnection, seen: Observation) -> None:
        await self._dunning_state(conn, seen, "active", seen.data.get("restored_on"))

    async def _dunning_state(
        self, conn: AsyncConnection, seen: Observation, state: str, on: Any
    ) -> None:
        d = seen.data
        row = {
            "subscription_id": d["subscription_id"],
            "customer_id": d["customer_id"],
            "sku": d["sku"],
            "service_kind": d.get("service_kind"),
            "state": state,
            "state_since": date.fromisoformat(on) if on else seen.day,
            "invoice_number": d.get("invoice_number"),
        }
        # Upsert: ops may have started watching after the subscription began.
        await upsert(conn, t, row, key=["subscription_id"])

    async def _set(self, conn: AsyncConnection, subscription_id: str, **values: Any) -> None:
        await conn.execute(update(t).where(t.c.subscription_id == subscription_id).values(**values))
