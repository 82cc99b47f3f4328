"""Dunning chain latency over Kafka: DueDatePassed committed in billing to LicenseDeactivated
committed in provisioning, versus a bare aiokafka produce -> consume round trip.

The chain, per customer (three hops over Kafka, the vendor simulator in the loop):

1. billing: the bench commits `DueDatePassed` in billing's store (its own PostgreSQL
   database, billing's migrations) with the outbox row, as billing's DayStarted handler
   does; billing's OutboxRelay and KafkaBus, running in the bench process as they run in
   the billing service, publish it to `billing.events`.
2. dunning (its own process, PostgreSQL database, consumers and relay): takes the ladder's
   step and commits `ServiceSuspended`; its relay publishes it to `dunning.events`.
3. provisioning (its own process): queues the suspension, its action worker claims it,
   reads and writes the subscription at the Partner Center simulator over HTTP and commits
   `LicenseDeactivated`.

Measured: from just after billing's commit returned to the `time` provisioning stamped on
`LicenseDeactivated` inside the transaction that commits it. One customer at a time (the
next starts when the bench has seen the previous one's LicenseDeactivated on
`provisioning.events`), so each figure is one chain's latency, not queueing.

Dunning's ladder is driven by DayStarted in the product: no standard step acts on
DueDatePassed. The bench gives dunning (a) a one-step ladder, the Safe IT profile with
"suspend on the first business day after the due date", and (b) a subscription to
DueDatePassed that advances the customer's debtor to that event's business date with
dunning's own code (the step DayStarted would take), so DueDatePassed leads straight
to the suspension. Everything after that is the product's code.

Theirs: a bare aiokafka producer (acks=all) and consumer on the same broker, one message
at a time, from send to the consumer receiving it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import yaml
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition

from bench.common import (
    MachineCpu,
    Ratio,
    kafka,
    percentile,
    postgres,
    scratch_database,
    served_heap,
    size,
    sqlalchemy_url,
    stop_processes,
)
from shared.bus.kafka import KafkaBus
from shared.bus.port import Outgoing
from shared.contracts import Contract, load_all
from shared.contracts import agreements as a
from shared.contracts import billing as b
from shared.contracts.clock import DayStarted
from shared.envelope import CloudEvent
from shared.service import freeze_startup_heap
from shared.settings import KafkaSettings
from shared.store.engine import make_engine
from shared.store.eventstore import EventStore, Metadata, NewEvent
from shared.store.migrations import upgrade
from shared.store.relay import OutboxRelay

TITLE = "Dunning chain latency"
ROOT = Path(__file__).resolve().parents[1]
BILLING_MIGRATIONS = ROOT / "services" / "billing" / "migrations"
DUE = date(2026, 2, 12)  # a Thursday: the first business day after it is Friday the 13th
PASSED = DUE + timedelta(days=1)
SKU = "m365-business-standard"
PARTITIONS = 4
# Tansu answers a held fetch only when its wait ends (Kafka answers on arrival): both sides'
# consumers use the same short wait, so neither waits out the broker's default 500 ms.
FETCH_MAX_WAIT_MS = int(os.environ.get("BENCH_FETCH_WAIT_MS", "10"))
CHILDREN = ("dunning", "provisioning")
CONTEXTS = ("clock", "agreements", "billing", "dunning", "provisioning")

# The ladder for the bench: suspension is the first step, on the first business day after
# the due date (the standard ladder suspends at reminder 2, eight business days later).
BENCH_STEPS = [
    {
        "id": "suspend",
        "title": "Lukning ved manglende betaling",
        "anchor": "due_date",
        "acts": "after_deadline",
        "new_deadline_days": 7,
        "fee": "0.00",
        "compensation": True,
        "actions": ["suspend"],
    }
]


def phase(label: str, _started: list[float] = []) -> None:  # noqa: B006 - one clock per run
    """With BENCH_VERBOSE set, say how long the run took to get here."""
    if not _started:
        _started.append(time.perf_counter())
    if os.environ.get("BENCH_VERBOSE"):
        print(
            f"    {time.perf_counter() - _started[0]:6.1f} s  {label}", file=sys.stderr, flush=True
        )


def bench_profile(directory: Path) -> Path:
    """Safe IT's profile with the bench's one-step ladder, as a profile file."""
    raw = yaml.safe_load((ROOT / "profiles" / "safe-it.yaml").read_text(encoding="utf-8"))
    raw["id"] = "bench-dunning-chain"
    raw["dunning"]["steps"] = BENCH_STEPS
    path = directory / "bench-dunning-chain.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return path


# --- the service processes -------------------------------------------------------------


async def serve(name: str) -> None:
    """One service's runtime (consumers, relay, background work) until SIGTERM."""
    from shared.auth import KeyRing
    from shared.platform import build_runtime, distributed_bus
    from shared.settings import PlatformSettings

    load_all()
    platform = PlatformSettings()
    runtime = build_runtime(
        name, platform, distributed_bus(name, platform), KeyRing([]), owns_bus=True
    )
    if name == "dunning":
        _react_to_due_date_passed(runtime)
    await runtime.start()
    freeze_startup_heap()  # what `msp serve` does once the service has started
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    print("ready", flush=True)
    await stop.wait()
    await runtime.stop()


