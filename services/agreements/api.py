"""The agreements HTTP API."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status
from pydantic import BaseModel
from sqlalchemy import select

from services.agreements import handlers
from services.agreements.adapters.tables import customers
from services.agreements.domain.commands import RegisterCustomer
from shared.errors import NotFound
from shared.service import MetadataDep, RuntimeDep

router = APIRouter(tags=["customers"])


class CustomerRead(BaseModel):
    """A customer as the API shows it."""

    customer_id: str
    name: str
    cvr: str | None
    kind: str
    address: str | None
    finance_email: str | None
    registered_on: date | None


@router.post(
    "/customers",
    status_code=status.HTTP_201_CREATED,
    response_model=CustomerRead,
    summary="Register a customer",
)
async def register_customer(
    body: RegisterCustomer, runtime: RuntimeDep, meta: MetadataDep
) -> CustomerRead:
    customer_id = await handlers.register_customer(runtime.store, body, meta)
    return await get_customer(customer_id, runtime)


@router.get("/customers", response_model=list[CustomerRead], summary="All customers")
async def list_customers(runtime: RuntimeDep) -> list[CustomerRead]:
    async with runtime.store.engine.connect() as conn:
        rows = (await conn.execute(select(customers).order_by(customers.c.name))).mappings()
        return [CustomerRead.model_validate(dict(row)) for row in rows]


@router.get("/customers/{customer_id}", response_model=CustomerRead, summary="One customer")
async def get_customer(customer_id: str, runtime: RuntimeDep) -> CustomerRead:
    async with runtime.store.engine.connect() as conn:
        row = (
            (await conn.execute(select(customers).where(customers.c.customer_id == customer_id)))
            .mappings()
            .first()
        )
    if row is None:
        raise NotFound(f"no customer {customer_id}", field="customer_id")
    return CustomerRead.model_validate(dict(row))
