"""Alembic environment of the agreements store."""

from services.agreements.adapters.tables import metadata
from shared.store.migrations import run_env

run_env(metadata)
