"""Register, hardware and its history, moves, orders, software, workbooks, visits, mail outbox.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

from services.assets.adapters import tables

revision = "0002"
down_revision = "0001"

NEW = (*tables.READ_MODELS, tables.workbook_files, tables.mail_outbox)


def upgrade() -> None:
    bind = op.get_bind()
    for table in NEW:
        table.create(bind)


def downgrade() -> None:
    for table in reversed(NEW):
        op.drop_table(table.name)
