"""Response schemas of the assets API."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel

from shared.money import Amount


class HistoryEntry(BaseModel):
    """Something that happened to a device, who did it, and when."""

    what: str
    on_day: date
    actor: str
    details: dict[str, Any]


class HardwareRead(BaseModel):
    """A device in the register."""

    hardware_id: str
    customer_id: str
    product_type: str
    name: str
    serial: str
    purchase_date: date
    price: Amount
    supplier: str | None
    bought_through_provider: bool
    warranty_end: date | None
    warranty_noticed_on: date | None
    department_id: str | None
    employee_id: str | None
    status: str
    history: list[HistoryEntry] = []


class MoveRead(BaseModel):
    """A move, as the workbook shows it."""

    hardware_id: str
    moved_on: date
    product_type: str
    product_name: str
    from_department: str | None
    to_department: str | None
    from_employee_id: str | None
    to_employee_id: str | None
    estimated_price: Amount


class OrderRead(BaseModel):
    """A hardware order and the approver it came from."""

    order_id: str
    customer_id: str
    approved_by: str
    product_type: str
    name: str
    quantity: int
    estimated_unit_price: Amount
    estimated_total: Amount
    department_id: str | None
    employee_id: str | None
    ordered_on: date
    note: str | None


class SoftwareRead(BaseModel):
    """Software in the register."""

    software_id: str
    customer_id: str
    name: str
    publisher: str | None
    seats: int
    purchase_date: date | None
    price: Amount | None
    supplier: str | None
    licence_expires: date | None
    department_id: str | None
    employee_id: str | None


class DeviceRead(BaseModel):
    """A device without a PC security package."""

    hardware_id: str
    product_type: str
    name: str
    serial: str
    department: str | None
    employee_id: str | None


class PackageSourceRead(BaseModel):
    """Packages from the tier or a subscription, and how many no device uses."""

    source: str
    subscription_id: str | None
    quantity: int
    unused: int


class ReconciliationRead(BaseModel):
    """Devices against PC security packages."""

    customer_id: str
    tier: str | None
    devices: int
    packages: int
    device_types: list[str]
    sources: list[PackageSourceRead]
    devices_without_package: list[DeviceRead]
    packages_without_device: list[PackageSourceRead]
    example_fields: list[str]


class WorkbookRead(BaseModel):
    """An issued hardware workbook."""

    customer_id: str
    month: str
    workbook_id: str
    issued_on: date
    period_start: date
    period_end: date
    rows: int
    total: Amount
    filename: str
    sha256: str
    recipients: list[str]


class VisitRead(BaseModel):
    """A routine service visit."""

    number: int
    due_on: date
    status: str
    completed_on: date | None = None
    condition_report: str | None = None
    recorded_by: str | None = None


class ServiceVisitsRead(BaseModel):
    """A customer's routine visits: those so far and the next one."""

    customer_id: str
    starts_on: date
    visits_per_year: int
    visits: list[VisitRead]
    next_visit: VisitRead


class OverviewSentRead(BaseModel):
    """Who the overview went to."""

    recipients: list[str]


class MailRead(BaseModel):
    """A mail in the outbox and how its delivery went."""

    id: int
    customer_id: str | None
    reason: str
    recipients: list[str]
    subject: str
    attachment_name: str | None
    status: str
    attempts: int
    last_error: str | None
    queued_at: datetime
    sent_at: datetime | None


class TermsRead(BaseModel):
    """The assets terms in force; example_fields are example values, not the provider's terms."""

    profile: str
    monthly_hardware_workbook: bool
    warranty_months: int
    warranty_notice_days: int
    pc_security_device_types: list[str]
    service_visits_per_year: int
    example_fields: list[str]
