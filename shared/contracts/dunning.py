"""Public events of the dunning context (topic dunning.events, key = customer id)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from shared.contracts import Contract, contract
from shared.money import Amount

TOPIC = "dunning.events"


class _Dunning(Contract):
    context = "dunning"


@contract
class DunningCaseOpened(_Dunning):
    """An invoice's due date passed unpaid: a dunning case follows it from now."""

    customer_id: str
    invoice_number: int
    due_date: date
    opened_on: date
    outstanding: Amount


@contract
class ReminderIssued(_Dunning):
    """A reminder (or the collection notice) was sent, with its fee and why."""

    customer_id: str
    invoice_number: int
    step: str
    title: str
    reminder_number: int
    issued_on: date
    deadline: date | None
    fee: Amount
    fee_reason: str
    compensation: Amount
    compensation_reason: str
    interest: Amount
    outstanding: Amount
    collection_notice: bool
    fi_payment_line: str


@contract
class ServiceSuspended(_Dunning):
    """A subscription's service is suspended for non-payment."""

    customer_id: str
    invoice_number: int
    subscription_id: str
    sku: str
    service_kind: str
    suspended_on: date


@contract
class ServicePermanentlyClosed(_Dunning):
    """A suspended service is closed permanently (collection notice)."""

    customer_id: str
    invoice_number: int
    subscription_id: str
    sku: str
    service_kind: str
    closed_on: date


@contract
class HostedDataDeletionDue(_Dunning):
    """The hosted data of a permanently closed service is to be deleted now."""

    customer_id: str
    invoice_number: int
    subscription_id: str
    sku: str
    service_kind: str
    due_on: date


@contract
class ServiceRestored(_Dunning):
    """Paid: the suspended (or closed) service is to be restored."""

    customer_id: str
    invoice_number: int
    subscription_id: str
    sku: str
    service_kind: str
    restored_on: date
    after_permanent_closure: bool
    restore_within_hours: int | None
    reopening_fee: Amount
    extra_work_hours: Amount


@contract
class DunningCaseClosed(_Dunning):
    """The case ended: paid in full, or credited."""

    customer_id: str
    invoice_number: int
    closed_on: date
    reason: Literal["paid", "credited"]


@contract
class DunningPaused(_Dunning):
    """No further steps until resumed (a dispute in time, or no follow-up)."""

    customer_id: str
    invoice_number: int
    reason: str
    paused_on: date


@contract
class DunningResumed(_Dunning):
    """The ladder continues (a missed step acts at once)."""

    customer_id: str
    invoice_number: int
    reason: str
    resumed_on: date
