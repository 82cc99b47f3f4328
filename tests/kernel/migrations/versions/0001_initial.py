"""Kernel tables and the tally read model.

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
        "tallies",
        sa.Column("stream_id", sa.String(200), primary_key=True),
        sa.Column("events", sa.Integer, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tallies")
    drop_kernel_tables()
