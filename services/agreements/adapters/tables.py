"""The agreements store's read-model tables."""

from __future__ import annotations

from sqlalchemy import Column, Date, MetaData, String, Table

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
