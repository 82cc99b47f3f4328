"""Turn an issued invoice or credit note into the document to render."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from services.billing.documents.model import DocumentLine, InvoiceDocument, Party
from services.billing.domain.account import Account
from services.billing.handlers import TYPES
from shared.repository import Repository
from shared.service import Runtime
from shared.store.eventstore import Metadata


def _lines(lines: list[dict[str, Any]]) -> tuple[DocumentLine, ...]:
    return tuple(
        DocumentLine(
            description=line["description"],
            quantity=Decimal(line["quantity"]),
            unit=line["unit"],
            unit_price=Decimal(line["unit_price"]),
            amount=Decimal(line["amount"]),
            taxable=line.get("taxable", True),
            discount=Decimal(line.get("discount") or "0"),
            period_start=date.fromisoformat(line["period_start"])
            if line.get("period_start")
            else None,
            period_end=date.fromisoformat(line["period_end"]) if line.get("period_end") else None,
            sku=line.get("sku"),
        )
        for line in lines
    )


async def _buyer(runtime: Runtime, customer_id: str) -> Party:
    async with runtime.store.transaction(Metadata(actor="service:billing")) as tx:
        account = await Repository(tx, Account, TYPES).get(customer_id)
    if account is None:
        return Party(name=customer_id, address="")
    return Party(
        name=account.name,
        address=account.address or "",
        cvr=account.cvr,
        email=account.finance_email,
    )


def _seller(runtime: Runtime) -> Party:
    seller = runtime.profile.seller
    return Party(name=seller.name, address=seller.address, cvr=seller.cvr, email=seller.email)


async def invoice_document(runtime: Runtime, d: dict[str, Any]) -> InvoiceDocument:
    """The InvoiceIssued data as a document."""
    period = (
        (date.fromisoformat(d["period_start"]), date.fromisoformat(d["period_end"]))
        if d.get("period_start") and d.get("period_end")
        else None
    )
    return InvoiceDocument(
        kind="invoice",
        number=d["invoice_number"],
        issue_date=date.fromisoformat(d["issue_date"]),
        due_date=date.fromisoformat(d["due_date"]),
        seller=_seller(runtime),
        buyer=await _buyer(runtime, d["customer_id"]),
        lines=_lines(d["lines"]),
        vat_rate=Decimal(d["vat_rate"]),
        taxable_subtotal=Decimal(d["taxable_subtotal"]),
        vat_amount=Decimal(d["vat_amount"]),
        exempt_subtotal=Decimal(d["exempt_subtotal"]),
        total=Decimal(d["total"]),
        creditor_number=runtime.profile.seller.creditor_number,
        payment_id=d["payment_id"],
        fi_payment_line=d["fi_payment_line"],
        delivery_period=period,
        bank_account=runtime.profile.seller.bank_account,
    )


async def credit_note_document(
    runtime: Runtime, d: dict[str, Any], invoice: dict[str, Any]
) -> InvoiceDocument:
    """The CreditNoteIssued data as a document referencing its invoice."""
    return InvoiceDocument(
        kind="credit_note",
        number=d["credit_note_number"],
        issue_date=date.fromisoformat(d["issue_date"]),
        due_date=None,
        seller=_seller(runtime),
        buyer=await _buyer(runtime, d["customer_id"]),
        lines=_lines(d["lines"]),
        vat_rate=Decimal(invoice["vat_rate"]),
        taxable_subtotal=Decimal(d["taxable_subtotal"]),
        vat_amount=Decimal(d["vat_amount"]),
        exempt_subtotal=Decimal(d["exempt_subtotal"]),
        total=Decimal(d["total"]),
        creditor_number=runtime.profile.seller.creditor_number,
        payment_id=invoice["payment_id"],
        fi_payment_line=invoice["fi_payment_line"],
        references_invoice=d["invoice_number"],
        references_issue_date=date.fromisoformat(invoice["issue_date"]),
        note=d["reason"],
        bank_account=runtime.profile.seller.bank_account,
    )
