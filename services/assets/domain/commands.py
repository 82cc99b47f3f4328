"""Commands the assets context accepts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from services.assets.domain.policy import ProductType


class _Command(BaseModel):
    model_config = ConfigDict(str_strip_whitespace=True, extra="forbid")


class RegisterHardware(_Command):
    """Enter a piece of hardware in the customer's register (company, department or employee)."""

    product_type: ProductType
    name: str = Field(min_length=1, max_length=200, description="Product name, e.g. Lenovo T14")
    serial: str = Field(min_length=1, max_length=100)
    purchase_date: date
    price: Decimal = Field(ge=0, max_digits=12, decimal_places=2, description="DKK excl. VAT")
    supplier: str | None = Field(default=None, max_length=200)
    bought_through_provider: bool = Field(
        default=True, description="Bought through the provider: the provider's warranty applies"
    )
    warranty_end: date | None = Field(
        default=None, description="Only for hardware bought elsewhere (the supplier's warranty)"
    )
    department_id: str | None = None
    employee_id: str | None = None


class MoveHardware(_Command):
    """Move hardware to another department and/or person, at an estimated price."""

    to_department_id: str | None = Field(
        default=None, description="Defaults to the new holder's department"
    )
    to_employee_id: str | None = Field(default=None, description="None: held by the department")
    estimated_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)


class RetireHardware(_Command):
    """Take hardware out of service for good."""

    reason: str = Field(min_length=1, max_length=500)


class ReturnHardwareForRepair(_Command):
    """Send defective hardware for repair under its warranty."""

    fault: str = Field(min_length=1, max_length=1000)
    sent_to: Literal["provider", "supplier"] = "provider"


class ReceiveRepairedHardware(_Command):
    """Take repaired hardware back into service."""

    note: str | None = Field(default=None, max_length=1000)


class CompleteDeviceSetup(_Command):
    """Record that a device was set up, and the hours it took."""

    hours_spent: Decimal = Field(gt=0, le=24, max_digits=4, decimal_places=2)


class OrderHardware(_Command):
    """Order hardware; the order must come from a management approver of the customer."""

    approved_by: str | None = Field(
        default=None, description="person_id of the customer's management approver"
    )
    product_type: ProductType
    name: str = Field(min_length=1, max_length=200)
    quantity: int = Field(gt=0, le=1000)
    estimated_unit_price: Decimal = Field(ge=0, max_digits=12, decimal_places=2)
    department_id: str | None = None
    employee_id: str | None = None
    note: str | None = Field(default=None, max_length=1000)


class RegisterSoftware(_Command):
    """Enter software in the customer's register (company, department or employee)."""

    name: str = Field(min_length=1, max_length=200)
    publisher: str | None = Field(default=None, max_length=200)
    seats: int = Field(default=1, gt=0, le=100_000)
    purchase_date: date | None = None
    price: Decimal | None = Field(default=None, ge=0, max_digits=12, decimal_places=2)
    supplier: str | None = Field(default=None, max_length=200)
    licence_expires: date | None = None
    department_id: str | None = None
    employee_id: str | None = None


class RecordServiceVisit(_Command):
    """Record the next routine service visit with its condition report."""

    condition_report: str = Field(min_length=1, max_length=20_000)


class SendAssetOverview(_Command):
    """Send the register's overview to the customer's contact person."""

    person_id: str | None = Field(
        default=None, description="A contact with an e-mail; default: every such contact"
    )
