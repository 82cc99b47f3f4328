"""What the assets context learns from agreements' events, recorded as its own facts."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from pydantic import model_validator

from shared.domain import DomainEvent
from shared.privacy import Personal, legacy_personal

Role = Literal["employee", "management_approver", "finance_contact", "contact"]


class AssetRegisterOpened(DomainEvent):
    """A customer became known: its hardware and software register opens."""

    customer_id: str
    name: str
    cvr: str | None
    kind: str
    finance_email: str | None


class DepartmentNoted(DomainEvent):
    """The customer has this department."""

    customer_id: str
    department_id: str
    name: str


class PersonNoted(DomainEvent):
    """A person at the customer; name and e-mail stay sealed under the person's key."""

    customer_id: str
    person_id: str
    role: Role
    personal: Personal
    department_id: str | None

    @model_validator(mode="before")
    @classmethod
    def _noted_in_the_clear(cls, data: Any) -> Any:
        # Facts noted before sealing began carry name and e-mail in the clear.
        return legacy_personal(data) if isinstance(data, dict) else data


class PersonForgotten(DomainEvent):
    """The person was erased at agreements: their data reads as erased from now on."""

    customer_id: str
    person_id: str


class AgreementNoted(DomainEvent):
    """The customer signed an agreement, with this tier (Safe IT) or packages (MICO)."""

    customer_id: str
    profile: str
    model: str
    tier: str | None
    signed_on: date


class SubscriptionNoted(DomainEvent):
    """A subscription the register cares about started (PC security, the agreement tier)."""

    customer_id: str
    subscription_id: str
    sku: str
    service_kind: str
    quantity: int
    start: date


class SubscriptionQuantityNoted(DomainEvent):
    """A noted subscription's quantity changed."""

    customer_id: str
    subscription_id: str
    quantity: int
    effective: date


class SubscriptionEndNoted(DomainEvent):
    """A noted subscription ended."""

    customer_id: str
    subscription_id: str
    end_date: date


class AssetOverviewSent(DomainEvent):
    """The register's overview was sent to the customer's contact person on request."""

    customer_id: str
    recipients: list[str]
    sent_on: date
    hardware: int
    software: int


FACTS = (
    AssetRegisterOpened,
    DepartmentNoted,
    PersonNoted,
    PersonForgotten,
    AgreementNoted,
    SubscriptionNoted,
    SubscriptionQuantityNoted,
    SubscriptionEndNoted,
    AssetOverviewSent,
)
