"""The key vault: one AES key per person in a database of its own; erasing a person deletes the key.

Services that hold personal data open the vault when they start (`acquire`); every
service process shares one `Vault` per URL. Keys are never cached, so an erasure in one
process is in force in every other at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Column, DateTime, LargeBinary, MetaData, String, Table, delete, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from shared.ids import new_id
from shared.privacy import (
    ERASED_PERSON,
    Personal,
    PersonalData,
    SealedPersonal,
    new_key,
    seal,
    unseal,
)
from shared.store.migrations import upgrade

MIGRATIONS = Path(__file__).parent / "vault_migrations"
metadata = MetaData()

person_keys = Table(
    "person_keys",
    metadata,
    Column("key_id", String(36), primary_key=True),
    Column("person_id", String(36), nullable=False, unique=True),
    Column("key", LargeBinary(32), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)


class Vault:
    """Per-person keys: made when a person is added, deleted when the person is erased."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = _engine(url)

    async def open(self) -> None:
        """Bring the vault's table to the newest revision."""
        await upgrade(self.engine, MIGRATIONS)

    async def close(self) -> None:
        """Release the vault's connections."""
        await self.engine.dispose()

    async def seal(self, person_id: str, data: PersonalData) -> SealedPersonal:
        """Encrypt a person's data under their key, making the key on first use."""
        async with self.engine.begin() as conn:
            row = (
                await conn.execute(
                    select(person_keys.c.key_id, person_keys.c.key).where(
                        person_keys.c.person_id == person_id
                    )
                )
            ).first()
            if row is None:
                key_id, key = new_id(), new_key()
                await conn.execute(
                    person_keys.insert().values(
                        key_id=key_id, person_id=person_id, key=key, created_at=datetime.now(UTC)
                    )
                )
            else:
                key_id, key = row.key_id, bytes(row.key)
        return seal(key, key_id, person_id, data)

    async def reveal(self, person_id: str, personal: Personal | None) -> PersonalData:
        """The person's data in the clear; the erased marker when the key is gone."""
        return (await self.reveal_many([(person_id, personal)]))[0]

    async def reveal_many(
        self, people: Iterable[tuple[str, Personal | None]]
    ) -> list[PersonalData]:
        """Reveal several people with one look-up; PersonalDataTampered on a forged ciphertext."""
        people = list(people)
        wanted = {p.key_id for _, p in people if isinstance(p, SealedPersonal)}
        keys: dict[str, tuple[str, bytes]] = {}
        if wanted:
            async with self.engine.connect() as conn:
                rows = await conn.execute(
                    select(person_keys).where(person_keys.c.key_id.in_(sorted(wanted)))
                )
                keys = {r.key_id: (r.person_id, bytes(r.key)) for r in rows}
        revealed: list[PersonalData] = []
        for person_id, personal in people:
            if isinstance(personal, PersonalData):
                revealed.append(personal)
                continue
            found = keys.get(personal.key_id) if personal is not None else None
            if personal is None or found is None or found[0] != person_id:
                revealed.append(ERASED_PERSON)
            else:
                revealed.append(unseal(found[1], person_id, personal))
        return revealed

    async def erase(self, person_id: str) -> bool:
        """Delete the person's key for good; True if there was one."""
        async with self.engine.begin() as conn:
            deleted = await conn.execute(
                delete(person_keys).where(person_keys.c.person_id == person_id)
            )
        return bool(deleted.rowcount)

    async def holds_key(self, person_id: str) -> bool:
        """Whether the vault still holds a key for the person."""
        async with self.engine.connect() as conn:
            found = await conn.execute(
                select(person_keys.c.key_id).where(person_keys.c.person_id == person_id)
            )
            return found.first() is not None


def _engine(url: str) -> AsyncEngine:
    if not url.startswith("sqlite"):
        return create_async_engine(url, pool_size=2, max_overflow=4, pool_pre_ping=True)
    engine = create_async_engine(url, connect_args={"timeout": 60})

    @event.listens_for(engine.sync_engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        # A deleted key must not linger in free pages or a write-ahead log: overwrite
        # freed content, and use a rollback journal that is removed after each commit.
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute("PRAGMA journal_mode=DELETE")
        cursor.execute("PRAGMA busy_timeout=60000")
        cursor.close()

    return engine


_open: dict[str, tuple[Vault, int]] = {}


async def acquire(url: str) -> Vault:
    """The process's vault at url, opened on first use (every service in a process shares it)."""
    vault, users = _open.get(url, (None, 0))
    if vault is None:
        vault = Vault(url)
        await vault.open()
    _open[url] = (vault, users + 1)
    return vault


async def release(vault: Vault) -> None:
    """Hand a vault back; the last user closes it."""
    _, users = _open.get(vault.url, (vault, 1))
    if users <= 1:
        _open.pop(vault.url, None)
        await vault.close()
    else:
        _open[vault.url] = (vault, users - 1)


def current() -> Vault:
    """The vault this process opened (adapters without a runtime at hand ask here)."""
    if len(_open) != 1:
        raise RuntimeError(f"expected one open key vault in this process, found {len(_open)}")
    return next(iter(_open.values()))[0]
