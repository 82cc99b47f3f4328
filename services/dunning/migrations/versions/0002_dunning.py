"""Followed invoices, cases, reminders, suspended services, no-follow-up flags.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from services.dunning.adapters.tables import READ_MODELS

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    bind = op.get_bind()
    for table in READ_MODELS:
        table.create(bind)


def downgrade() -> None:
    for table in reversed(READ_MODELS):
        op.drop_table(table.name)
