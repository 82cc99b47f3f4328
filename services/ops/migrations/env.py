"""Alembic environment of the ops store."""

from services.ops.adapters import view_tables, webhook_tables  # noqa: F401 - register the tables
from services.ops.adapters.tables import metadata
from shared.store.migrations import run_env

run_env(metadata)
