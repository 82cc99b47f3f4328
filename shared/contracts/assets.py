"""Public events of the assets context (topic assets.events, key = customer id)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import PlainSerializer

from shared.contracts import Contract, contract
from shared.money import Amount

TOPIC = "assets.events"

# Hours cross JSON as strings, like amounts, so billing rates them without floats.
Hours = Annotated[Decimal, PlainSerializer(lambda v: str(v), return_type=str, when_used="json")]


class _Assets(Contract):
    context = "assets"


@contract
class HardwareRegistered(_Assets):
    """A piece of hardware entered the customer's register."""

    customer_id: str
    hardware_id: str
    product_type: str
    name: str
    serial: str
    purchase_date: date
    price: Amount
    supplier: str | None
    bought_through_provider: bool
    warranty_end: date | None
    department_id: str | None
    employee_id: str | None


@contract
class HardwareOrdered(_Assets):
    """The customer's management ordered hardware (an extra cost approved in writing)."""

    customer_id: str
    order_id: str
    approved_by: str
    product_type: str
    name: str
    quantity: int
    estimated_unit_price: Amount
    estimated_total: Amount
    department_id: str | None
    employee_id: str | None
    ordered_on: date


@contract
class HardwareMoved(_Assets):
    """Hardware changed department or hands; a row of the monthly hardware workbook."""

    customer_id: str
    hardware_id: str
    product_type: str
    product_name: str
    from_department_id: str | None
    from_department: str | None
    to_department_id: str | None
    to_department: str | None
    from_employee_id: str | None
    to_employee_id: str | None
    estimated_price: Amount
    moved_on: date


@contract
class HardwareRetired(_Assets):
    """Hardware left service for good."""

    customer_id: str
    hardware_id: str
    retired_on: date
    reason: str


@contract
class SoftwareRegistered(_Assets):
    """Software entered the customer's register."""

    customer_id: str
    software_id: str
    name: str
    publisher: str | None
    seats: int
    purchase_date: date | None
    price: Amount | None
    supplier: str | None
    licence_expires: date | None
    department_id: str | None
    employee_id: str | None


@contract
class DeviceSetupCompleted(_Assets):
    """A device was set up; billing rates it (Silver/Gold: per device, else per started hour)."""

    customer_id: str
    hardware_id: str
    product_type: str
    product_name: str
    serial: str
    completed_on: date
    hours_spent: Hours
    agreement_tier: str | None
    silver_or_gold: bool


@contract
class WarrantyExpiring(_Assets):
    """A hardware warranty ends within the notice days (raised once per item)."""

    customer_id: str
    hardware_id: str
    product_name: str
    serial: str
    warranty_end: date
    days_left: int
    noticed_on: date


@contract
class HardwareWorkbookIssued(_Assets):
    """The month's hardware workbook (.xlsx) was issued to the customer's finance department."""

    customer_id: str
    workbook_id: str
    month: str
    period_start: date
    period_end: date
    issued_on: date
    rows: int
    total: Amount
    filename: str
    sha256: str
    recipients: list[str]


@contract
class ServiceVisitDue(_Assets):
    """A routine service visit falls due today."""

    customer_id: str
    number: int
    due_on: date


@contract
class ServiceVisitCompleted(_Assets):
    """A service visit took place and its condition report was recorded."""

    customer_id: str
    number: int
    due_on: date
    completed_on: date
    condition_report: str
