"""Dead letters: every service's poison messages, as ops recorded them.

Revision ID: 0003
Revises: 0002
"""

from alembic import op

from services.ops.dead_letters import dead_letters

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    dead_letters.create(op.get_bind())


def downgrade() -> None:
    op.drop_table(dead_letters.name)
