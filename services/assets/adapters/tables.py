"""The assets store's tables: read models (rebuilt by replay), documents and the mail outbox."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from shared.directory import known_customers_table
from shared.mail_outbox import mail_outbox_table

metadata = MetaData()

known_customers = known_customers_table(metadata)

departments = Table(
    "departments",
    metadata,
    Column("department_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("name", String(200), nullable=False),
)

people = Table(
    "people",
    metadata,
    Column("person_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("role", String(40), nullable=False),
    # name and email stay empty: the person's data is kept sealed in `personal`.
    Column("name", String(200)),
    Column("email", String(320)),
    Column("department_id", String(36)),
    Column("personal", JSON(none_as_null=True)),
)

hardware = Table(
    "hardware",
    metadata,
    Column("hardware_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("product_type", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("serial", String(100), nullable=False),
    Column("purchase_date", Date, nullable=False),
    Column("price", Numeric(12, 2), nullable=False),
    Column("supplier", String(200)),
    Column("bought_through_provider", Boolean, nullable=False),
    Column("warranty_end", Date),
    Column("department_id", String(36)),
    Column("employee_id", String(36)),
    Column("status", String(20), nullable=False),
    Column("warranty_noticed_on", Date),
    Column("registered_position", BigInteger, nullable=False),
    Index("ix_hardware_customer", "customer_id", "registered_position"),
    Index("ix_hardware_warranty", "warranty_end"),
)

hardware_history = Table(
    "hardware_history",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("hardware_id", String(36), nullable=False, index=True),
    Column("customer_id", String(36), nullable=False),
    Column("what", String(40), nullable=False),
    Column("on_day", Date, nullable=False),
    Column("details", JSON, nullable=False),
    Column("actor", String(200), nullable=False),
)

hardware_moves = Table(
    "hardware_moves",
    metadata,
    Column("event_id", String(36), primary_key=True),
    Column("position", BigInteger, nullable=False),
    Column("customer_id", String(36), nullable=False),
    Column("hardware_id", String(36), nullable=False),
    Column("moved_on", Date, nullable=False),
    Column("product_type", String(40), nullable=False),
    Column("product_name", String(200), nullable=False),
    Column("from_department", String(200)),
    Column("to_department", String(200)),
    Column("from_employee_id", String(36)),
    Column("to_employee_id", String(36)),
    Column("estimated_price", Numeric(12, 2), nullable=False),
    Index("ix_moves_customer_day", "customer_id", "moved_on"),
)

hardware_orders = Table(
    "hardware_orders",
    metadata,
    Column("order_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("approved_by", String(36), nullable=False),
    Column("product_type", String(40), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("estimated_unit_price", Numeric(12, 2), nullable=False),
    Column("estimated_total", Numeric(12, 2), nullable=False),
    Column("department_id", String(36)),
    Column("employee_id", String(36)),
    Column("ordered_on", Date, nullable=False),
    Column("note", Text),
)

software = Table(
    "software",
    metadata,
    Column("software_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("publisher", String(200)),
    Column("seats", Integer, nullable=False),
    Column("purchase_date", Date),
    Column("price", Numeric(12, 2)),
    Column("supplier", String(200)),
    Column("licence_expires", Date),
    Column("department_id", String(36)),
    Column("employee_id", String(36)),
)

workbooks = Table(
    "workbooks",
    metadata,
    Column("customer_id", String(36), nullable=False),
    Column("month", String(7), nullable=False),
    Column("workbook_id", String(36), nullable=False, unique=True),
    Column("issued_on", Date, nullable=False),
    Column("period_start", Date, nullable=False),
    Column("period_end", Date, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("total", Numeric(12, 2), nullable=False),
    Column("filename", String(200), nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("recipients", JSON, nullable=False),
    PrimaryKeyConstraint("customer_id", "month", name="pk_workbooks"),
)

service_visits = Table(
    "service_visits",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("starts_on", Date, nullable=False),
    Column("visits_per_year", Integer, nullable=False),
    Column("next_number", Integer, nullable=False),
    Column("next_due_on", Date, nullable=False),
    Column("visits", JSON, nullable=False),
    Index("ix_service_visits_next_due", "next_due_on"),
)

READ_MODELS = (
    departments,
    people,
    hardware,
    hardware_history,
    hardware_moves,
    hardware_orders,
    software,
    workbooks,
    service_visits,
)

# Not read models: written beside the events in the same transaction, never rebuilt by replay.
workbook_files = Table(
    "workbook_files",
    metadata,
    Column("workbook_id", String(36), primary_key=True),
    Column("content", LargeBinary, nullable=False),
)

mail_outbox = mail_outbox_table(metadata)
