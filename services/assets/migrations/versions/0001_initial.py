"""Kernel tables and the known customers.

Revision ID: 0001
Revises:
"""

from alembic import op

from shared.directory import create_known_customers_table
from shared.store.migrations import create_kernel_tables, drop_kernel_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_kernel_tables()
    create_known_customers_table()


def downgrade() -> None:
    op.drop_table("known_customers")
    drop_kernel_tables()
