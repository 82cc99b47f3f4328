"""What customers and operations read: moves, reconciliation, workbooks, overview, mail, terms."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter, Query, Response, status
from sqlalchemy import select

from services.assets import queries
from services.assets.adapters import tables as t
from services.assets.adapters.overview import Overview, build_overview
from services.assets.adapters.people import revealed_recipients
from services.assets.adapters.terms import terms_of
from services.assets.adapters.workbook_xlsx import XLSX
from services.assets.domain import commands as cmd
from services.assets.handlers import customers as handlers
from services.assets.schemas import (
    MailRead,
    MoveRead,
    OverviewSentRead,
    ReconciliationRead,
    TermsRead,
    WorkbookRead,
)
from shared.errors import NotFound
from shared.privacy import ERASED
from shared.service import MetadataDep, RuntimeDep

router = APIRouter()


@router.get("/customers/{customer_id}/moves", response_model=list[MoveRead], tags=["hardware"])
async def list_moves(
    customer_id: str,
    runtime: RuntimeDep,
    moved_from: date | None = Query(default=None, alias="from"),
    moved_to: date | None = Query(default=None, alias="to"),
) -> list[MoveRead]:
    """The customer's moves, oldest first, optionally between two dates (inclusive)."""
    m = t.hardware_moves.c
    query = select(t.hardware_moves).where(m.customer_id == customer_id)
    if moved_from is not None:
        query = query.where(m.moved_on >= moved_from)
    if moved_to is not None:
        query = query.where(m.moved_on <= moved_to)
    async with runtime.store.engine.connect() as conn:
        rows = (await conn.execute(query.order_by(m.moved_on, m.position))).mappings()
        return [MoveRead.model_validate(dict(row)) for row in rows]


@router.get(
    "/customers/{customer_id}/reconciliation", response_model=ReconciliationRead, tags=["hardware"]
)
async def reconciliation(customer_id: str, runtime: RuntimeDep) -> ReconciliationRead:
    """Devices without a PC security package, and packages without a device."""
    return await queries.reconciliation(runtime.store, terms_of(runtime), customer_id)


@router.get(
    "/customers/{customer_id}/workbooks", response_model=list[WorkbookRead], tags=["workbooks"]
)
async def list_workbooks(customer_id: str, runtime: RuntimeDep) -> list[WorkbookRead]:
    """The monthly hardware workbooks issued to the customer."""
    w = t.workbooks.c
    async with runtime.store.engine.connect() as conn:
        rows = (
            await conn.execute(
                select(t.workbooks).where(w.customer_id == customer_id).order_by(w.month)
            )
        ).mappings()
        return [
            WorkbookRead.model_validate(
                {
                    **row,
                    "recipients": await revealed_recipients(conn, row["recipients"], erased=ERASED),
                }
            )
            for row in rows.all()
        ]


@router.get(
    "/customers/{customer_id}/workbooks/{month}.xlsx",
    tags=["workbooks"],
    response_class=Response,
    responses={200: {"content": {XLSX: {}}, "description": "The workbook as issued"}},
)
async def download_workbook(customer_id: str, month: str, runtime: RuntimeDep) -> Response:
    """The issued workbook, byte for byte as it was sent (month as YYYY-MM)."""
    w = t.workbooks.c
    async with runtime.store.engine.connect() as conn:
        found = (
            await conn.execute(
                select(w.filename, t.workbook_files.c.content)
                .join(t.workbook_files, t.workbook_files.c.workbook_id == w.workbook_id)
                .where(w.customer_id == customer_id, w.month == month)
            )
        ).first()
    if found is None:
        raise NotFound(f"no hardware workbook for {month} at customer {customer_id}", field="month")
    disposition = f'attachment; filename="{found.filename}"'
    return Response(found.content, media_type=XLSX, headers={"content-disposition": disposition})


@router.get("/customers/{customer_id}/overview", response_model=Overview, tags=["overview"])
async def overview(customer_id: str, runtime: RuntimeDep) -> Overview:
    """Hardware and software per company and per employee."""
    await queries.register(runtime.store, customer_id)
    async with runtime.store.engine.connect() as conn:
        return await build_overview(conn, customer_id)


@router.post(
    "/customers/{customer_id}/overview/send",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=OverviewSentRead,
    tags=["overview"],
)
async def send_overview(
    customer_id: str, body: cmd.SendAssetOverview, runtime: RuntimeDep, meta: MetadataDep
) -> OverviewSentRead:
    """Send the overview to the customer's contact person (queued; delivered after commit)."""
    recipients = await handlers.send_overview(
        runtime.store, runtime.profile.name, customer_id, body, meta
    )
    return OverviewSentRead(recipients=recipients)


@router.get("/mail-outbox", response_model=list[MailRead], tags=["operations"])
async def mail_outbox(
    runtime: RuntimeDep, status_is: str | None = Query(default=None, alias="status")
) -> list[MailRead]:
    """Mail the service sent or is still trying to send, newest first."""
    query = select(t.mail_outbox).order_by(t.mail_outbox.c.id.desc()).limit(200)
    if status_is is not None:
        query = query.where(t.mail_outbox.c.status == status_is)
    async with runtime.store.engine.connect() as conn:
        rows = (await conn.execute(query)).mappings()
        return [MailRead.model_validate(dict(row)) for row in rows]


@router.get("/terms", response_model=TermsRead, tags=["operations"])
async def terms(runtime: RuntimeDep) -> TermsRead:
    """The assets terms in force; example_fields are example values, not the provider's terms."""
    current = terms_of(runtime)
    return TermsRead(
        profile=current.profile.id,
        service_visits_per_year=current.profile.agreement.service_visits_per_year,
        example_fields=list(current.policy.examples),
        **current.policy.model_dump(exclude={"examples"}),
    )
