"""A server that refuses more connections (its or the role's limit) is waited for, not a fault.

PostgreSQL answers 53300 "too many clients" when every connection slot is taken: a moment
of overload on a server the services share, not anything wrong with the command or message.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy import text

from shared.store.availability import is_unavailable
from shared.store.engine import make_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
async def limited_url(pg_database: str) -> AsyncIterator[str]:
    """The test database, as a role allowed one connection."""
    role = f"msp_limited_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(pg_database.replace("+asyncpg", ""))
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN CONNECTION LIMIT 1")
        yield pg_database.replace("postgres@", f"{role}@", 1)
    finally:
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", role
        )
        await admin.execute(f"DROP ROLE {role}")
        await admin.close()


async def test_a_server_out_of_connections_counts_as_unavailable(limited_url: str) -> None:
    first = await asyncpg.connect(limited_url.replace("+asyncpg", ""))
    engine = make_engine(limited_url)
    try:
        with pytest.raises(Exception) as refused:
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    finally:
        await engine.dispose()
        await first.close()
    assert "too many connections" in str(refused.value)
    assert is_unavailable(refused.value)
