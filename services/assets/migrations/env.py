"""Alembic environment of the assets store."""

from services.assets.adapters.tables import metadata
from shared.store.migrations import run_env

run_env(metadata)
