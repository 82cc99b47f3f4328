"""Billing fixtures: sample invoice documents (taxable and VAT-exempt lines) and credit notes."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Literal

import pytest

from services.billing.documents.fik import fi_line, payment_id
from services.billing.documents.model import DocumentLine, InvoiceDocument, Party
from shared.money import dkk, vat_of

VAT_RATE = Decimal("0.25")
CREDITOR = "81234567"

SELLER = Party(
    name="Safe IT-Solutions ApS",
    address="Eksempelvej 1, 7100 Vejle",
    cvr="30000005",
    email="support@safe-it.nu",
)
BUYER = Party(
    name="Hansen & Søn Rådgivning ApS",
    address="Ørstedsgade 12, 1. sal\n8000 Aarhus C",
    cvr="29403473",
    email="bogholderi@hansen-soen.dk",
)

MARCH = (date(2026, 3, 1), date(2026, 3, 31))


def line(
    description: str,
    quantity: str,
    unit: str,
    unit_price: str,
    *,
    discount: str = "0",
    taxable: bool = True,
    period: tuple[date, date] | None = None,
    sku: str | None = None,
) -> DocumentLine:
    """A document line whose amount is quantity x price less the discount, rounded half up."""
    qty, price, disc = Decimal(quantity), Decimal(unit_price), Decimal(discount)
    return DocumentLine(
        description=description,
        quantity=qty,
        unit=unit,
        unit_price=price,
        amount=dkk(qty * price * (1 - disc)),
        taxable=taxable,
        discount=disc,
        period_start=period[0] if period else None,
        period_end=period[1] if period else None,
        sku=sku,
    )


def make_document(
    lines: Sequence[DocumentLine],
    *,
    kind: Literal["invoice", "credit_note"] = "invoice",
    number: int = 1042,
    issue_date: date = date(2026, 3, 31),
    due_date: date | None = date(2026, 4, 14),
    delivery_period: tuple[date, date] | None = MARCH,
    references: tuple[int, date] | None = None,
    note: str = "",
) -> InvoiceDocument:
    """An InvoiceDocument with totals computed the way the billing domain does."""
    taxable = dkk(sum((x.amount for x in lines if x.taxable), Decimal("0")))
    exempt = dkk(sum((x.amount for x in lines if not x.taxable), Decimal("0")))
    vat = vat_of(taxable, VAT_RATE)
    pid = payment_id(number)
    return InvoiceDocument(
        kind=kind,
        number=number,
        issue_date=issue_date,
        due_date=due_date,
        seller=SELLER,
        buyer=BUYER,
        lines=tuple(lines),
        vat_rate=VAT_RATE,
        taxable_subtotal=taxable,
        vat_amount=vat,
        exempt_subtotal=exempt,
        total=dkk(taxable + vat + exempt),
        creditor_number=CREDITOR,
        payment_id=pid,
        fi_payment_line=fi_line(pid, CREDITOR),
        delivery_period=delivery_period,
        references_invoice=references[0] if references else None,
        references_issue_date=references[1] if references else None,
        note=note,
        bank_account="1234 0001234567",
    )


TAXABLE_LINES = (
    line(
        "Microsoft 365 Business Premium – licens, marts 2026",
        "12",
        "stk.",
        "165.00",
        period=MARCH,
        sku="M365-BP",
    ),
    line("PC-sikkerhedspakke (ESET + overvågning)", "8", "stk.", "135.00", period=MARCH),
    line(
        "Konsulentbistand: opsætning af ny firewall, Silver-rabat",
        "2.5",
        "timer",
        "850.00",
        discount="0.10",
        period=(date(2026, 3, 10), date(2026, 3, 10)),
    ),
    line(
        "Kørsel til kunde, 42 km à statens takst",
        "42",
        "km",
        "3.94",
        period=(date(2026, 3, 10), date(2026, 3, 10)),
    ),
)
EXEMPT_LINES = (
    line("Rykkergebyr, faktura 1031", "1", "stk.", "100.00", taxable=False),
    line("Kompensation, renteloven § 9 a, stk. 3", "1", "stk.", "310.00", taxable=False),
)


@pytest.fixture
def invoice_doc() -> InvoiceDocument:
    """An invoice with taxable lines (one discounted) and two VAT-exempt fees."""
    return make_document(TAXABLE_LINES + EXEMPT_LINES)


@pytest.fixture
def taxable_invoice_doc() -> InvoiceDocument:
    """An invoice with only taxable lines."""
    return make_document(TAXABLE_LINES)


@pytest.fixture
def credit_note_doc() -> InvoiceDocument:
    """A credit note for two taxable lines of invoice 1042."""
    return make_document(
        TAXABLE_LINES[:2],
        kind="credit_note",
        number=1057,
        issue_date=date(2026, 4, 8),
        due_date=None,
        references=(1042, date(2026, 3, 31)),
        note="Kreditering af licenser opsagt pr. 28.02.2026.",
    )


@pytest.fixture
def credit_note_with_fees_doc(credit_note_doc: InvoiceDocument) -> InvoiceDocument:
    """A credit note that also gives back a VAT-exempt reminder fee."""
    return replace(
        make_document(
            (TAXABLE_LINES[2], EXEMPT_LINES[0]),
            kind="credit_note",
            number=1058,
            issue_date=date(2026, 4, 8),
            due_date=None,
            references=(1042, date(2026, 3, 31)),
        ),
        note=credit_note_doc.note,
    )
