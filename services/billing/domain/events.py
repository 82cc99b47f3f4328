"""Domain events of the billing context."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from shared.domain import DomainEvent


class BillingAccountOpened(DomainEvent):
    """The customer's billing account, opened when agreements registered the customer."""

    customer_id: str
    name: str
    cvr: str | None
    kind: str
    address: str | None = None
    finance_email: str | None = None


class AgreementTermsNoted(DomainEvent):
    """What the customer's agreement means for rating: a tier, a trial, or none."""

    customer_id: str
    tier: str | None
    on_trial: bool
    has_agreement: bool


class SubscriptionNoted(DomainEvent):
    """A subscription to invoice in advance, from its start."""

    customer_id: str
    subscription_id: str
    sku: str
    name: str
    unit: str
    billing_period: str
    payment_terms_days: int
    quantity: int
    unit_price: Decimal
    start: date


class SubscriptionTermsChanged(DomainEvent):
    """From a date the subscription runs at a new quantity or unit price (or stops: quantity 0)."""

    customer_id: str
    subscription_id: str
    effective: date
    quantity: int
    unit_price: Decimal
    reason: str


class WorkLine(DomainEvent):
    """One rated line of a work entry."""

    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount: Decimal
    amount: Decimal
    rule: str
    day: date
    included_hours_used: Decimal = Decimal("0")
    km: Decimal = Decimal("0")


class WorkRecorded(DomainEvent):
    """Work done for the customer, rated line by line; invoiced in arrears."""

    customer_id: str
    entry_id: str
    kind: str
    description: str
    lines: list[WorkLine]


class ExtraCostRecorded(DomainEvent):
    """An extra cost (hardware, licence, travel, parts) that needs written approval first."""

    customer_id: str
    cost_id: str
    kind: Literal["hardware", "licence", "travel", "parts"]
    description: str
    quantity: Decimal
    unit_price: Decimal
    incurred_on: date


class ExtraCostApproved(DomainEvent):
    """The customer approved the extra cost in writing; it may now be invoiced."""

    customer_id: str
    cost_id: str
    approved_by: str
    approved_on: date


class ItemsInvoiced(DomainEvent):
    """What an issued invoice covered, so it is never invoiced again."""

    customer_id: str
    invoice_number: int
    subscription_periods: list[tuple[str, date, Decimal]]  # (subscription, period start, amount)
    work_entries: list[str]
    extra_costs: list[str]


class InvoiceLine(DomainEvent):
    """A line of an issued invoice."""

    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    discount: Decimal = Decimal("0")
    amount: Decimal
    taxable: bool = True
    period_start: date | None = None
    period_end: date | None = None
    sku: str | None = None
    subscription_id: str | None = None


class InvoiceIssued(DomainEvent):
    """An invoice was issued; it never changes afterwards."""

    invoice_number: int
    customer_id: str
    kind: Literal["run", "fees"]
    issue_date: date
    due_date: date
    payment_terms_days: int
    lines: list[InvoiceLine]
    taxable_subtotal: Decimal
    vat_rate: Decimal
    vat_amount: Decimal
    exempt_subtotal: Decimal
    total: Decimal
    payment_id: str
    fi_payment_line: str
    period_start: date | None
    period_end: date | None
    regarding_invoice: int | None = None


class PaymentApplied(DomainEvent):
    """Part or all of a payment settled the invoice."""

    invoice_number: int
    payment_ref: str
    amount: Decimal
    paid_on: date
    balance: Decimal


class CreditApplied(DomainEvent):
    """A credit note reduced what the invoice demands."""

    invoice_number: int
    credit_note_number: int
    amount: Decimal
    balance: Decimal


class InvoiceSettled(DomainEvent):
    """Nothing is left to pay on the invoice."""

    invoice_number: int
    settled_on: date


class DueDatePassed(DomainEvent):
    """The due date passed with the invoice unpaid."""

    invoice_number: int
    due_date: date
    balance: Decimal
    noticed_on: date


class InvoiceDisputed(DomainEvent):
    """The customer questioned the invoice in writing; in time, dunning pauses."""

    invoice_number: int
    received_on: date
    reason: str
    in_time: bool
    deadline: date


class DisputeResolved(DomainEvent):
    """The dispute was rejected, or settled by a credit note."""

    invoice_number: int
    outcome: Literal["rejected", "credited"]
    resolved_on: date
    note: str


class CreditNoteIssued(DomainEvent):
    """A credit note correcting an issued invoice."""

    credit_note_number: int
    invoice_number: int
    customer_id: str
    issue_date: date
    reason: str
    lines: list[InvoiceLine]
    taxable_subtotal: Decimal
    vat_amount: Decimal
    exempt_subtotal: Decimal
    total: Decimal


class PaymentReceived(DomainEvent):
    """Money arrived: by hand or from a bank statement entry."""

    payment_ref: str
    amount: Decimal
    paid_on: date
    source: Literal["manual", "camt.053", "camt.054"]
    reference: str | None
    debtor_name: str | None
    statement_id: str | None


class PaymentMatched(DomainEvent):
    """The payment was matched to a customer and how it was matched."""

    payment_ref: str
    customer_id: str
    method: str
    allocations: list[tuple[int, Decimal]]
    credit_balance_added: Decimal


class PaymentUnmatched(DomainEvent):
    """No invoice or customer matched; the payment waits for an operator."""

    payment_ref: str
    reason: str


class CreditBalanceChanged(DomainEvent):
    """An overpayment is kept as credit for the customer."""

    customer_id: str
    change: Decimal
    balance: Decimal
    reason: str


class InvoiceRunStarted(DomainEvent):
    """The invoice run of a run day began."""

    run_date: date
    horizon: date


class InvoiceRunCompleted(DomainEvent):
    """Every customer of the run was invoiced."""

    run_date: date
    invoices: int


class MileageLogged(DomainEvent):
    """Kilometres driven in a year, for the state rate's yearly threshold."""

    year: int
    km: Decimal
    total: Decimal


ALL = (
    MileageLogged,
    InvoiceRunStarted,
    InvoiceRunCompleted,
    BillingAccountOpened,
    AgreementTermsNoted,
    SubscriptionNoted,
    SubscriptionTermsChanged,
    WorkRecorded,
    ExtraCostRecorded,
    ExtraCostApproved,
    ItemsInvoiced,
    InvoiceIssued,
    PaymentApplied,
    CreditApplied,
    InvoiceSettled,
    DueDatePassed,
    InvoiceDisputed,
    DisputeResolved,
    CreditNoteIssued,
    PaymentReceived,
    PaymentMatched,
    PaymentUnmatched,
    CreditBalanceChanged,
)
