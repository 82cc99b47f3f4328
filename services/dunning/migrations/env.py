"""Alembic environment of the dunning store."""

from services.dunning.adapters.tables import metadata
from shared.store.migrations import run_env

run_env(metadata)
