"""Reminder letters wait in a mail outbox until sent.

Revision ID: 0003
Revises: 0002
"""

from alembic import op
from sqlalchemy import MetaData

from shared.mail_outbox import mail_outbox_table

revision = "0003"
down_revision = "0002"


def upgrade() -> None:
    mail_outbox_table(MetaData()).create(op.get_bind())


def downgrade() -> None:
    op.drop_table("mail_outbox")
