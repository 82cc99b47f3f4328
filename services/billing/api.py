"""The billing HTTP API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Request, status
from fastapi.responses import Response
from pydantic import BaseModel, TypeAdapter
from sqlalchemy import select

from services.billing import commands as cmd
from services.billing import invoice_handlers, work_handlers
from services.billing.adapters import tables as t
from services.billing.adapters.camt import MAX_BYTES, too_large
from services.billing.documents_view import credit_note_document, invoice_document
from shared.errors import NotFound
from shared.money import Amount, amount_text
from shared.service import DocumentNumber, MetadataDep, Runtime, RuntimeDep
from shared.store.reads import KeyedQuery

router = APIRouter()


class InvoiceRead(BaseModel):
    """An invoice with where it stands."""

    invoice_number: int
    customer_id: str
    kind: str
    issue_date: date
    due_date: date
    total: Amount
    balance: Amount
    credited: Amount
    status: str
    due_passed: bool
    dispute: str | None
    payment_id: str
    paid_on: date | None
    document: dict[str, Any]


_INVOICE_LIST = TypeAdapter(list[InvoiceRead])


_ONE_INVOICE = KeyedQuery(
    select(*(t.invoices.c[name] for name in InvoiceRead.model_fields)),
    t.invoices.c.invoice_number,
)


async def _invoice_row(runtime: Runtime, number: int) -> dict[str, Any]:
    row = await runtime.store.read_one(_ONE_INVOICE, number)
    if row is None:
        raise NotFound(f"no invoice {number}", field="invoice_number")
    return row


async def _invoice(runtime: Runtime, number: int) -> InvoiceRead:
    return InvoiceRead.model_validate(await _invoice_row(runtime, number))


@router.post("/work", status_code=status.HTTP_201_CREATED, tags=["work"])
async def record_work(
    body: cmd.RecordWork, runtime: RuntimeDep, meta: MetadataDep
) -> dict[str, Any]:
    """Record time spent; the answer shows each rated line and how it was rated."""
    recorded = await work_handlers.record_work(runtime.store, runtime.profile, body, meta)
    return {
        "entry_id": recorded.entry_id,
        "lines": [line.model_dump(mode="json") for line in recorded.lines],
        "amount": str(sum((line.amount for line in recorded.lines), Decimal("0"))),
    }


@router.get("/work", tags=["work"])
async def list_work(
    runtime: RuntimeDep, customer_id: str | None = None, invoiced: bool | None = None
) -> list[dict[str, Any]]:
    """Recorded work; invoiced=false lists what the next run will invoice."""
    query = select(t.work_entries)
    if customer_id:
        query = query.where(t.work_entries.c.customer_id == customer_id)
    if invoiced is not None:
        query = query.where(
            t.work_entries.c.invoice_number.isnot(None)
            if invoiced
            else t.work_entries.c.invoice_number.is_(None)
        )
    return await runtime.store.read(query)


@router.post("/extra-costs", status_code=status.HTTP_201_CREATED, tags=["work"])
async def add_extra_cost(
    body: cmd.AddExtraCost, runtime: RuntimeDep, meta: MetadataDep
) -> dict[str, str]:
    """Record an extra cost; it is held, never invoiced, until approved in writing."""
    cost_id = await work_handlers.add_extra_cost(runtime.store, body, meta)
    return {"cost_id": cost_id, "status": "held"}


@router.post("/customers/{customer_id}/extra-costs/{cost_id}/approve", tags=["work"])
async def approve_extra_cost(
    customer_id: str,
    cost_id: str,
    body: cmd.ApproveExtraCost,
    runtime: RuntimeDep,
    meta: MetadataDep,
) -> dict[str, str]:
    """Record the customer's written approval."""
    await work_handlers.approve_extra_cost(runtime.store, customer_id, cost_id, body, meta)
    return {"cost_id": cost_id, "status": "approved"}


@router.get("/extra-costs", tags=["work"])
async def list_extra_costs(
    runtime: RuntimeDep, status: Literal["held", "approved", "invoiced"] | None = None
) -> list[dict[str, Any]]:
    """Extra costs; status=held lists those waiting for approval."""
    query = select(t.extra_costs)
    if status:
        query = query.where(t.extra_costs.c.status == status)
    return await runtime.store.read(query)


