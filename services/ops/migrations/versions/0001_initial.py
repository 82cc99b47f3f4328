"""Kernel tables, known customers and the event log.

Revision ID: 0001
Revises:
"""

from alembic import op

from services.ops.adapters.tables import event_log
from shared.directory import create_known_customers_table
from shared.store.migrations import create_kernel_tables, drop_kernel_tables

revision = "0001"
down_revision = None


def upgrade() -> None:
    create_kernel_tables()
    create_known_customers_table()
    # A frozen copy would drift from tables.py at this first revision only; later ones use op.*.
    event_log.create(op.get_bind())


def downgrade() -> None:
    op.drop_table("event_log")
    op.drop_table("known_customers")
    drop_kernel_tables()
