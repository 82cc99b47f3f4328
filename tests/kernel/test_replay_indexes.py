"""Replay on PostgreSQL writes a large read model without its indexes, then builds them again.

Building an index over rows already written sorts them once; keeping it while they are
written puts every key at a random place in it. The indexes must come back exactly as they
were (names, definitions, constraints), and a table another table's foreign key points at
keeps its own.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import (
    Column,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    select,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.store import replay
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, Metadata, NewEvent, StoredEvent
from shared.store.migrations import upgrade
from shared.store.replay import rebuild_projections
from shared.store.upsert import update_row, upsert
from tests.kernel.stores import MIGRATIONS

pytestmark = pytest.mark.postgres

metadata = MetaData()
accounts = Table(
    "ledger_accounts",
    metadata,
    Column("account_id", String(36), primary_key=True),
    Column("owner", String(60), nullable=False),
    Column("name", String(60), nullable=False),
    Column("balance", Integer, nullable=False),
    UniqueConstraint("owner", "name", name="uq_ledger_accounts_owner_name"),
    Index("ix_ledger_accounts_balance", "balance", postgresql_where="balance < 0"),
)
entries = Table(
    "ledger_entries",
    metadata,
    Column("entry_id", String(36), primary_key=True),
    Column("account_id", ForeignKey("ledger_accounts.account_id"), nullable=False),
    Column("amount", Integer, nullable=False),
    Index("ix_ledger_entries_account", "account_id", "amount"),
)


class Ledger:
    name = "ledger"
    tables = [accounts, entries]

    async def apply(self, conn: AsyncConnection, event: StoredEvent) -> None:
        d = event.data
        if event.type == "AccountOpened":
            await upsert(conn, accounts, {**d, "balance": 0}, key=["account_id"])
        elif event.type == "Booked":
            await upsert(conn, entries, d, key=["entry_id"])
            balance = (
                await conn.execute(
                    select(accounts.c.balance).where(accounts.c.account_id == d["account_id"])
                )
            ).scalar_one()
            await update_row(
                conn, accounts, {"account_id": d["account_id"]}, {"balance": balance + d["amount"]}
            )


async def catalogue(conn: AsyncConnection) -> dict[str, Any]:
    """The two tables' indexes (name, definition, its own identity) and constraints."""
    indexes = await conn.exec_driver_sql(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), i.indexrelid::int"
        " FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE i.indrelid IN ('ledger_accounts'::regclass, 'ledger_entries'::regclass)"
    )
    constraints = await conn.exec_driver_sql(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid IN ('ledger_accounts'::regclass, 'ledger_entries'::regclass)"
    )
    return {
        "indexes": {name: (definition, oid) for name, definition, oid in indexes},
        "constraints": dict(constraints.all()),
    }


async def rows(conn: AsyncConnection) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table.name: sorted(tuple(r) for r in await conn.execute(select(table)))
        for table in (accounts, entries)
    }


async def test_replay_builds_the_indexes_again_exactly_and_spares_a_referenced_table(
    pg_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine = make_engine(pg_database)
    store = EventStore(engine, source="test", projections=[Ledger()])
    try:
        await upgrade(engine, MIGRATIONS)
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        async with store.transaction(Metadata(actor="test")) as tx:
            for n in range(6):
                account = f"a{n}"
                await tx.append(
                    account,
                    0,
                    [
                        NewEvent(
                            "AccountOpened", {"account_id": account, "owner": "o", "name": account}
                        )
                    ]
                    + [
                        NewEvent(
                            "Booked",
                            {"entry_id": f"{account}-{k}", "account_id": account, "amount": k - n},
                        )
                        for k in range(5)
                    ],
                )
        async with engine.connect() as conn:
            before, kept = await catalogue(conn), await rows(conn)
        monkeypatch.setattr(replay, "INDEXES_REBUILT_FROM", 1)  # every table counts as large
        assert await rebuild_projections(store) == 36
        async with engine.connect() as conn:
            after, replayed = await catalogue(conn), await rows(conn)
    finally:
        await store.close()
    definitions = {name: d for name, (d, _) in before["indexes"].items()}
    assert {name: d for name, (d, _) in after["indexes"].items()} == definitions
    assert after["constraints"] == before["constraints"]
    assert set(definitions) == {
        "ledger_accounts_pkey",
        "uq_ledger_accounts_owner_name",
        "ix_ledger_accounts_balance",
        "ledger_entries_pkey",
        "ix_ledger_entries_account",
    }
    rebuilt = {
        name for name in definitions if after["indexes"][name][1] != before["indexes"][name][1]
    }
    # The entries' indexes were built again; the accounts', which a foreign key points at, kept.
    assert rebuilt == {"ledger_entries_pkey", "ix_ledger_entries_account"}
    assert replayed == kept
    assert len(kept["ledger_entries"]) == 30
