"""Subscriptions with their vendor references, the action log, its tries and manual tasks.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table(
        "provisioning_subscriptions",
        sa.Column("subscription_id", sa.String(64), primary_key=True),
        sa.Column("customer_id", sa.String(64)),
        sa.Column("sku", sa.String(60)),
        sa.Column("service_kind", sa.String(40)),
        sa.Column("quantity", sa.Integer),
        sa.Column("vendor_reference", sa.JSON, nullable=False),
    )
    op.create_table(
        "provisioning_actions",
        sa.Column("action_id", sa.String(160), primary_key=True),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("subscription_id", sa.String(64), nullable=False),
        sa.Column("sequence", sa.Integer, nullable=False),
        sa.Column("sku", sa.String(60), nullable=False),
        sa.Column("service_kind", sa.String(40), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("invoice_number", sa.Integer),
        sa.Column("occurred_on", sa.Date, nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("steps", sa.JSON, nullable=False),
        sa.Column("completed_steps", sa.JSON, nullable=False),
        sa.Column("missing", sa.JSON, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", sa.DateTime),
        sa.Column("lease_until", sa.DateTime),
        sa.Column("worker", sa.String(120)),
        sa.Column("last_error", sa.JSON),
        sa.Column("after_permanent_closure", sa.Boolean, nullable=False),
        sa.Column("restore_within_hours", sa.Integer),
        sa.Column("restore_deadline", sa.DateTime),
        sa.Column("breached_on", sa.Date),
        sa.Column("superseded_by", sa.String(160)),
        sa.Column("queued_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_provisioning_actions_customer_id", "provisioning_actions", ["customer_id"])
    op.create_index(
        "ix_provisioning_actions_due", "provisioning_actions", ["state", "next_attempt_at"]
    )
    op.create_index(
        "ix_provisioning_actions_order", "provisioning_actions", ["subscription_id", "sequence"]
    )
    op.create_table(
        "provisioning_attempts",
        sa.Column("action_id", sa.String(160), nullable=False),
        sa.Column("attempt", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(120), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("steps_done", sa.JSON, nullable=False),
        sa.Column("error", sa.JSON),
        sa.Column("retry_at", sa.DateTime),
        sa.PrimaryKeyConstraint("action_id", "attempt", name="pk_provisioning_attempts"),
    )
    op.create_table(
        "provisioning_manual_tasks",
        sa.Column("task_id", sa.String(180), primary_key=True),
        sa.Column("action_id", sa.String(160), nullable=False),
        sa.Column("customer_id", sa.String(64), nullable=False),
        sa.Column("subscription_id", sa.String(64), nullable=False),
        sa.Column("service_kind", sa.String(40), nullable=False),
        sa.Column("operation", sa.String(20), nullable=False),
        sa.Column("step", sa.String(60), nullable=False),
        sa.Column("instructions", sa.Text, nullable=False),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("opened_on", sa.Date),
        sa.Column("opened_at", sa.DateTime, nullable=False),
        sa.Column("completed_by", sa.String(120)),
        sa.Column("note", sa.Text),
        sa.Column("completed_at", sa.DateTime),
    )
    op.create_index(
        "ix_provisioning_manual_tasks_action_id", "provisioning_manual_tasks", ["action_id"]
    )


def downgrade() -> None:
    op.drop_table("provisioning_manual_tasks")
    op.drop_table("provisioning_attempts")
    op.drop_table("provisioning_actions")
    op.drop_table("provisioning_subscriptions")
