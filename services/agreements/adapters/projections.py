"""Read models of the agreements context, kept in the transaction of their events."""

from __future__ import annotations

from datetime import date

from sqlalchemy.ext.asyncio import AsyncConnection

from services.agreements.adapters.tables import customers
from shared.store.eventstore import StoredEvent
from shared.store.upsert import upsert


class CustomerList:
    """One row per customer."""

    name = "customers"
    tables = [customers]

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Project CustomerRegistered."""
        if event.type != "CustomerRegistered":
            return
        business_date = event.meta.get("business_date")
        row = {
            key: event.data.get(key)
            for key in ("customer_id", "name", "cvr", "kind", "address", "finance_email")
        }
        row["registered_on"] = date.fromisoformat(business_date) if business_date else None
        await upsert(conn, customers, row, key=["customer_id"])
