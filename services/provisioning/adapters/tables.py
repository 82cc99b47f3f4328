"""The provisioning store's read-model tables (times are naive UTC, the same on both dialects)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
)

from shared.directory import known_customers_table

metadata = MetaData()

known_customers = known_customers_table(metadata)

subscriptions = Table(
    "provisioning_subscriptions",
    metadata,
    Column("subscription_id", String(64), primary_key=True),
    Column("customer_id", String(64)),
    Column("sku", String(60)),
    Column("service_kind", String(40)),
    Column("quantity", Integer),
    Column("vendor_reference", JSON, nullable=False),
)

actions = Table(
    "provisioning_actions",
    metadata,
    Column("action_id", String(160), primary_key=True),
    Column("customer_id", String(64), nullable=False, index=True),
    Column("subscription_id", String(64), nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("sku", String(60), nullable=False),
    Column("service_kind", String(40), nullable=False),
    Column("operation", String(20), nullable=False),
    Column("invoice_number", Integer),
    Column("occurred_on", Date, nullable=False),
    Column("state", String(20), nullable=False),
    Column("steps", JSON, nullable=False),
    Column("completed_steps", JSON, nullable=False),
    Column("missing", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime),  # None: due now
    Column("lease_until", DateTime),
    Column("worker", String(120)),
    Column("last_error", JSON),
    Column("after_permanent_closure", Boolean, nullable=False),
    Column("restore_within_hours", Integer),
    Column("restore_deadline", DateTime),
    Column("breached_on", Date),
    Column("superseded_by", String(160)),
    Column("queued_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Index("ix_provisioning_actions_due", "state", "next_attempt_at"),
    Index("ix_provisioning_actions_order", "subscription_id", "sequence"),
)

attempts = Table(
    "provisioning_attempts",
    metadata,
    Column("action_id", String(160), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("worker", String(120), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Column("outcome", String(20), nullable=False),  # running, succeeded, failed, dead_lettered, …
    Column("steps_done", JSON, nullable=False),
    Column("error", JSON),
    Column("retry_at", DateTime),
    PrimaryKeyConstraint("action_id", "attempt", name="pk_provisioning_attempts"),
)

manual_tasks = Table(
    "provisioning_manual_tasks",
    metadata,
    Column("task_id", String(180), primary_key=True),
    Column("action_id", String(160), nullable=False, index=True),
    Column("customer_id", String(64), nullable=False),
    Column("subscription_id", String(64), nullable=False),
    Column("service_kind", String(40), nullable=False),
    Column("operation", String(20), nullable=False),
    Column("step", String(60), nullable=False),
    Column("instructions", Text, nullable=False),
    Column("state", String(12), nullable=False),  # open, completed
    Column("opened_on", Date),
    Column("opened_at", DateTime, nullable=False),
    Column("completed_by", String(120)),
    Column("note", Text),
    Column("completed_at", DateTime),
)

READ_MODELS = (subscriptions, actions, attempts, manual_tasks)
