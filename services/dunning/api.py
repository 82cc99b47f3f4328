"""The dunning HTTP API: cases by stage, letters, no-follow-up flags, the policy."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select

from services.dunning import handlers, letters
from services.dunning.adapters import tables as t
from services.dunning.domain import ladder
from shared.errors import NotFound
from shared.money import Amount
from shared.service import DocumentNumber, MetadataDep, RuntimeDep

router = APIRouter()


class NextStepRead(BaseModel):
    """What the case does next, and on which day."""

    step: str
    title: str
    on: date


class CaseRead(BaseModel):
    """A dunning case as finance staff follow it."""

    invoice_number: int
    customer_id: str
    customer_name: str | None
    status: str
    stage: str
    due_date: date
    opened_on: date
    closed_on: date | None
    closed_reason: str | None
    paused: list[str]
    outstanding: Amount
    fees: Amount
    compensation: Amount
    steps: list[dict[str, Any]]
    next_step: NextStepRead | None
    services: list[dict[str, Any]]


class NoFollowUp(BaseModel):
    """Stop follow-up on a customer until a date, with the reason."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    reason: str = Field(min_length=1, max_length=500)
    until: date


async def _cases(runtime: RuntimeDep, query: Any) -> list[CaseRead]:
    policy = runtime.profile.dunning
    async with runtime.store.engine.connect() as conn:
        rows = [dict(r) for r in (await conn.execute(query)).mappings()]
        names = {r.customer_id: r.name for r in await conn.execute(select(t.known_customers))}
        invoices = {r.invoice_number: r for r in await conn.execute(select(t.followed_invoices))}
        services = [dict(r) for r in (await conn.execute(select(t.services))).mappings()]
    result = []
    for row in rows:
        number = row["invoice_number"]
        outstanding = Decimal(invoices[number].balance) + sum(
            (Decimal(i.balance) for i in invoices.values() if i.regarding_invoice == number),
            Decimal("0"),
        )
        taken = [
            ladder.StepTaken(
                s["step"],
                date.fromisoformat(s["on"]),
                date.fromisoformat(s["deadline"]) if s["deadline"] else None,
                Decimal(s["fee"]),
                s["reminder_number"],
            )
            for s in row["taken"]
        ]
        upcoming = (
            ladder.next_step(policy, row["due_date"], taken, row["not_before"])
            if row["status"] == "open" and not row["paused"]
            else None
        )
        result.append(
            CaseRead(
                **{
                    k: row[k]
                    for k in (
                        "invoice_number",
                        "customer_id",
                        "status",
                        "stage",
                        "due_date",
                        "opened_on",
                    )
                },
                customer_name=names.get(row["customer_id"]),
                closed_on=row["closed_on"],
                closed_reason=row["closed_reason"],
                paused=row["paused"],
                outstanding=outstanding,
                fees=row["fees"],
                compensation=row["compensation"],
                steps=row["taken"],
                next_step=NextStepRead(
                    step=upcoming.step.id, title=upcoming.step.title, on=upcoming.action_date
                )
                if upcoming
                else None,
                services=[s for s in services if s["invoice_number"] == number],
            )
        )
    return result


@router.get("/cases", response_model=list[CaseRead], tags=["cases"])
async def list_cases(
    runtime: RuntimeDep,
    status: Literal["open", "closed"] | None = None,
    customer_id: str | None = None,
) -> list[CaseRead]:
    """Dunning cases with their stage, amounts, next step and its date."""
    query = select(t.cases).order_by(t.cases.c.invoice_number)
    if status:
        query = query.where(t.cases.c.status == status)
    if customer_id:
        query = query.where(t.cases.c.customer_id == customer_id)
    return await _cases(runtime, query)


@router.get("/cases/{invoice_number}", response_model=CaseRead, tags=["cases"])
async def get_case(invoice_number: DocumentNumber, runtime: RuntimeDep) -> CaseRead:
    """One case."""
    found = await _cases(runtime, select(t.cases).where(t.cases.c.invoice_number == invoice_number))
    if not found:
        raise NotFound(f"no dunning case for invoice {invoice_number}", field="invoice_number")
    return found[0]


async def _letter(runtime: RuntimeDep, invoice_number: int, reminder_number: int) -> dict[str, Any]:
    async with runtime.store.engine.connect() as conn:
        row = (
            await conn.execute(
                select(t.reminders.c.letter).where(
                    t.reminders.c.invoice_number == invoice_number,
                    t.reminders.c.reminder_number == reminder_number,
                )
            )
        ).scalar()
        customer = (
            (
                await conn.execute(
                    select(t.known_customers).where(
                        t.known_customers.c.customer_id == row["customer_id"]
                    )
                )
            )
            .mappings()
            .first()
            if row
            else None
        )
    if row is None:
        raise NotFound(
            f"no reminder {reminder_number} for invoice {invoice_number}", field="reminder_number"
        )
    return {
        "reminder": row,
        "customer": dict(customer) if customer else {"name": row["customer_id"]},
    }


@router.get("/cases/{invoice_number}/reminders", tags=["cases"])
async def list_reminders(
    invoice_number: DocumentNumber, runtime: RuntimeDep
) -> list[dict[str, Any]]:
    """The reminders sent for the invoice, with fees and the reasons for them."""
    async with runtime.store.engine.connect() as conn:
        rows = await conn.execute(
            select(t.reminders.c.letter)
            .where(t.reminders.c.invoice_number == invoice_number)
            .order_by(t.reminders.c.reminder_number)
        )
        return list(rows.scalars())


@router.get(
    "/cases/{invoice_number}/reminders/{reminder_number}.html",
    tags=["cases"],
    response_class=Response,
)
async def reminder_html(
    invoice_number: DocumentNumber, reminder_number: DocumentNumber, runtime: RuntimeDep
) -> Response:
    """The reminder letter as sent (HTML)."""
    data = await _letter(runtime, invoice_number, reminder_number)
    return Response(
        letters.render_html(data["reminder"], data["customer"], runtime.profile),
        media_type="text/html",
    )


@router.get(
    "/cases/{invoice_number}/reminders/{reminder_number}.pdf",
    tags=["cases"],
    response_class=Response,
)
async def reminder_pdf(
    invoice_number: DocumentNumber, reminder_number: DocumentNumber, runtime: RuntimeDep
) -> Response:
    """The reminder letter as sent (PDF)."""
    data = await _letter(runtime, invoice_number, reminder_number)
    return Response(
        letters.render_pdf(data["reminder"], data["customer"], runtime.profile),
        media_type="application/pdf",
    )


@router.put("/customers/{customer_id}/no-follow-up", status_code=204, tags=["customers"])
async def set_no_follow_up(
    customer_id: str, body: NoFollowUp, runtime: RuntimeDep, meta: MetadataDep
) -> Response:
    """Stop follow-up on the customer until a date (the reason is recorded)."""
    await handlers.set_no_follow_up(runtime.store, customer_id, body.reason, body.until, meta)
    return Response(status_code=204)


@router.delete("/customers/{customer_id}/no-follow-up", status_code=204, tags=["customers"])
async def end_no_follow_up(customer_id: str, runtime: RuntimeDep, meta: MetadataDep) -> Response:
    """Let follow-up go on before the date."""
    await handlers.end_no_follow_up(runtime.store, customer_id, meta)
    return Response(status_code=204)


@router.get("/policy", tags=["policy"])
async def get_policy(runtime: RuntimeDep) -> dict[str, Any]:
    """The dunning policy in force (example values are listed in `examples`)."""
    return runtime.profile.dunning.model_dump(mode="json")