def _react_to_due_date_passed(runtime: Any) -> None:
    """The bench's link: dunning advances the debtor when billing says its due date passed."""
    from services.dunning import handlers as h
    from shared.store.eventstore import Transaction

    policy = runtime.profile.dunning

    async def due_date_passed(tx: Transaction, envelope: CloudEvent, m: Contract) -> None:
        assert isinstance(m, b.DueDatePassed)
        debtor = await h.debtor(tx, m.customer_id)
        debtor.advance(envelope.businessdate or m.due_date + timedelta(days=1), policy)
        await h.save(tx, debtor, runtime.profile)

    runtime.subscriber.handlers[b.DueDatePassed] = [due_date_passed]


@contextlib.asynccontextmanager
async def services(env: dict[str, str], logs: Path) -> AsyncIterator[None]:
    """Dunning and provisioning, each its own process, started and ready."""
    processes = []
    try:
        for name in CHILDREN:
            process = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.dunning_chain",
                name,
                env=env,
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                stderr=(logs / f"{name}.log").open("w"),
            )
            processes.append(process)
        for name, process in zip(CHILDREN, processes, strict=True):
            assert process.stdout is not None
            line = await asyncio.wait_for(process.stdout.readline(), 300)
            if line.strip() != b"ready":
                raise RuntimeError(f"{name} did not start; see {logs / (name + '.log')}")
        yield
    finally:
        await stop_processes(processes)


@contextlib.asynccontextmanager
async def services_in_process(env: dict[str, str]) -> AsyncIterator[None]:
    """The same runtimes in this process and event loop (smoke runs: no process start-up)."""
    from shared.auth import KeyRing
    from shared.platform import service_spec
    from shared.service import Runtime
    from shared.settings import SERVICE_SETTINGS, PlatformSettings

    platform = PlatformSettings(
        mode="distributed",
        profile=env["MSP_PROFILE"],
        var_dir=Path(env["MSP_VAR_DIR"]),
        log_level="WARNING",
    )
    kafka_settings = KafkaSettings(
        bootstrap_servers=env["KAFKA_BOOTSTRAP_SERVERS"],
        enable_idempotence=env["KAFKA_ENABLE_IDEMPOTENCE"] == "true",
        partitions=PARTITIONS,
        fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
    )
    runtimes = []
    try:
        for name in CHILDREN:
            runtime = Runtime(
                spec=service_spec(name),
                platform=platform,
                settings=SERVICE_SETTINGS[name](database_url=env[f"{name.upper()}_DATABASE_URL"]),
                bus=KafkaBus(kafka_settings, client_id=f"bench-{name}"),
                keyring=KeyRing([]),
                owns_bus=False,  # started below, together
            )
            if name == "dunning":
                _react_to_due_date_passed(runtime)
            runtimes.append(runtime)
            await runtime.start()
        # Together: each consumer's group join waits out the broker's rebalance delay.
        await asyncio.gather(*(runtime.bus.start() for runtime in runtimes))
        yield
    finally:
        for runtime in reversed(runtimes):
            await runtime.stop()
            await runtime.bus.stop()


# --- setting the customers up ----------------------------------------------------------


def envelope(message: Contract, topic: str, customer: str, on: date) -> Outgoing:
    """Another context's event as its relay puts it on the bus."""
    event = CloudEvent.of(
        message,
        source=f"/services/{message.context}",
        customerid=customer,
        businessdate=on,
        actor="bench",
    )
    return Outgoing(topic, customer, event.to_json(), (("ce_id", event.id.encode()),))


