"""Read models of the other contexts for the dashboard; webhook endpoints, deliveries, secrets.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from services.ops.adapters.view_tables import VIEW_TABLES
from services.ops.adapters.webhook_tables import WEBHOOK_VIEWS, webhook_secrets

revision = "0002"
down_revision = "0001"

TABLES = (*VIEW_TABLES, *WEBHOOK_VIEWS, webhook_secrets)


def upgrade() -> None:
    # As in billing's 0002: created from tables.py; later changes get their own op.* revisions.
    bind = op.get_bind()
    for table in TABLES:
        table.create(bind)


def downgrade() -> None:
    for table in reversed(TABLES):
        op.drop_table(table.name)
