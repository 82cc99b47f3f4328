"""Register, hardware and its history, moves, orders, software, workbooks, visits, mail outbox.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

from services.assets.adapters import tables

revision = "0002"
down_revision = "0001"

NEW = (
    *(table for table in tables.READ_MODELS if table is not tables.people),
    tables.workbook_files,
    tables.mail_outbox,
)


def upgrade() -> None:
    bind = op.get_bind()
    for table in NEW:
        table.create(bind)
    # Frozen as it was at this revision (0003 seals people's data in a later column).
    op.create_table(
        "people",
        sa.Column("person_id", sa.String(36), primary_key=True),
        sa.Column("customer_id", sa.String(36), nullable=False, index=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("email", sa.String(320)),
        sa.Column("department_id", sa.String(36)),
    )


def downgrade() -> None:
    op.drop_table("people")
    for table in reversed(NEW):
        op.drop_table(table.name)