def customer_events(n: int) -> list[Outgoing]:
    """What agreements and billing tell dunning and provisioning about customer n."""
    customer, subscription = f"bench-customer-{n:05d}", f"bench-subscription-{n:05d}"
    total = Decimal("593.75")
    started = a.SubscriptionStarted(
        customer_id=customer,
        subscription_id=subscription,
        sku=SKU,
        name="Microsoft 365 Business Standard",
        quantity=5,
        billing_period="monthly",
        unit_price=Decimal("95.00"),
        payment_terms_days=7,
        suspendable=True,
        service_kind="m365",
        start=date(2026, 1, 2),
        vendor_reference={"tenant_id": f"tenant-{n:05d}", "vendor_subscription_id": f"pc-{n:05d}"},
    )
    issued = b.InvoiceIssued(
        invoice_number=10_000 + n,
        customer_id=customer,
        kind="run",
        issue_date=DUE - timedelta(days=7),
        due_date=DUE,
        taxable_subtotal=Decimal("475.00"),
        vat_amount=Decimal("118.75"),
        exempt_subtotal=Decimal("0"),
        total=total,
        payment_id=f"{10_000 + n:015d}",
        fi_payment_line=f"+71<{10_000 + n:015d}+81234567<",
        lines=[
            b.InvoicedLine(
                description="Microsoft 365 Business Standard",
                amount=Decimal("475.00"),
                taxable=True,
                sku=SKU,
                subscription_id=subscription,
            )
        ],
    )
    registered = a.CustomerRegistered(customer_id=customer, name=f"Kunde {n} ApS", cvr="13585628")
    on = DUE - timedelta(days=7)
    return [
        envelope(registered, "agreements.events", customer, on),
        envelope(started, "agreements.events", customer, on),
        envelope(issued, "billing.events", customer, on),
    ]


async def wait_for_inboxes(urls: dict[str, str], wanted: dict[str, int], timeout: float) -> None:
    """Until each service's inbox holds the setup events (one connection each, reused)."""
    deadline = asyncio.get_running_loop().time() + timeout
    for name, url in urls.items():
        conn = await asyncpg.connect(url)
        try:
            while (have := int(await conn.fetchval("SELECT count(*) FROM inbox"))) < wanted[name]:
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"{name} handled {have} of {wanted[name]} setup events")
                await asyncio.sleep(0.2)
        finally:
            await conn.close()


# --- ours ----------------------------------------------------------------------------


class Deactivations:
    """Reads provisioning.events: when each customer's LicenseDeactivated was committed."""

    def __init__(self, bootstrap: str) -> None:
        self.consumer = AIOKafkaConsumer(
            bootstrap_servers=bootstrap,
            enable_auto_commit=False,
            fetch_max_wait_ms=FETCH_MAX_WAIT_MS,
        )
        self.stamped: dict[str, datetime] = {}
        self.seen: dict[str, asyncio.Event] = {}
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self.consumer.start()
        partitions = [TopicPartition("provisioning.events", p) for p in range(PARTITIONS)]
        self.consumer.assign(partitions)
        await self.consumer.seek_to_end(*partitions)
        self._task = asyncio.create_task(self._read())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        await self.consumer.stop()

    def expect(self, customer: str) -> asyncio.Event:
        return self.seen.setdefault(customer, asyncio.Event())

    async def _read(self) -> None:
        async for record in self.consumer:
            event = CloudEvent.from_json(record.value or b"{}")
            if event.event_name == "LicenseDeactivated" and event.customerid:
                self.stamped[event.customerid] = event.time
                self.expect(event.customerid).set()


async def due_date_passed(store: EventStore, n: int) -> datetime:
    """Billing commits DueDatePassed for customer n; returns when the commit returned."""
    customer = f"bench-customer-{n:05d}"
    message = b.DueDatePassed(
        invoice_number=10_000 + n,
        customer_id=customer,
        due_date=DUE,
        balance=Decimal("593.75"),
        issue_date=DUE - timedelta(days=7),
    )
    meta = Metadata(actor="service:billing")
    async with store.transaction(meta) as tx:
        await tx.append(
            f"bench-invoice-{10_000 + n}",
            0,
            [NewEvent("DueDatePassed", message.model_dump(mode="json"))],
            customer_id=customer,
        )
        await tx.publish(
            message,
            topic="billing.events",
            customer_id=customer,
            subject=f"invoice-{10_000 + n}",
            business_date=PASSED,
        )
    return datetime.now(UTC)


