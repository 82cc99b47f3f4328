"""The ops store's read-model tables."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
)
from sqlalchemy.dialects.postgresql import JSONB

from shared.directory import known_customers_table

metadata = MetaData()

known_customers = known_customers_table(metadata)

event_log = Table(
    "event_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    Column("event_id", String(36), nullable=False, unique=True),
    Column("type", String(200), nullable=False),
    Column("name", String(120), nullable=False),
    Column("context", String(40), nullable=False),
    Column("customer_id", String(36)),
    Column("subject", String(200)),
    Column("business_date", Date),
    Column("time", DateTime(timezone=True), nullable=False),
    Column("actor", String(200), nullable=False),
    Column("correlation_id", String(64)),
    Column("causation_id", String(64)),
    Column("envelope", JSON().with_variant(JSONB(), "postgresql"), nullable=False),
    Index("ix_event_log_customer", "customer_id", "seq"),
    Index("ix_event_log_name", "name", "seq"),
    Index("ix_event_log_causation", "causation_id"),
)
