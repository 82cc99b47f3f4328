"""Departments, people, agreements, subscriptions, price changes, order confirmations.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from services.agreements.adapters import tables

revision = "0002"
down_revision = "0001"

NEW = (
    tables.departments,
    tables.agreements,
    tables.price_changes,
    tables.order_confirmations,
)


def upgrade() -> None:
    bind = op.get_bind()
    for table in NEW:
        table.create(bind)
    # Frozen as it was at this revision (0004 seals people's data in later columns).
    op.create_table(
        "people",
        sa.Column("person_id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), nullable=False, index=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("phone", sa.String(40)),
        sa.Column("department_id", sa.String(36)),
    )
    # Frozen as it was at this revision; later columns come in their own revisions.
    op.create_table(
        "subscriptions",
        sa.Column("subscription_id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), nullable=False),
        sa.Column("sku", sa.String(60), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("quantity", sa.Integer, nullable=False),
        sa.Column("billing_period", sa.String(20), nullable=False),
        sa.Column("unit_price", sa.Numeric(12, 2), nullable=False),
        sa.Column("payment_terms_days", sa.Integer, nullable=False),
        sa.Column("suspendable", sa.Boolean, nullable=False),
        sa.Column("service_kind", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("start_date", sa.Date),
        sa.Column("notice_date", sa.Date),
        sa.Column("end_date", sa.Date),
        sa.Column("notice_rule", sa.String(200)),
        sa.Index("ix_subscriptions_customer", "customer_id"),
        sa.Index("ix_subscriptions_status_end", "status", "end_date"),
    )


def downgrade() -> None:
    op.drop_table("subscriptions")
    op.drop_table("people")
    for table in reversed(NEW):
        op.drop_table(table.name)
