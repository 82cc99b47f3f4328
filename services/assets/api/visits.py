"""Routine service visits over HTTP (MICO: two a year, each with a condition report)."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, status
from sqlalchemy import select

from services.assets.adapters import tables as t
from services.assets.domain import commands as cmd
from services.assets.domain.visits import visit_due_on
from services.assets.handlers import customers as handlers
from services.assets.schemas import ServiceVisitsRead, VisitRead
from shared.errors import NotFound
from shared.service import MetadataDep, RuntimeDep

router = APIRouter(prefix="/customers/{customer_id}/service-visits", tags=["service visits"])


async def _visits(runtime: RuntimeDep, customer_id: str) -> ServiceVisitsRead:
    async with runtime.store.engine.connect() as conn:
        plan = (
            (
                await conn.execute(
                    select(t.service_visits).where(t.service_visits.c.customer_id == customer_id)
                )
            )
            .mappings()
            .first()
        )
    if plan is None:
        raise NotFound(
            f"customer {customer_id} has no routine service visits (none in the profile, or the "
            "agreement has not started)",
            field="customer_id",
        )
    visits = [VisitRead.model_validate(v) for v in plan["visits"]]
    number = plan["next_number"]
    due: date = visit_due_on(plan["starts_on"], plan["visits_per_year"], number)
    return ServiceVisitsRead(
        customer_id=customer_id,
        starts_on=plan["starts_on"],
        visits_per_year=plan["visits_per_year"],
        visits=visits,
        next_visit=VisitRead(number=number, due_on=due, status="scheduled"),
    )


@router.get("", response_model=ServiceVisitsRead)
async def list_visits(customer_id: str, runtime: RuntimeDep) -> ServiceVisitsRead:
    """The visits so far (due or completed with their report) and the next one."""
    return await _visits(runtime, customer_id)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=ServiceVisitsRead)
async def record_visit(
    customer_id: str, body: cmd.RecordServiceVisit, runtime: RuntimeDep, meta: MetadataDep
) -> ServiceVisitsRead:
    """Record the next open visit with its condition report (tilstandsrapport)."""
    await handlers.record_service_visit(runtime.store, customer_id, body, meta)
    return await _visits(runtime, customer_id)
