"""Commands the billing API accepts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Command(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class RecordWork(_Command):
    """Time spent for a customer; rated at once, invoiced at the next run."""

    customer_id: str
    kind: Literal["consulting", "remote", "onsite", "setup"]
    start: datetime = Field(description="Local time (Europe/Copenhagen), e.g. 2026-03-10T15:30")
    end: datetime
    km: Decimal = Field(
        default=Decimal("0"), ge=0, le=10_000, description="Driven for on-site work"
    )
    devices: int = Field(default=0, ge=0, le=1000, description="Devices set up (setup work)")
    description: str = Field(default="", max_length=500)


class AddExtraCost(_Command):
    """An extra cost (hardware, licence, travel, parts); held until the customer approves it in writing."""

    customer_id: str
    kind: Literal["hardware", "licence", "travel", "parts"]
    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(gt=0, le=100_000)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    incurred_on: date | None = None


class ApproveExtraCost(_Command):
    """Record the customer's written approval."""

    approved_by: str = Field(
        min_length=1, max_length=200, description="Who approved, as in the writing"
    )
    approved_on: date | None = None


class RegisterPayment(_Command):
    """A payment registered by hand."""

    amount: Decimal = Field(gt=0, max_digits=14, decimal_places=2)
    paid_on: date | None = None
    reference: str | None = Field(
        default=None, max_length=200, description="FI payment ID or line, or text"
    )
    invoice_number: int | None = Field(default=None, ge=1)
    payment_ref: str | None = Field(
        default=None,
        max_length=100,
        description="Your id for this payment: repeating it changes nothing",
    )


class AssignPayment(_Command):
    """Resolve an unmatched payment by naming its invoice."""

    invoice_number: int = Field(ge=1)


class DisputeInvoice(_Command):
    """The customer's written question about an invoice."""

    reason: str = Field(min_length=1, max_length=2000)
    received_on: date | None = None


class ResolveDispute(_Command):
    """End a dispute: rejected, or settled by a credit note."""

    outcome: Literal["rejected", "credited"]
    note: str = Field(default="", max_length=2000)


class CreditLine(_Command):
    """A line to credit."""

    description: str = Field(min_length=1, max_length=500)
    quantity: Decimal = Field(gt=0)
    unit_price: Decimal = Field(gt=0, max_digits=12, decimal_places=2)
    taxable: bool = True


class CreditInvoice(_Command):
    """Issue a credit note: the whole invoice, or the lines given."""

    reason: str = Field(min_length=1, max_length=500)
    lines: list[CreditLine] | None = None
