"""Domain events of the agreements context."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import model_validator

from shared.domain import DomainEvent
from shared.privacy import Personal, legacy_personal

Role = Literal["employee", "management_approver", "finance_contact", "contact"]


class CustomerRegistered(DomainEvent):
    """A customer was taken on."""

    customer_id: str
    name: str
    cvr: str | None
    kind: Literal["business", "consumer"]
    address: str | None
    finance_email: str | None
    registered_on: date | None = None


class DepartmentAdded(DomainEvent):
    """The customer has a department (for assets and hardware accounts)."""

    customer_id: str
    department_id: str
    name: str


class PersonAdded(DomainEvent):
    """A person at the customer: employee, management approver or contact.

    Personal data sits only here, sealed under the person's own key (`personal`), so
    deleting that key erases it without rewriting any event.
    """

    customer_id: str
    person_id: str
    role: Role
    personal: Personal
    department_id: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _recorded_in_the_clear(cls, data: Any) -> Any:
        # Events recorded before sealing began carry name, email and phone in the clear.
        return legacy_personal(data) if isinstance(data, dict) else data


class PersonErased(DomainEvent):
    """The person's key was deleted on an erasure request: their data reads as erased."""

    customer_id: str
    person_id: str
    erased_on: date | None


class AgreementSigned(DomainEvent):
    """The customer signed the provider's agreement (with a tier, or packages)."""

    customer_id: str
    profile: str
    model: Literal["tiers", "packages"]
    tier: str | None
    signed_on: date
    first_security_check_due: date | None


class TrialStarted(DomainEvent):
    """A package agreement begins on trial: nothing invoiced, work at the trial rate."""

    customer_id: str
    started_on: date
    work_rate: Decimal


class TrialConverted(DomainEvent):
    """The trial became a running agreement; its packages start."""

    customer_id: str
    converted_on: date


class SubscriptionAdded(DomainEvent):
    """A subscription was ordered; it starts now, or when a trial converts."""

    customer_id: str
    subscription_id: str
    sku: str
    name: str
    quantity: int
    billing_period: str
    unit_price: Decimal
    payment_terms_days: int
    suspendable: bool
    service_kind: str
    start: date | None
    vendor_reference: dict[str, str] = {}


class SubscriptionVendorReferenceSet(DomainEvent):
    """Where the subscription's service lives at its vendor."""

    customer_id: str
    subscription_id: str
    sku: str
    service_kind: str
    vendor_reference: dict[str, str]


class SubscriptionStarted(DomainEvent):
    """A subscription runs from this date and is invoiced from it."""

    customer_id: str
    subscription_id: str
    start: date


class SubscriptionQuantityChanged(DomainEvent):
    """The number of licences, devices, users… changed from a date."""

    customer_id: str
    subscription_id: str
    quantity: int
    previous_quantity: int
    unit_price: Decimal
    effective: date


class SubscriptionCancellationRequested(DomainEvent):
    """Notice was given; the service runs to end_date under the named rule."""

    customer_id: str
    subscription_id: str
    notice_date: date
    end_date: date
    rule: str


class SubscriptionEnded(DomainEvent):
    """The subscription's last day has passed."""

    customer_id: str
    subscription_id: str
    end_date: date


class OrderConfirmationIssued(DomainEvent):
    """A confirmation listing the whole current agreement after a change of packages."""

    customer_id: str
    number: int
    issued_on: date
    reason: str
    lines: list[dict[str, str]]


class PriceChangeAnnounced(DomainEvent):
    """A SKU's unit price changes from a date, announced with the required notice."""

    sku: str
    unit_price: Decimal
    previous_unit_price: Decimal
    effective_from: date
    announced_on: date


ALL = (
    CustomerRegistered,
    DepartmentAdded,
    PersonAdded,
    PersonErased,
    AgreementSigned,
    TrialStarted,
    TrialConverted,
    SubscriptionAdded,
    SubscriptionVendorReferenceSet,
    SubscriptionStarted,
    SubscriptionQuantityChanged,
    SubscriptionCancellationRequested,
    SubscriptionEnded,
    OrderConfirmationIssued,
    PriceChangeAnnounced,
)
