"""Alembic environment of the billing store."""

from services.billing.adapters.tables import metadata
from shared.store.migrations import run_env

run_env(metadata)
