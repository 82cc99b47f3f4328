"""Alembic environment of the ops store."""

from services.ops.adapters.tables import metadata
from shared.store.migrations import run_env

run_env(metadata)
