"""Every service on PostgreSQL: `msp replay` rebuilds each one's read models exactly.

On PostgreSQL a replay reads the log through the driver's cursor (rows named like stored
events, `data` and `meta` decoded when read) and writes the read models from memory by COPY:
a different path from the embedded store's, so every service's projections are replayed
here, after a month that touched them all (orders, hardware moves, invoices, the dunning
ladder to suspension, the vendors' actions).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from shared.platform import SERVICES
from shared.store.eventstore import EventStore
from shared.store.replay import rebuild_projections
from tests.assets.builders import three_moves_in_march
from tests.conftest import create_database, drop_database
from tests.e2e.platform import embedded
from tests.ops.test_views import worked_example

pytestmark = pytest.mark.postgres


@pytest.fixture
async def every_service_on_postgres(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[None]:
    urls = {name: await create_database(postgres_url) for name in SERVICES}
    for name, url in urls.items():
        monkeypatch.setenv(f"{name.upper()}_DATABASE_URL", url)
        # A server shared with the other tests: few connections each (63 at the default of
        # ten, of the server's 100, left a test running beside it none).
        monkeypatch.setenv(f"{name.upper()}_DB_POOL_SIZE", "2")
    try:
        yield
    finally:
        for url in urls.values():
            await drop_database(postgres_url, url)


# Numbers the database counts out rather than the projection writes: ops' event log and
# dead letters, read by the dashboard's live stream from a cursor over them.
COUNTED = {"event_log": "seq", "dead_letters": "seq"}


async def counted(store: EventStore) -> dict[str, list[int]]:
    """The numbers the database counted out, per table that has them."""
    found = {}
    async with store.engine.connect() as conn:
        for projection in store.projections:
            for table in projection.tables:
                if table.name in COUNTED:
                    column = table.c[COUNTED[table.name]]
                    found[table.name] = list((await conn.execute(select(column))).scalars())
    return found


async def read_models(store: EventStore) -> dict[str, list[dict[str, Any]]]:
    """Every read-model table of the store's projections, rows in key order.

    A number the database counts out (`COUNTED`) is left out, and such a table's rows are
    compared as a set: PostgreSQL's sequence goes on counting after a replay, so the rows
    come back under higher numbers (a reader's cursor then sees them again rather than
    missing any), numbered in the order of ops' own log.
    Events from different topics that ops took in at the same moment were numbered live in
    the order their inserts ran, which need not be the order their commits were logged in,
    so between such events the order may differ; it means nothing.
    """
    found = {}
    async with store.engine.connect() as conn:
        for projection in store.projections:
            for table in projection.tables:
                order = list(table.primary_key.columns) or list(table.columns)
                counted = table.c[COUNTED[table.name]] if table.name in COUNTED else None
                rows = (await conn.execute(select(table).order_by(*order))).mappings()
                kept = [
                    {k: v for k, v in row.items() if counted is None or k != counted.key}
                    for row in rows
                ]
                found[table.name] = kept if counted is None else sorted(kept, key=repr)
    return found


@pytest.mark.usefixtures("every_service_on_postgres")
async def test_replay_on_postgresql_rebuilds_every_services_read_models(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await worked_example(running)  # January's hosting invoice never paid
        await three_moves_in_march(running)  # to 24 March: the ladder to permanent closure
        await running.advance_to("2026-03-31")  # March's invoice run
        replayed: dict[str, int] = {}
        changed: dict[str, list[str]] = {}
        for name, runtime in running.platform.runtimes.items():
            assert runtime.store.postgres, name
            before, numbered = await read_models(runtime.store), await counted(runtime.store)
            replayed[name] = await rebuild_projections(runtime.store)
            after, renumbered = await read_models(runtime.store), await counted(runtime.store)
            for table, numbers in numbered.items():  # a reader's cursor never goes back
                if numbers:
                    assert min(renumbered[table]) > max(numbers), table
            changed[name] = [table for table in before if before[table] != after[table]]
            assert any(before.values()), f"{name} has read models to rebuild"
    assert changed == {name: [] for name in SERVICES}
    assert all(count > 0 for count in replayed.values()), replayed
