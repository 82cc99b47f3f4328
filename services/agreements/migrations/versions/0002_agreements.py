"""Departments, people, agreements, subscriptions, price changes, order confirmations.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from services.agreements.adapters import tables

revision = "0002"
down_revision = "0001"

NEW = (
    tables.departments,
    tables.people,
    tables.agreements,
    tables.subscriptions,
    tables.price_changes,
    tables.order_confirmations,
)


def upgrade() -> None:
    bind = op.get_bind()
    for table in NEW:
        table.create(bind)


def downgrade() -> None:
    for table in reversed(NEW):
        op.drop_table(table.name)
