"""A resumed case keeps the day it resumed, so its next step is shown from then.

Revision 0002 creates the read models from the current table definitions, so a database
created now already has the column; one created before gets it here. Cases resumed before
this revision show the day after `msp replay dunning`.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"


def _has_column() -> bool:
    columns = sa.inspect(op.get_bind()).get_columns("cases")
    return any(column["name"] == "not_before" for column in columns)


def upgrade() -> None:
    if not _has_column():
        with op.batch_alter_table("cases") as batch:
            batch.add_column(sa.Column("not_before", sa.Date(), nullable=True))


def downgrade() -> None:
    if _has_column():
        with op.batch_alter_table("cases") as batch:
            batch.drop_column("not_before")
