"""Commands the agreements context accepts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from services.agreements.domain.events import Role


class _Command(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class RegisterCustomer(_Command):
    """Take on a new customer."""

    name: str = Field(min_length=1, max_length=200)
    cvr: str | None = Field(default=None, description="8-digit Danish CVR number (business)")
    kind: Literal["business", "consumer"] = "business"
    address: str | None = Field(default=None, max_length=500)
    finance_email: EmailStr | None = Field(
        default=None, description="Receives invoices and the monthly hardware workbook"
    )


class AddDepartment(_Command):
    """Add a department to a customer."""

    name: str = Field(min_length=1, max_length=200)


class AddPerson(_Command):
    """Add an employee, a management approver (may order hardware) or a contact."""

    role: Role
    name: str = Field(min_length=1, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=40)
    department_id: str | None = None


class SignAgreement(_Command):
    """Sign the provider's agreement: a tier (Safe IT) or a package agreement (MICO, on trial)."""

    tier: str | None = Field(default=None, description="Tier SKU, e.g. it-agreement-silver")
    signed_on: date | None = Field(default=None, description="Defaults to today's business date")


class VendorReference(_Command):
    """Where the service lives at its vendor, so provisioning can suspend and restore it."""

    tenant_id: str | None = Field(
        default=None, max_length=100, description="Microsoft customer tenant"
    )
    vendor_subscription_id: str | None = Field(
        default=None, max_length=100, description="Partner Center id"
    )
    domain: str | None = Field(
        default=None, max_length=253, description="Plesk domain (web hosting)"
    )
    licence_key: str | None = Field(
        default=None, max_length=100, description="ESET public licence key"
    )
    company_id: str | None = Field(default=None, max_length=100, description="ESET company")
    rmm_client: str | None = Field(
        default=None, max_length=100, description="RMM client (monitoring)"
    )
    site: str | None = Field(
        default=None, max_length=253, description="Web security site (ManageWP)"
    )


class SetVendorReference(_Command):
    """Record or correct a subscription's vendor reference."""

    vendor_reference: VendorReference


class AddSubscription(_Command):
    """Order a subscription under the agreement."""

    sku: str = Field(min_length=1)
    quantity: int = Field(gt=0, le=100_000)
    billing_period: Literal["monthly", "quarterly", "yearly"] | None = Field(
        default=None, description="Defaults to the product's first billing period"
    )
    start: date | None = Field(default=None, description="Defaults to today's business date")
    vendor_reference: VendorReference | None = None


class ChangeQuantity(_Command):
    """Change the number of units from a date."""

    quantity: int = Field(gt=0, le=100_000)
    effective: date | None = Field(default=None, description="Defaults to today's business date")


class CancelSubscription(_Command):
    """Give notice; the end date follows the product's notice rule."""

    notice_date: date | None = Field(default=None, description="Defaults to today's business date")


class AnnouncePriceChange(_Command):
    """Announce a new unit price for a SKU from a date (at least the profile's notice ahead)."""

    sku: str = Field(min_length=1)
    unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    effective_from: date
