"""Response schemas of the agreements API."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel

from shared.money import Amount


class DepartmentRead(BaseModel):
    """A department of a customer."""

    department_id: str
    name: str


class PersonRead(BaseModel):
    """A person at a customer; an erased person reads as "[erased]" with no e-mail or phone."""

    person_id: str
    role: str
    name: str
    email: str | None
    phone: str | None
    department_id: str | None
    erased: bool = False


class CustomerRead(BaseModel):
    """A customer with its departments and people."""

    customer_id: str
    name: str
    cvr: str | None
    kind: str
    address: str | None
    finance_email: str | None
    registered_on: date | None
    departments: list[DepartmentRead] = []
    people: list[PersonRead] = []


class SubscriptionRead(BaseModel):
    """A subscription and where it stands."""

    subscription_id: str
    customer_id: str
    sku: str
    name: str
    quantity: int
    billing_period: str
    unit_price: Amount
    payment_terms_days: int
    suspendable: bool
    service_kind: str
    status: str
    start_date: date | None
    notice_date: date | None
    end_date: date | None
    notice_rule: str | None
    vendor_reference: dict[str, str] | None = None


class AgreementRead(BaseModel):
    """The customer's agreement with its subscriptions."""

    customer_id: str
    profile: str
    model: str
    tier: str | None
    status: str
    signed_on: date
    converted_on: date | None
    first_security_check_due: date | None
    subscriptions: list[SubscriptionRead]


class CancellationRead(BaseModel):
    """When a cancelled subscription ends, and under which rule."""

    subscription_id: str
    notice_date: date
    end_date: date
    rule: str


class PriceChangeRead(BaseModel):
    """An announced price change."""

    sku: str
    unit_price: Amount
    previous_unit_price: Amount
    effective_from: date
    announced_on: date


class ProductRead(BaseModel):
    """A catalogue entry; example_fields are example values, not the provider's terms."""

    sku: str
    name: str
    description: str
    kind: str
    unit: str
    unit_price: Amount
    billing_periods: list[str]
    yearly_discount: Amount
    volume_tiers: list[dict[str, Any]]
    payment_terms_days: int
    notice: dict[str, str]
    suspendable: bool
    example_fields: list[str]
    price_changes: list[PriceChangeRead]


class OrderConfirmationRead(BaseModel):
    """An order confirmation: the whole agreement after a change."""

    customer_id: str
    number: int
    issued_on: date
    reason: str
    lines: list[dict[str, str]]
