"""People's name and e-mail are kept sealed under the person's own key.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.alter_column("name", existing_type=sa.String(200), nullable=True)
    op.add_column("people", sa.Column("personal", sa.JSON))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("personal")
    with op.batch_alter_table("people") as batch:
        batch.alter_column("name", existing_type=sa.String(200), nullable=False)