async def measure_ours(
    store: EventStore, readers: Deactivations, first: int, count: int
) -> dict[str, tuple[datetime, datetime]]:
    """Per customer: when billing's commit returned, when LicenseDeactivated was stamped."""
    times = {}
    for n in range(first, first + count):
        customer = f"bench-customer-{n:05d}"
        seen = readers.expect(customer)
        committed = await due_date_passed(store, n)
        await asyncio.wait_for(seen.wait(), 60)
        times[customer] = (committed, readers.stamped[customer])
    return times


async def stamps(url: str, types: tuple[str, ...]) -> dict[tuple[str, str], datetime]:
    """(customer, event type) -> when the service appended its first such event."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT meta->>'customer_id' AS customer, type, min(recorded_at) AS at FROM events"
            " WHERE type = ANY($1::text[]) GROUP BY 1, 2",
            list(types),
        )
    finally:
        await conn.close()
    return {(row["customer"], row["type"]): row["at"] for row in rows}


async def hops(
    urls: dict[str, str], times: dict[str, tuple[datetime, datetime]]
) -> dict[str, list[float]]:
    """Where the time goes: milliseconds between the chain's recorded points, per customer."""
    dunning = await stamps(urls["dunning"], ("ServiceSuspended",))
    provisioning = await stamps(urls["provisioning"], ("ActionQueued", "ActionClaimed"))
    found: dict[str, list[float]] = {
        "billing -> dunning": [],
        "dunning -> provisioning": [],
        "queued -> claimed": [],
        "claimed -> deactivated": [],
    }
    for customer, (committed, done) in times.items():
        points = [
            committed,
            dunning.get((customer, "ServiceSuspended")),
            provisioning.get((customer, "ActionQueued")),
            provisioning.get((customer, "ActionClaimed")),
            done,
        ]
        if any(point is None for point in points):
            continue
        for name, start, end in zip(found, points, points[1:], strict=False):
            found[name].append((end - start).total_seconds() * 1000)  # type: ignore[operator]
    return found


# --- theirs --------------------------------------------------------------------------


async def measure_bare(bootstrap: str, idempotence: bool, count: int, warm: int) -> list[float]:
    """Produce (acks=all) one message, wait until the consumer has it; milliseconds each."""
    topic = f"bench-roundtrip-{uuid.uuid4().hex[:8]}"
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", enable_idempotence=idempotence
    )
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, enable_auto_commit=False, fetch_max_wait_ms=FETCH_MAX_WAIT_MS
    )
    await producer.start()
    await consumer.start()
    try:
        await producer.send_and_wait(topic, b"create", key=b"k")
        partitions = [
            TopicPartition(topic, p) for p in sorted(await producer.partitions_for(topic))
        ]
        consumer.assign(partitions)
        await consumer.seek_to_end(*partitions)
        loop = asyncio.get_running_loop()
        latencies = []
        for n in range(warm + count):
            key = f"key-{n % 1000}".encode()
            value = f"message-{n}".encode()
            started = loop.time()
            await producer.send_and_wait(topic, value, key=key)
            while True:
                record = await consumer.getone()
                if record.value == value:
                    break
            if n >= warm:
                latencies.append((loop.time() - started) * 1000)
        return latencies
    finally:
        await consumer.stop()
        await producer.stop()


# --- the benchmark -------------------------------------------------------------------


