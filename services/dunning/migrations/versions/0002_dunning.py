"""Followed invoices, cases, reminders, suspended services, no-follow-up flags.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from services.dunning.adapters import tables

revision = "0002"
down_revision = "0001"

NEW = (tables.followed_invoices, tables.reminders, tables.services, tables.no_follow_up)


def upgrade() -> None:
    bind = op.get_bind()
    for table in NEW:
        table.create(bind)
    # Frozen as it was at this revision; later columns come in their own revisions.
    op.create_table(
        "cases",
        sa.Column("invoice_number", sa.Integer, primary_key=True),
        sa.Column("customer_id", sa.String(36), nullable=False, index=True),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("stage", sa.String(40), nullable=False),
        sa.Column("due_date", sa.Date, nullable=False),
        sa.Column("opened_on", sa.Date, nullable=False),
        sa.Column("closed_on", sa.Date),
        sa.Column("closed_reason", sa.String(20)),
        sa.Column("paused", sa.JSON, nullable=False),
        sa.Column("taken", sa.JSON, nullable=False),
        sa.Column("fees", sa.Numeric(14, 2), nullable=False),
        sa.Column("compensation", sa.Numeric(14, 2), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("cases")
    for table in reversed(NEW):
        op.drop_table(table.name)
