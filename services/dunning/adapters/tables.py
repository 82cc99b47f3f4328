"""The dunning store's read-model tables."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Index,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    String,
    Table,
)

from shared.directory import known_customers_table
from shared.mail_outbox import mail_outbox_table

metadata = MetaData()

known_customers = known_customers_table(metadata)

followed_invoices = Table(
    "followed_invoices",
    metadata,
    Column("invoice_number", Integer, primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("balance", Numeric(14, 2), nullable=False),
    Column("regarding_invoice", Integer),
    Index("ix_followed_open", "kind", "due_date"),
)

cases = Table(
    "cases",
    metadata,
    Column("invoice_number", Integer, primary_key=True),
    Column("customer_id", String(36), nullable=False, index=True),
    Column("status", String(12), nullable=False),
    Column("stage", String(40), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("closed_on", Date),
    Column("closed_reason", String(20)),
    Column("paused", JSON, nullable=False),
    Column("taken", JSON, nullable=False),
    Column("fees", Numeric(14, 2), nullable=False),
    Column("compensation", Numeric(14, 2), nullable=False),
    # The day a paused case resumed: a step that fell due meanwhile acts from then.
    Column("not_before", Date),
)

reminders = Table(
    "reminders",
    metadata,
    Column("invoice_number", Integer, nullable=False),
    Column("reminder_number", Integer, nullable=False),
    Column("customer_id", String(36), nullable=False),
    Column("letter", JSON, nullable=False),
    PrimaryKeyConstraint("invoice_number", "reminder_number", name="pk_reminders"),
)

services = Table(
    "services",
    metadata,
    Column("subscription_id", String(36), nullable=False),
    Column("invoice_number", Integer, nullable=False),
    Column("customer_id", String(36), nullable=False),
    Column("sku", String(60), nullable=False),
    Column("service_kind", String(40), nullable=False),
    Column("state", String(20), nullable=False),
    Column("since", Date, nullable=False),
    Column("restore_within_hours", Integer),
    Column("after_permanent_closure", Boolean, nullable=False),
    PrimaryKeyConstraint("subscription_id", "invoice_number", name="pk_services"),
)

no_follow_up = Table(
    "no_follow_up",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("reason", String(500), nullable=False),
    Column("until", Date, nullable=False),
    Column("set_on", Date, nullable=False),
)

mail_outbox = mail_outbox_table(metadata)

READ_MODELS = (followed_invoices, cases, reminders, services, no_follow_up)