async def run(smoke: bool) -> list[Ratio]:
    count = size(1_000, 5, smoke)
    # Smoke runs keep the services in this process: starting two more takes too long.
    in_process = smoke or os.environ.get("BENCH_IN_PROCESS") == "1"
    warm = 3 if smoke else 20
    customers = warm + count
    phase("start")
    with postgres() as server, kafka() as broker, tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        async with contextlib.AsyncExitStack() as stack:
            urls = {
                name: await stack.enter_async_context(scratch_database(server))
                for name in ("billing", *CHILDREN)
            }
            env = {
                **os.environ,
                "MSP_MODE": "distributed",
                "MSP_ENVIRONMENT": "development",
                "MSP_PROFILE": str(bench_profile(directory)),
                "MSP_VAR_DIR": str(directory),
                "MSP_LOG_LEVEL": "WARNING",
                "KAFKA_BOOTSTRAP_SERVERS": broker.bootstrap,
                "KAFKA_ENABLE_IDEMPOTENCE": str(broker.idempotence).lower(),
                "KAFKA_PARTITIONS": str(PARTITIONS),
                "KAFKA_FETCH_MAX_WAIT_MS": str(FETCH_MAX_WAIT_MS),
                "DUNNING_DATABASE_URL": sqlalchemy_url(urls["dunning"]),
                "PROVISIONING_DATABASE_URL": sqlalchemy_url(urls["provisioning"]),
            }
            settings = KafkaSettings(
                bootstrap_servers=broker.bootstrap,
                enable_idempotence=broker.idempotence,
                partitions=PARTITIONS,
            )
            # Billing's side: its store and its relay over the Kafka bus.
            engine = make_engine(sqlalchemy_url(urls["billing"]))
            stack.push_async_callback(engine.dispose)
            await upgrade(engine, BILLING_MIGRATIONS)
            billing = EventStore(engine, source="billing")
            bus = KafkaBus(settings, client_id="bench-billing")
            await bus.start()
            stack.push_async_callback(bus.stop)
            await bus.ensure_topics(
                {
                    "billing.events",
                    "agreements.events",
                    "clock.events",
                    "dunning.events",
                    "provisioning.events",
                }
            )
            relay = asyncio.create_task(OutboxRelay(billing, bus).run())

            async def stop_relay() -> None:
                relay.cancel()
                await asyncio.gather(relay, return_exceptions=True)

            stack.push_async_callback(stop_relay)
            phase("billing ready")
            if in_process:
                await stack.enter_async_context(services_in_process(env))
            else:
                await stack.enter_async_context(services(env, directory))
            phase("dunning and provisioning ready")

            day = envelope(DayStarted(date=DUE, is_business_day=True), "clock.events", "clock", DUE)
            await bus.publish([day])
            setup = [m for n in range(customers) for m in customer_events(n)]
            for start in range(0, len(setup), 1_000):
                await bus.publish(setup[start : start + 1_000])
            await wait_for_inboxes(
                {"dunning": urls["dunning"], "provisioning": urls["provisioning"]},
                {"dunning": 3 * customers + 1, "provisioning": customers + 1},
                timeout=120 + customers * 1.0,  # setup, not measured: a busy machine is slow
            )

            phase("customers set up")
            if not in_process:
                stack.enter_context(served_heap())  # billing's side runs here, as in its process
            readers = Deactivations(broker.bootstrap)
            await readers.start()
            stack.push_async_callback(readers.stop)
            await measure_ours(billing, readers, 0, warm)
            phase("warmed up")
            with MachineCpu() as cpu:
                times = await measure_ours(billing, readers, warm, count)
            phase("ours measured")
            await asyncio.sleep(0.2 if smoke else 1.0)  # the last chain's relays finish
            with MachineCpu() as idle:  # what the waiting processes cost with nothing to do
                await asyncio.sleep(0.5 if smoke else 3.0)
            breakdown = await hops(urls, times)
        phase("stopped")
        bare = await measure_bare(broker.bootstrap, broker.idempotence, count, warm)
        phase("bare measured")
    ours = [(done - committed).total_seconds() * 1000 for committed, done in times.values()]
    notes = (
        f"p50 ours {percentile(ours, 50):.1f} ms, bare {percentile(bare, 50):.2f} ms;"
        f" {count} customers, one at a time; hops p50/p99: "
        + ", ".join(
            f"{name} {percentile(values, 50):.1f}/{percentile(values, 99):.1f}"
            for name, values in breakdown.items()
        )
    )
    if cpu.seconds is not None and cpu.cores_busy is not None and idle.cores_busy is not None:
        # What bounds the chain on this machine: every process's CPU for one chain, and how
        # much of it the processes spend waiting (polling the broker and the outboxes) anyway.
        notes += (
            f"; machine CPU per chain {cpu.seconds / count * 1000:.1f} ms (services, broker,"
            f" database; {cpu.cores_busy:.2f} of {os.cpu_count()} cores busy, idle"
            f" {idle.cores_busy:.2f})"
        )
    return [
        Ratio(
            name="p99 DueDatePassed -> LicenseDeactivated vs bare round trip",
            ours=percentile(ours, 99),
            theirs=percentile(bare, 99),
            unit="ms",
            goal=10,
            higher_is_better=False,
            notes=notes,
            details={
                "ours_p50_ms": percentile(ours, 50),
                "ours_p99_ms": percentile(ours, 99),
                "ours_max_ms": max(ours),
                "bare_p50_ms": percentile(bare, 50),
                "bare_p99_ms": percentile(bare, 99),
                "machine_cpu_ms_per_chain": (
                    cpu.seconds / count * 1000 if cpu.seconds is not None else float("nan")
                ),
            },
        )
    ]


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1]))
