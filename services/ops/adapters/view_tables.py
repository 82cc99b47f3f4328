"""Ops' read models of the other contexts, derived only from the events ops observes."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Date, DateTime, Index, Integer, Numeric, String, Table
from sqlalchemy.dialects.postgresql import JSONB

from services.ops.adapters.tables import metadata

Document = JSON().with_variant(JSONB(), "postgresql")
Money = Numeric(14, 2)

customer_view = Table(
    "customer_view",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("cvr", String(8)),
    Column("kind", String(20)),
    Column("address", String(400)),
    Column("finance_email", String(200)),
    Column("registered_on", Date),
    Column("agreement", String(120)),
    Column("trial", Boolean, nullable=False, default=False),
    Column("departments", Document, nullable=False),
    Column("last_event_on", Date),
)

invoice_view = Table(
    "invoice_view",
    metadata,
    Column("invoice_number", Integer, primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("issue_date", Date, nullable=False),
    Column("due_date", Date, nullable=False),
    Column("total", Money, nullable=False),
    Column("balance", Money, nullable=False),
    Column("credited", Money, nullable=False),
    Column("status", String(16), nullable=False),
    Column("overdue", Boolean, nullable=False),
    Column("disputed", Boolean, nullable=False),
    Column("paid_on", Date),
    Column("regarding_invoice", Integer),
    Index("ix_invoice_view_customer", "customer_id"),
    Index("ix_invoice_view_open", "status", "due_date"),
)

payment_view = Table(
    "payment_view",
    metadata,
    Column("payment_ref", String(80), primary_key=True),
    Column("customer_id", String(36)),
    Column("amount", Money, nullable=False),
    Column("paid_on", Date, nullable=False),
    Column("matched", Boolean, nullable=False),
    Column("method", String(40)),
    Column("note", String(400)),
    Index("ix_payment_view_paid_on", "paid_on"),
)

dunning_view = Table(
    "dunning_view",
    metadata,
    Column("invoice_number", Integer, primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("due_date", Date, nullable=False),
    Column("opened_on", Date, nullable=False),
    Column("outstanding", Money, nullable=False),
    Column("stage", String(24), nullable=False),
    Column("reminders", Integer, nullable=False),
    Column("last_title", String(120)),
    Column("last_on", Date),
    Column("deadline", Date),
    Column("fees", Money, nullable=False),
    Column("compensation", Money, nullable=False),
    Column("steps", Document, nullable=False),
    Column("suspended", Integer, nullable=False),
    Column("paused", Boolean, nullable=False),
    Column("pause_reason", String(400)),
    Column("resumed_on", Date),
    Column("next_title", String(160)),
    Column("next_on", Date),
    Column("closed_on", Date),
    Column("closed_reason", String(20)),
    Index("ix_dunning_view_customer", "customer_id"),
    Index("ix_dunning_view_stage", "stage"),
)

service_view = Table(
    "service_view",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("sku", String(80), nullable=False),
    Column("name", String(200)),
    Column("service_kind", String(40)),
    Column("quantity", Integer),
    Column("suspendable", Boolean),
    Column("state", String(20), nullable=False),
    Column("state_since", Date),
    Column("invoice_number", Integer),
    Column("started_on", Date),
    Column("ends_on", Date),
    Index("ix_service_view_customer", "customer_id"),
)

provisioning_view = Table(
    "provisioning_view",
    metadata,
    Column("action_id", String(80), primary_key=True),
    Column("decision_event_id", String(36)),
    Column("customer_id", String(36)),
    Column("subscription_id", String(36)),
    Column("sku", String(80)),
    Column("service_kind", String(40)),
    Column("action", String(20), nullable=False),
    Column("vendor", String(60)),
    Column("state", String(20), nullable=False),
    Column("requested_on", Date),
    Column("requested_at", DateTime(timezone=True)),
    Column("deadline_at", DateTime(timezone=True)),
    Column("deadline_on", Date),
    Column("attempts", Integer, nullable=False),
    Column("retry_at", DateTime(timezone=True)),
    Column("last_step", String(120)),
    Column("last_error", String(600)),
    Column("breach_reported", Boolean, nullable=False, default=False),
    Column("completed_on", Date),
    Column("completed_at", DateTime(timezone=True)),
    Column("updated_event_id", String(36)),
    Index("ix_provisioning_view_state", "state"),
    Index("ix_provisioning_view_subscription", "subscription_id", "action"),
)

manual_task_view = Table(
    "manual_task_view",
    metadata,
    Column("task_id", String(80), primary_key=True),
    Column("customer_id", String(36)),
    Column("subscription_id", String(36)),
    Column("action_id", String(80)),
    Column("title", String(300), nullable=False),
    Column("opened_on", Date),
    Column("completed_on", Date),
    Column("completed_by", String(200)),
    Column("event_id", String(36), nullable=False),
)

asset_view = Table(
    "asset_view",
    metadata,
    Column("asset_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("kind", String(10), nullable=False),
    Column("product_type", String(80)),
    Column("name", String(200), nullable=False),
    Column("serial", String(120)),
    Column("department", String(200)),
    Column("purchase_date", Date),
    Column("price", Money),
    Column("warranty_end", Date),
    Column("state", String(20), nullable=False),
    Index("ix_asset_view_customer", "customer_id"),
)

VIEW_TABLES = (
    customer_view,
    invoice_view,
    payment_view,
    dunning_view,
    service_view,
    provisioning_view,
    manual_task_view,
    asset_view,
)
