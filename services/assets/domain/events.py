"""Domain events of the assets context: hardware, orders, software, workbooks, service visits."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from services.assets.domain.facts import FACTS
from shared.domain import DomainEvent


class HardwareRegistered(DomainEvent):
    """A piece of hardware entered the register."""

    customer_id: str
    hardware_id: str
    product_type: str
    name: str
    serial: str
    purchase_date: date
    price: Decimal
    supplier: str | None
    bought_through_provider: bool
    warranty_end: date | None
    department_id: str | None
    employee_id: str | None


class HardwareMoved(DomainEvent):
    """Hardware changed department or hands, with the names as they were that day."""

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
    estimated_price: Decimal
    moved_on: date


class HardwareRetired(DomainEvent):
    """Hardware left service for good."""

    customer_id: str
    hardware_id: str
    retired_on: date
    reason: str


class HardwareReturnedForRepair(DomainEvent):
    """Hardware went back for repair under its warranty (to the provider or the supplier)."""

    customer_id: str
    hardware_id: str
    returned_on: date
    sent_to: Literal["provider", "supplier"]
    fault: str
    warranty_end: date


class HardwareRepaired(DomainEvent):
    """Repaired hardware came back into service."""

    customer_id: str
    hardware_id: str
    repaired_on: date
    note: str | None


class DeviceSetupCompleted(DomainEvent):
    """A device was set up, and under which agreement tier."""

    customer_id: str
    hardware_id: str
    product_type: str
    product_name: str
    serial: str
    completed_on: date
    hours_spent: Decimal
    agreement_tier: str | None
    silver_or_gold: bool


class WarrantyExpiring(DomainEvent):
    """The warranty ends within the notice days."""

    customer_id: str
    hardware_id: str
    product_name: str
    serial: str
    warranty_end: date
    days_left: int
    noticed_on: date


class HardwareOrdered(DomainEvent):
    """A management approver ordered hardware."""

    customer_id: str
    order_id: str
    approved_by: str
    product_type: str
    name: str
    quantity: int
    estimated_unit_price: Decimal
    estimated_total: Decimal
    department_id: str | None
    employee_id: str | None
    ordered_on: date
    note: str | None


class SoftwareRegistered(DomainEvent):
    """Software entered the register."""

    customer_id: str
    software_id: str
    name: str
    publisher: str | None
    seats: int
    purchase_date: date | None
    price: Decimal | None
    supplier: str | None
    licence_expires: date | None
    department_id: str | None
    employee_id: str | None


class HardwareWorkbookIssued(DomainEvent):
    """The month's hardware workbook was issued (its bytes are kept beside the event)."""

    customer_id: str
    workbook_id: str
    month: str
    period_start: date
    period_end: date
    issued_on: date
    rows: int
    total: Decimal
    filename: str
    sha256: str
    recipients: list[str]


class ServiceVisitsScheduled(DomainEvent):
    """Routine service visits run from the agreement's start, so many a year."""

    customer_id: str
    starts_on: date
    visits_per_year: int


class ServiceVisitDue(DomainEvent):
    """A routine service visit fell due."""

    customer_id: str
    number: int
    due_on: date


class ServiceVisitCompleted(DomainEvent):
    """A service visit ended with its condition report."""

    customer_id: str
    number: int
    due_on: date
    completed_on: date
    condition_report: str


ALL = (
    *FACTS,
    HardwareRegistered,
    HardwareMoved,
    HardwareRetired,
    HardwareReturnedForRepair,
    HardwareRepaired,
    DeviceSetupCompleted,
    WarrantyExpiring,
    HardwareOrdered,
    SoftwareRegistered,
    HardwareWorkbookIssued,
    ServiceVisitsScheduled,
    ServiceVisitDue,
    ServiceVisitCompleted,
)
