"""Idempotency keys of write requests (the kernel's `idempotency_keys`).

Revision ID: 0004
Revises: 0003
"""

from shared.store.migrations import create_idempotency_table, drop_idempotency_table

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    create_idempotency_table()


def downgrade() -> None:
    drop_idempotency_table()
