"""Alembic environment of the kernel tests' store."""

from shared.store.migrations import run_env
from tests.kernel.stores import metadata

run_env(metadata)