@router.get("/invoice-runs", tags=["invoices"])
async def list_invoice_runs(runtime: RuntimeDep) -> list[dict[str, Any]]:
    """Invoice runs by run date."""
    return await runtime.store.read(select(t.invoice_runs).order_by(t.invoice_runs.c.run_date))


@router.get("/invoices", response_model=list[InvoiceRead], tags=["invoices"])
async def list_invoices(
    runtime: RuntimeDep,
    customer_id: str | None = None,
    status: Literal["open", "paid"] | None = None,
) -> Response:
    """Invoices, newest last."""
    query = select(t.invoices).order_by(t.invoices.c.invoice_number)
    if customer_id:
        query = query.where(t.invoices.c.customer_id == customer_id)
    if status:
        query = query.where(t.invoices.c.status == status)
    found = [InvoiceRead.model_validate(r) for r in await runtime.store.read(query)]
    return Response(_INVOICE_LIST.dump_json(found), media_type="application/json")


@router.get("/invoices/{invoice_number}.pdf", tags=["invoices"], response_class=Response)
async def invoice_pdf(invoice_number: DocumentNumber, runtime: RuntimeDep) -> Response:
    """The invoice as the customer receives it."""
    from services.billing.documents.pdf import render_pdf

    document = await invoice_document(runtime, (await _invoice(runtime, invoice_number)).document)
    return Response(render_pdf(document), media_type="application/pdf")


@router.get("/invoices/{invoice_number}.xml", tags=["invoices"], response_class=Response)
async def invoice_xml(
    invoice_number: DocumentNumber,
    runtime: RuntimeDep,
    format: Literal["peppol", "oioubl"] = "peppol",
) -> Response:
    """The invoice as UBL: Peppol BIS Billing 3.0 (default) or OIOUBL 2.01."""
    from services.billing.documents.ubl import render_oioubl, render_peppol

    document = await invoice_document(runtime, (await _invoice(runtime, invoice_number)).document)
    body = render_peppol(document) if format == "peppol" else render_oioubl(document)
    return Response(body, media_type="application/xml")


@router.get("/invoices/{invoice_number}", response_model=InvoiceRead, tags=["invoices"])
async def get_invoice(invoice_number: DocumentNumber, request: Request) -> Response:
    """One invoice with its lines, balance, dispute and due state."""
    # The runtime straight from the app (a plain-function dependency costs a thread hop), and
    # the row written as JSON by orjson: the model's bytes (its fields are the row's columns,
    # amounts as the model writes them; tests/billing/test_invoicing.py checks byte for byte),
    # without validating a row the read model already holds in that shape.
    row = await _invoice_row(request.app.state.runtime, invoice_number)
    return Response(
        orjson.dumps(row, default=_amount_text, option=orjson.OPT_NON_STR_KEYS),
        media_type="application/json",
    )


def _amount_text(value: object) -> str:
    """Amounts as `Amount` writes them (orjson's hook for what it cannot write itself)."""
    if isinstance(value, Decimal):
        return amount_text(value)
    raise TypeError(f"{type(value).__name__} in an invoice row")


@router.post("/invoices/{invoice_number}/disputes", status_code=201, tags=["invoices"])
async def dispute_invoice(
    invoice_number: DocumentNumber, body: cmd.DisputeInvoice, runtime: RuntimeDep, meta: MetadataDep
) -> dict[str, Any]:
    """Record the customer's written question; within the profile's days it pauses dunning."""
    disputed = await invoice_handlers.dispute(
        runtime.store, runtime.profile, invoice_number, body, meta
    )
    return {**disputed.model_dump(mode="json"), "pauses_dunning": disputed.in_time}


@router.post("/invoices/{invoice_number}/disputes/resolve", tags=["invoices"])
async def resolve_dispute(
    invoice_number: DocumentNumber, body: cmd.ResolveDispute, runtime: RuntimeDep, meta: MetadataDep
) -> InvoiceRead:
    """End the dispute: rejected, or settled by a credit note."""
    await invoice_handlers.resolve_dispute(runtime.store, invoice_number, body, meta)
    return await _invoice(runtime, invoice_number)


