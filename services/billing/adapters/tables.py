"""The billing store's read-model tables."""

from __future__ import annotations

from sqlalchemy import MetaData

from shared.directory import known_customers_table

metadata = MetaData()

known_customers = known_customers_table(metadata)
