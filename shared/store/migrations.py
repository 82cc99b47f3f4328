"""Alembic, per service, run programmatically at start (upgrade head), never create_all."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from alembic import command, op
from alembic.config import Config
from sqlalchemy import Connection, MetaData, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.store.schema import KERNEL_TABLES, TXID_DEFAULT, idempotency_keys

# Any fixed number: serialises migrations when several processes of a service start at once.
_MIGRATION_LOCK = 7_316_001


def create_kernel_tables() -> None:
    """Called from each service's first revision: the kernel tables, as in schema.py."""
    bind = op.get_bind()
    for table in KERNEL_TABLES:
        table.create(bind)
    if bind.dialect.name == "postgresql":
        for name in ("events", "outbox"):
            op.execute(f"ALTER TABLE {name} ALTER COLUMN txid SET DEFAULT {TXID_DEFAULT}")


def drop_kernel_tables() -> None:
    """Undo create_kernel_tables."""
    bind = op.get_bind()
    for table in reversed(KERNEL_TABLES):
        table.drop(bind)


def create_idempotency_table() -> None:
    """Called from a later revision of each service: the idempotency keys, as in schema.py."""
    idempotency_keys.create(op.get_bind())


def drop_idempotency_table() -> None:
    idempotency_keys.drop(op.get_bind())


def alembic_config(migrations_dir: Path) -> Config:
    """An Alembic config for one service's migrations folder."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    return config


async def upgrade(engine: AsyncEngine, migrations_dir: Path) -> None:
    """Bring a service store to the newest revision, one process at a time."""
    async with _sqlite_file_lock(engine), engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            await conn.execute(text(f"SELECT pg_advisory_xact_lock({_MIGRATION_LOCK})"))
        await conn.run_sync(_upgrade_sync, migrations_dir)


@contextlib.asynccontextmanager
async def _sqlite_file_lock(engine: AsyncEngine) -> AsyncIterator[None]:
    """On an SQLite file, an exclusive lock on `<file>.migrations.lock` while migrating.

    SQLite's transaction does not cover Alembic's first look at the revision table, so two
    processes starting together (the key vault, which every service process of the
    distributed mode opens when MSP_VAULT_URL is not set) could both find the store empty
    and both create its tables; one failed to start. PostgreSQL stores take an advisory
    lock instead. The lock is polled, not waited for in a thread, so a cancelled start
    leaves no thread holding it.
    """
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database.startswith(":memory:"):
        yield
        return
    path = Path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_name(path.name + ".migrations.lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                await asyncio.sleep(0.02)
        yield
    finally:
        os.close(fd)  # closing it releases the lock


def _upgrade_sync(connection: Connection, migrations_dir: Path) -> None:
    config = alembic_config(migrations_dir)
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def run_env(target_metadata: MetaData) -> None:
    """The body of every service's migrations/env.py."""
    from alembic import context

    connection: Any = context.config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("migrations run through shared.store.migrations.upgrade")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
