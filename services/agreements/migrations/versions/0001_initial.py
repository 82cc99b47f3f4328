"""Kernel tables and the customer list.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.store.migrations import create_kernel_tables, drop_kernel_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_kernel_tables()
    op.create_table(
        "customers",
        sa.Column("customer_id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("cvr", sa.String(8)),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("address", sa.String(500)),
        sa.Column("finance_email", sa.String(320)),
        sa.Column("registered_on", sa.Date),
    )


def downgrade() -> None:
    op.drop_table("customers")
    drop_kernel_tables()