@router.post("/invoices/{invoice_number}/credit-notes", status_code=201, tags=["invoices"])
async def credit_invoice(
    invoice_number: DocumentNumber, body: cmd.CreditInvoice, runtime: RuntimeDep, meta: MetadataDep
) -> dict[str, Any]:
    """Issue a credit note referencing the invoice (the invoice itself never changes)."""
    issued = await invoice_handlers.credit(
        runtime.store, runtime.profile, invoice_number, body, meta
    )
    return issued.model_dump(mode="json")


@router.get("/credit-notes/{credit_note_number}.pdf", tags=["invoices"], response_class=Response)
async def credit_note_pdf(credit_note_number: DocumentNumber, runtime: RuntimeDep) -> Response:
    """The credit note as the customer receives it."""
    from services.billing.documents.pdf import render_pdf

    rows = await runtime.store.read(
        select(t.credit_notes).where(t.credit_notes.c.credit_note_number == credit_note_number),
    )
    if not rows:
        raise NotFound(f"no credit note {credit_note_number}", field="credit_note_number")
    invoice = await _invoice(runtime, rows[0]["invoice_number"])
    return Response(
        render_pdf(await credit_note_document(runtime, rows[0]["document"], invoice.document)),
        media_type="application/pdf",
    )


@router.post("/payments", status_code=201, tags=["payments"])
async def register_payment(
    body: cmd.RegisterPayment, runtime: RuntimeDep, meta: MetadataDep
) -> dict[str, str]:
    """Register a payment by hand; it is matched like a bank entry (or to the invoice named)."""
    payment_ref, outcome = await invoice_handlers.register_payment(runtime.store, body, meta)
    return {"payment_ref": payment_ref, "status": outcome}


@router.get("/payments", tags=["payments"])
async def list_payments(
    runtime: RuntimeDep, status: Literal["matched", "unmatched"] | None = None
) -> list[dict[str, Any]]:
    """Payments; status=unmatched is the queue an operator resolves."""
    query = select(t.payments).order_by(t.payments.c.paid_on)
    if status:
        query = query.where(t.payments.c.status == status)
    return await runtime.store.read(query)


@router.post("/payments/{payment_ref}/assign", tags=["payments"])
async def assign_payment(
    payment_ref: str, body: cmd.AssignPayment, runtime: RuntimeDep, meta: MetadataDep
) -> dict[str, str]:
    """Resolve an unmatched payment by naming the invoice it pays."""
    await invoice_handlers.assign_payment(runtime.store, payment_ref, body, meta)
    return {"payment_ref": payment_ref, "status": "matched"}


@router.post("/bank-statements", tags=["payments"])
async def import_bank_statement(
    request: Request, runtime: RuntimeDep, meta: MetadataDep
) -> dict[str, Any]:
    """Import an ISO 20022 camt.053 or camt.054 file (the XML as the request body)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BYTES:
        raise too_large()  # refused before a byte of it is read
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > MAX_BYTES:
            raise too_large()
    return await invoice_handlers.import_statement(runtime.store, bytes(raw), meta)


@router.get("/customers/{customer_id}/balance", tags=["payments"])
async def customer_balance(customer_id: str, runtime: RuntimeDep) -> dict[str, Any]:
    """What the customer owes: open invoices, their sum, and any credit balance."""
    open_rows = await runtime.store.read(
        select(t.invoices.c.invoice_number, t.invoices.c.due_date, t.invoices.c.balance).where(
            t.invoices.c.customer_id == customer_id, t.invoices.c.status == "open"
        ),
    )
    credit = await runtime.store.read(
        select(t.accounts.c.credit_balance).where(t.accounts.c.customer_id == customer_id)
    )
    owed = sum((Decimal(r["balance"]) for r in open_rows), Decimal("0"))
    return {
        "customer_id": customer_id,
        "open_invoices": [{**r, "balance": str(r["balance"])} for r in open_rows],
        "owed": str(owed),
        "credit_balance": str(credit[0]["credit_balance"]) if credit else "0.00",
    }
