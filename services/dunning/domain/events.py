"""Domain events of the dunning context (the public ones share their contract's name and fields)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from shared.domain import DomainEvent


class DebtorRegistered(DomainEvent):
    """The customer as a possible debtor."""

    customer_id: str
    name: str
    cvr: str | None
    kind: str
    finance_email: str | None = None


class SubscriptionKnown(DomainEvent):
    """A subscription and whether its service can be suspended."""

    subscription_id: str
    sku: str
    name: str
    service_kind: str
    suspendable: bool


class InvoiceKnown(DomainEvent):
    """An issued invoice dunning may have to follow (fee invoices belong to a case)."""

    invoice_number: int
    kind: str
    issue_date: date
    due_date: date
    total: Decimal
    payment_id: str
    fi_payment_line: str
    subscription_ids: list[str]
    regarding_invoice: int | None = None


class InvoiceBalanceChanged(DomainEvent):
    """What is left to pay on an invoice (after a payment or a credit note)."""

    invoice_number: int
    balance: Decimal
    on: date
    cause: str


class DisputeNoted(DomainEvent):
    """The invoice is disputed; a dispute in time pauses its dunning."""

    invoice_number: int
    in_time: bool


class DisputeEnded(DomainEvent):
    """The dispute was resolved."""

    invoice_number: int
    outcome: str


class DunningCaseOpened(DomainEvent):
    """An invoice's due date passed unpaid."""

    customer_id: str
    invoice_number: int
    due_date: date
    opened_on: date
    outstanding: Decimal


class ReminderIssued(DomainEvent):
    """A reminder or the collection notice, with the fee and the reason for it."""

    customer_id: str
    invoice_number: int
    step: str
    title: str
    reminder_number: int
    issued_on: date
    deadline: date | None
    fee: Decimal
    fee_reason: str
    compensation: Decimal
    compensation_reason: str
    interest: Decimal
    outstanding: Decimal
    collection_notice: bool
    fi_payment_line: str


class StepTaken(DomainEvent):
    """A step of the ladder was taken (also the silent ones, such as deletion)."""

    invoice_number: int
    step: str
    on: date
    deadline: date | None
    fee: Decimal
    reminder_number: int | None


class ServiceSuspended(DomainEvent):
    """Suspended for non-payment."""

    customer_id: str
    invoice_number: int
    subscription_id: str
    sku: str
    service_kind: str
    suspended_on: date


class SuspensionShared(DomainEvent):
    """Already suspended by another case; this case holds it too (nothing to do at the vendor)."""

    invoice_number: int
    subscription_id: str


class ServicePermanentlyClosed(DomainEvent):
    """Closed permanently with the collection notice."""

    customer_id: str
    invoice_number: int
    subscription_id: str
    sku: str
    service_kind: str
    closed_on: date


class HostedDataDeletionDue(DomainEvent):
    """The hosted data of a closed service is to be deleted."""

    customer_id: str
    invoice_number: int
    subscription_id: str
    sku: str
    service_kind: str
    due_on: date


class ServiceRestored(DomainEvent):
    """Paid: the service comes back."""

    customer_id: str
    invoice_number: int
    subscription_id: str
    sku: str
    service_kind: str
    restored_on: date
    after_permanent_closure: bool
    restore_within_hours: int | None
    reopening_fee: Decimal
    extra_work_hours: Decimal


class DunningCaseClosed(DomainEvent):
    """Paid in full, or credited."""

    customer_id: str
    invoice_number: int
    closed_on: date
    reason: Literal["paid", "credited"]


class DunningPaused(DomainEvent):
    """No steps until resumed."""

    customer_id: str
    invoice_number: int
    reason: str
    paused_on: date


class DunningResumed(DomainEvent):
    """The ladder continues; a step that fell due meanwhile acts on the day it resumes."""

    customer_id: str
    invoice_number: int
    reason: str
    resumed_on: date
    lifts: str


class PauseLifted(DomainEvent):
    """One of several pauses ended; the case stays paused by the others."""

    invoice_number: int
    lifts: str


class NoFollowUpSet(DomainEvent):
    """An operator stopped follow-up on the customer until a date."""

    customer_id: str
    reason: str
    until: date
    set_on: date


class NoFollowUpEnded(DomainEvent):
    """Follow-up on the customer goes on."""

    customer_id: str
    ended_on: date
    reason: str


PUBLIC = (
    DunningCaseOpened,
    ReminderIssued,
    ServiceSuspended,
    ServicePermanentlyClosed,
    HostedDataDeletionDue,
    ServiceRestored,
    DunningCaseClosed,
    DunningPaused,
    DunningResumed,
)

ALL = (
    DebtorRegistered,
    SubscriptionKnown,
    InvoiceKnown,
    InvoiceBalanceChanged,
    DisputeNoted,
    DisputeEnded,
    StepTaken,
    SuspensionShared,
    NoFollowUpSet,
    NoFollowUpEnded,
    PauseLifted,
    *PUBLIC,
)
