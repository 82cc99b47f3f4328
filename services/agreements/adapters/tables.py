"""The agreements store's read-model tables."""

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

metadata = MetaData()

customers = Table(
    "customers",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("cvr", String(8)),
    Column("kind", String(20), nullable=False),
    Column("address", String(500)),
    Column("finance_email", String(320)),
    Column("registered_on", Date),
)

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
    # name, email and phone stay empty: the person's data is kept sealed in `personal`.
    Column("name", String(200)),
    Column("email", String(320)),
    Column("phone", String(40)),
    Column("department_id", String(36)),
    Column("personal", JSON(none_as_null=True)),
    Column("erased", Boolean, nullable=False, default=False),
)

agreements = Table(
    "agreements",
    metadata,
    Column("customer_id", String(36), primary_key=True),
    Column("profile", String(40), nullable=False),
    Column("model", String(20), nullable=False),
    Column("tier", String(60)),
    Column("status", String(20), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("converted_on", Date),
    Column("first_security_check_due", Date),
)

subscriptions = Table(
    "subscriptions",
    metadata,
    Column("subscription_id", String(36), primary_key=True),
    Column("customer_id", String(36), nullable=False),
    Column("sku", String(60), nullable=False),
    Column("name", String(200), nullable=False),
    Column("quantity", Integer, nullable=False),
    Column("billing_period", String(20), nullable=False),
    Column("unit_price", Numeric(12, 2), nullable=False),
    Column("payment_terms_days", Integer, nullable=False),
    Column("suspendable", Boolean, nullable=False),
    Column("service_kind", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("start_date", Date),
    Column("notice_date", Date),
    Column("end_date", Date),
    Column("notice_rule", String(200)),
    Column("vendor_reference", JSON),
    Index("ix_subscriptions_customer", "customer_id"),
    Index("ix_subscriptions_status_end", "status", "end_date"),
)

price_changes = Table(
    "price_changes",
    metadata,
    Column("sku", String(60), nullable=False),
    Column("effective_from", Date, nullable=False),
    Column("unit_price", Numeric(12, 2), nullable=False),
    Column("previous_unit_price", Numeric(12, 2), nullable=False),
    Column("announced_on", Date, nullable=False),
    PrimaryKeyConstraint("sku", "effective_from", name="pk_price_changes"),
)

order_confirmations = Table(
    "order_confirmations",
    metadata,
    Column("customer_id", String(36), nullable=False),
    Column("number", Integer, nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("reason", String(200), nullable=False),
    Column("lines", JSON, nullable=False),
    PrimaryKeyConstraint("customer_id", "number", name="pk_order_confirmations"),
)

READ_MODELS = (
    customers,
    departments,
    people,
    agreements,
    subscriptions,
    price_changes,
    order_confirmations,
)
