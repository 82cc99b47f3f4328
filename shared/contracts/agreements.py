"""Public events of the agreements context (topic agreements.events, key = customer id)."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from shared.contracts import Contract, contract, upcaster
from shared.money import Amount
from shared.privacy import Personal, legacy_personal

TOPIC = "agreements.events"


class _Agreements(Contract):
    context = "agreements"


@contract
class CustomerRegistered(_Agreements):
    """A new customer of the provider."""

    customer_id: str
    name: str
    cvr: str | None = None
    kind: Literal["business", "consumer"] = "business"
    address: str | None = None
    finance_email: str | None = None
    registered_on: date | None = None


@contract
class DepartmentAdded(_Agreements):
    """A department of the customer."""

    customer_id: str
    department_id: str
    name: str


@contract
class PersonAdded(_Agreements):
    """A person at the customer; name, e-mail and phone are sealed under the person's key.

    `shared.vault.Vault.reveal(person_id, personal)` gives them in the clear, or the erased
    marker once the person has been erased. Version 1 carried them in the clear.
    """

    version = 2
    customer_id: str
    person_id: str
    role: Literal["employee", "management_approver", "finance_contact", "contact"]
    personal: Personal
    department_id: str | None = None


@upcaster("agreements", "PersonAdded", 1)
def _person_added_v1(data: dict[str, Any]) -> dict[str, Any]:
    """Version 1 carried name, email and phone in the clear: they read as plain personal data."""
    return legacy_personal(data)


@contract
class PersonErased(_Agreements):
    """The person's key is deleted: their name, e-mail and phone read as erased everywhere."""

    customer_id: str
    person_id: str
    erased_on: date | None = None


@contract
class AgreementSigned(_Agreements):
    """The customer signed the provider's agreement."""

    customer_id: str
    profile: str
    model: Literal["tiers", "packages"]
    tier: str | None
    signed_on: date
    first_security_check_due: date | None = None


@contract
class TrialStarted(_Agreements):
    """The agreement is on trial: no subscription invoiced, work at the trial rate."""

    customer_id: str
    started_on: date
    work_rate: Amount


@contract
class TrialConverted(_Agreements):
    """The trial ended; the agreement's packages start."""

    customer_id: str
    converted_on: date


@contract
class SubscriptionStarted(_Agreements):
    """A subscription runs from start; billing invoices it from then."""

    customer_id: str
    subscription_id: str
    sku: str
    name: str
    quantity: int
    billing_period: Literal["monthly", "quarterly", "yearly"]
    unit_price: Amount
    payment_terms_days: int
    suspendable: bool
    service_kind: str
    start: date
    vendor_reference: dict[str, str] = {}


@contract
class SubscriptionVendorReferenceSet(_Agreements):
    """Where the subscription's service lives at its vendor (tenant, domain, licence key…)."""

    customer_id: str
    subscription_id: str
    sku: str
    service_kind: str
    vendor_reference: dict[str, str]


@contract
class SubscriptionQuantityChanged(_Agreements):
    """A new quantity (and the unit price it brings) from a date."""

    customer_id: str
    subscription_id: str
    quantity: int
    previous_quantity: int
    unit_price: Amount
    effective: date


@contract
class SubscriptionCancellationRequested(_Agreements):
    """Notice given: the service runs to end_date under the rule named."""

    customer_id: str
    subscription_id: str
    notice_date: date
    end_date: date
    rule: str


@contract
class SubscriptionEnded(_Agreements):
    """The subscription's last day (end_date) has passed."""

    customer_id: str
    subscription_id: str
    end_date: date


@contract
class PriceChangeAnnounced(_Agreements):
    """A SKU's list price changes from effective_from."""

    sku: str
    unit_price: Amount
    previous_unit_price: Amount
    effective_from: date
    announced_on: date


@contract
class OrderConfirmationIssued(_Agreements):
    """An order confirmation listing the whole agreement after a change of packages."""

    customer_id: str
    number: int
    issued_on: date
    reason: str
    lines: list[dict[str, str]]
