"""Alembic environment of the provisioning store."""

from services.provisioning.adapters.tables import metadata
from shared.store.migrations import run_env

run_env(metadata)
