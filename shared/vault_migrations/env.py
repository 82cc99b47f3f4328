"""Alembic environment of the key vault."""

from shared.store.migrations import run_env
from shared.vault import metadata

run_env(metadata)
