"""Webhook endpoints, deliveries (the webhook outbox) and attempts; and the signing secrets."""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, DateTime, Index, Integer, String, Table, Text

from services.ops.adapters.tables import metadata

webhook_endpoints = Table(
    "webhook_endpoints",
    metadata,
    Column("endpoint_id", String(36), primary_key=True),
    Column("url", String(2000), nullable=False),
    Column("description", String(200)),
    Column("event_types", JSON, nullable=False),
    Column("enabled", Boolean, nullable=False),
    Column("disabled_reason", String(300)),
    Column("disabled_at", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("failing_since", DateTime(timezone=True)),
    Column("last_success_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
)

# The outbox of webhooks: a row per (endpoint, event), written with the EventObserved itself.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("delivery_id", String(80), primary_key=True),
    Column("endpoint_id", String(36), nullable=False),
    Column("event_id", String(36), nullable=False),
    Column("event_name", String(120), nullable=False),
    Column("customer_id", String(36)),
    Column("status", String(12), nullable=False),
    Column("attempts", Integer, nullable=False),
    # Attempts since it was queued or last replayed: a replay starts the schedule again.
    Column("round_attempts", Integer, nullable=False),
    Column("next_attempt_at", DateTime(timezone=True)),
    Column("last_status_code", Integer),
    Column("last_error", String(600)),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("delivered_at", DateTime(timezone=True)),
    Column("version", Integer, nullable=False),
    Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    Index("ix_webhook_deliveries_endpoint", "endpoint_id", "created_at"),
)

webhook_attempts = Table(
    "webhook_attempts",
    metadata,
    Column("attempt_id", String(36), primary_key=True),
    Column("delivery_id", String(80), nullable=False),
    Column("endpoint_id", String(36), nullable=False),
    Column("number", Integer, nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False),
    Column("outcome", String(12), nullable=False),
    Column("status_code", Integer),
    Column("error", String(600)),
    Column("response", String(600)),
    Column("duration_ms", Integer),
    Column("next_attempt_at", DateTime(timezone=True)),
    Index("ix_webhook_attempts_delivery", "delivery_id", "number"),
)

# Write side, not a projection: secrets never enter an event, so replay must leave this alone.
webhook_secrets = Table(
    "webhook_secrets",
    metadata,
    Column("endpoint_id", String(36), primary_key=True),
    Column("secret", Text, nullable=False),
)

WEBHOOK_VIEWS = (webhook_endpoints, webhook_deliveries, webhook_attempts)
