"""Work entry ids up to 100 characters.

A restore's work entry is named after its invoice and subscription
(`restore-<invoice>-<subscription id>`), longer than the 36 characters of a UUID, so
PostgreSQL refused it and the restore's reopening fee and extra work were never recorded.
SQLite does not enforce the length.

Revision ID: 0004
Revises: 0003
"""

from alembic import op
from sqlalchemy import String

revision = "0004"
down_revision = "0003"


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("work_entries", "entry_id", type_=String(100), existing_type=String(36))


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.alter_column("work_entries", "entry_id", type_=String(36), existing_type=String(100))
