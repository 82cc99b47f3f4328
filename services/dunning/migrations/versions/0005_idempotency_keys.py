"""Idempotency keys of write requests (the kernel's `idempotency_keys`).

Revision ID: 0005
Revises: 0004
"""

from shared.store.migrations import create_idempotency_table, drop_idempotency_table

revision = "0005"
down_revision = "0004"


def upgrade() -> None:
    create_idempotency_table()


def downgrade() -> None:
    drop_idempotency_table()
