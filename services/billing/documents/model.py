"""The invoice or credit note as a document: everything §58 of momsbekendtgørelsen asks for."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal


@dataclass(frozen=True)
class Party:
    """Seller or buyer as printed on the document."""

    name: str
    address: str
    cvr: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class DocumentLine:
    """One line: quantity and kind, unit price excl. VAT, discount, amount, VAT or exempt."""

    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    amount: Decimal
    taxable: bool = True
    discount: Decimal = Decimal("0")
    period_start: date | None = None
    period_end: date | None = None
    sku: str | None = None


@dataclass(frozen=True)
class InvoiceDocument:
    """An issued invoice or credit note, ready to render."""

    kind: Literal["invoice", "credit_note"]
    number: int
    issue_date: date
    due_date: date | None
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    vat_rate: Decimal
    taxable_subtotal: Decimal
    vat_amount: Decimal
    exempt_subtotal: Decimal
    total: Decimal
    creditor_number: str
    payment_id: str
    fi_payment_line: str
    delivery_period: tuple[date, date] | None = None
    references_invoice: int | None = None
    references_issue_date: date | None = None
    note: str = ""
    currency: str = "DKK"
    bank_account: str = ""
    buyer_reference: str = field(default="")
