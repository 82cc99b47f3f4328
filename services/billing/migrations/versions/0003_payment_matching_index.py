"""An index on the invoice balance, so matching a payment by amount reads by index.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from sqlalchemy import Index

from services.billing.adapters.tables import invoices

revision = "0003"
down_revision = "0002"


def _balance_index() -> Index:
    return next(i for i in invoices.indexes if i.name == "ix_invoices_balance")


def upgrade() -> None:
    # A store created at 0002 from the current tables already has it.
    _balance_index().create(op.get_bind(), checkfirst=True)


def downgrade() -> None:
    _balance_index().drop(op.get_bind(), checkfirst=True)
