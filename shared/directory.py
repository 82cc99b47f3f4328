"""Each context's own read model of the provider's customers, learnt from CustomerRegistered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import Column, Date, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.consumer import EventHandler
from shared.contracts import Contract
from shared.contracts.agreements import CustomerRegistered
from shared.envelope import CloudEvent
from shared.errors import NotFound
from shared.service import RuntimeDep
from shared.store.eventstore import NewEvent, StoredEvent, Transaction
from shared.store.upsert import upsert


def known_customers_table(metadata: MetaData) -> Table:
    """The table each context keeps of the customers it knows."""
    return Table(
        "known_customers",
        metadata,
        Column("customer_id", String(36), primary_key=True),
        Column("name", String(200), nullable=False),
        Column("cvr", String(8)),
        Column("kind", String(20), nullable=False),
        Column("known_since", Date),
    )


class KnownCustomer(BaseModel):
    """A customer as this context knows it."""

    customer_id: str
    name: str
    cvr: str | None
    kind: str
    known_since: Any = None


class CustomerDirectory:
    """Records its own event for each new customer and projects it into known_customers."""

    name = "known_customers"

    def __init__(self, table: Table, event_type: str, stream_prefix: str) -> None:
        self.table = table
        self.tables = [table]
        self.event_type = event_type
        self.stream_prefix = stream_prefix

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        """Insert or refresh the customer's row."""
        if event.type != self.event_type:
            return
        row = {
            "customer_id": event.data["customer_id"],
            "name": event.data["name"],
            "cvr": event.data.get("cvr"),
            "kind": event.data.get("kind", "business"),
            "known_since": event.meta.get("business_date"),
        }
        if row["known_since"]:
            from datetime import date

            row["known_since"] = date.fromisoformat(row["known_since"])
        await upsert(conn, self.table, row, key=["customer_id"])

    def handler(self) -> dict[type[Contract], list[EventHandler]]:
        """The CustomerRegistered handler to register with the service's subscriber."""

        async def on_customer_registered(
            tx: Transaction, envelope: CloudEvent, message: Contract
        ) -> None:
            assert isinstance(message, CustomerRegistered)
            stream = f"{self.stream_prefix}-{message.customer_id}"
            if await tx.load(stream):
                return
            data = message.model_dump(mode="json", include={"customer_id", "name", "cvr", "kind"})
            await tx.append(
                stream, 0, [NewEvent(self.event_type, data)], customer_id=message.customer_id
            )

        return {CustomerRegistered: [on_customer_registered]}

    def router(self) -> APIRouter:
        """GET /customers and GET /customers/{id} over this context's read model."""
        router = APIRouter(prefix="/customers", tags=["customers"])
        table = self.table

        @router.get("", response_model=list[KnownCustomer], summary="Customers this service knows")
        async def list_customers(runtime: RuntimeDep) -> list[KnownCustomer]:
            async with runtime.store.engine.connect() as conn:
                rows = (await conn.execute(select(table).order_by(table.c.name))).mappings()
                return [KnownCustomer.model_validate(dict(row)) for row in rows]

        @router.get("/{customer_id}", response_model=KnownCustomer, summary="One customer")
        async def get_customer(customer_id: str, runtime: RuntimeDep) -> KnownCustomer:
            async with runtime.store.engine.connect() as conn:
                row = (
                    (await conn.execute(select(table).where(table.c.customer_id == customer_id)))
                    .mappings()
                    .first()
                )
            if row is None:
                raise NotFound(f"no customer {customer_id}", field="customer_id")
            return KnownCustomer.model_validate(dict(row))

        return router


def create_known_customers_table() -> None:
    """Migration step: the known_customers table (see known_customers_table)."""
    import sqlalchemy as sa
    from alembic import op

    op.create_table(
        "known_customers",
        sa.Column("customer_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("cvr", sa.String(8)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("known_since", sa.Date),
    )
