"""Insert-or-update that reads the same on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Table, and_, bindparam, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.elements import ClauseElement


async def upsert(
    conn: AsyncConnection,
    table: Table,
    row: dict[str, Any],
    *,
    key: Sequence[str],
    update: bool = True,
) -> None:
    """Insert the row, or update its non-key columns if the key exists (or leave it, update=False)."""
    in_memory = getattr(conn, "upsert", None)  # a replay's in-memory image (shared.store.replay)
    if in_memory is not None and in_memory(table, row, key, update):
        return
    # The statement is built once per table, set of columns and key; the row is its parameters
    # (a value that is an SQL expression goes into the statement itself).
    statement = _upsert_statement(conn.dialect.name, table, tuple(row), tuple(key), update)
    if any(isinstance(value, ClauseElement) for value in row.values()):
        await conn.execute(statement.values(**row))
    else:
        await conn.execute(statement, row)


@lru_cache(maxsize=512)
def _upsert_statement(
    dialect: str, table: Table, columns: tuple[str, ...], key: tuple[str, ...], update: bool
) -> Any:
    statement = (pg_insert if dialect == "postgresql" else sqlite_insert)(table)
    changes = {name: statement.excluded[name] for name in columns if name not in key and update}
    if changes:
        return statement.on_conflict_do_update(index_elements=list(key), set_=changes)
    return statement.on_conflict_do_nothing(index_elements=list(key))


async def update_row(
    conn: AsyncConnection, table: Table, key: Mapping[str, Any], values: Mapping[str, Any]
) -> None:
    """Set values on the row whose key columns equal key (no row, no change).

    The statement is built once per table and set of columns, so a projection that updates
    one row per event does not build a new statement every time; during replay the change
    is made to the in-memory image directly (shared.store.replay).
    """
    in_memory = getattr(conn, "update_row", None)
    if in_memory is not None and in_memory(table, key, values):
        return
    statement = _update_statement(table, tuple(key), tuple(values))
    parameters = {f"k_{name}": value for name, value in key.items()}
    parameters.update({f"v_{name}": value for name, value in values.items()})
    await conn.execute(statement, parameters)


@lru_cache(maxsize=512)
def _update_statement(table: Table, key: tuple[str, ...], columns: tuple[str, ...]) -> Update:
    return (
        update(table)
        .where(and_(*(table.c[name] == bindparam(f"k_{name}") for name in key)))
        .values({name: bindparam(f"v_{name}", type_=table.c[name].type) for name in columns})
    )
