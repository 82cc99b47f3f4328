"""Public events of the billing context (topic billing.events, key = customer id)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from shared.contracts import Contract, contract
from shared.money import Amount

TOPIC = "billing.events"


class _Billing(Contract):
    context = "billing"


@contract
class WorkRecorded(_Billing):
    """Work was recorded and rated; it will be invoiced in arrears."""

    customer_id: str
    entry_id: str
    kind: str
    description: str
    amount: Amount
    lines: int


@contract
class ExtraCostApproved(_Billing):
    """An extra cost was approved in writing and may be invoiced."""

    customer_id: str
    cost_id: str
    description: str
    amount: Amount
    approved_by: str
    approved_on: date


class InvoicedLine(_Billing):
    """A line of an invoice as other contexts see it."""

    description: str
    amount: Amount
    taxable: bool
    sku: str | None = None
    subscription_id: str | None = None
    period_start: date | None = None
    period_end: date | None = None


@contract
class InvoiceIssued(_Billing):
    """An invoice was issued (it never changes; corrections are credit notes)."""

    invoice_number: int
    customer_id: str
    kind: Literal["run", "fees"]
    issue_date: date
    due_date: date
    taxable_subtotal: Amount
    vat_amount: Amount
    exempt_subtotal: Amount
    total: Amount
    payment_id: str
    fi_payment_line: str
    lines: list[InvoicedLine]
    regarding_invoice: int | None = None


@contract
class CreditNoteIssued(_Billing):
    """A credit note corrected an issued invoice."""

    credit_note_number: int
    invoice_number: int
    customer_id: str
    issue_date: date
    total: Amount
    invoice_balance: Amount
    reason: str


@contract
class PaymentReceived(_Billing):
    """Money arrived and was matched to the customer."""

    payment_ref: str
    customer_id: str
    amount: Amount
    paid_on: date
    source: str
    method: str
    credit_balance_added: Amount


@contract
class PaymentUnmatched(_Billing):
    """Money arrived that nothing matched; it waits for an operator."""

    payment_ref: str
    amount: Amount
    paid_on: date
    reference: str | None
    debtor_name: str | None
    reason: str


@contract
class InvoicePartiallyPaid(_Billing):
    """Part of the invoice was paid; the balance is still owed."""

    invoice_number: int
    customer_id: str
    amount: Amount
    balance: Amount
    paid_on: date


@contract
class InvoicePaid(_Billing):
    """Nothing is left to pay on the invoice (paid, or credited)."""

    invoice_number: int
    customer_id: str
    paid_on: date


@contract
class InvoiceDisputed(_Billing):
    """The customer questioned the invoice; in time, dunning of it pauses."""

    invoice_number: int
    customer_id: str
    received_on: date
    deadline: date
    in_time: bool
    pauses_dunning: bool
    reason: str


@contract
class DisputeResolved(_Billing):
    """The dispute ended: rejected, or settled by a credit note."""

    invoice_number: int
    customer_id: str
    outcome: Literal["rejected", "credited"]
    resolved_on: date


@contract
class DueDatePassed(_Billing):
    """The due date passed with the invoice unpaid."""

    invoice_number: int
    customer_id: str
    due_date: date
    balance: Amount
    issue_date: date
