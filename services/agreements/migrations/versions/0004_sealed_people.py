"""People keep their personal data sealed under their own key, and can be erased.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.alter_column("name", existing_type=sa.String(200), nullable=True)
        batch.add_column(sa.Column("personal", sa.JSON))
        batch.add_column(sa.Column("erased", sa.Boolean, nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("erased")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("personal")
    with op.batch_alter_table("people") as batch:
        batch.alter_column("name", existing_type=sa.String(200), nullable=False)
