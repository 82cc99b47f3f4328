"""Insert-or-update that reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection


async def upsert(
    conn: AsyncConnection,
    table: Table,
    row: dict[str, Any],
    *,
    key: Sequence[str],
    update: bool = True,
) -> None:
    """Insert the row, or update its non-key columns if the key exists (or leave it, update=False)."""
    build = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = build(table).values(**row)
    changes = {name: statement.excluded[name] for name in row if name not in key and update}
    if changes:
        statement = statement.on_conflict_do_update(index_elements=list(key), set_=changes)
    else:
        statement = statement.on_conflict_do_nothing(index_elements=list(key))
    await conn.execute(statement)
