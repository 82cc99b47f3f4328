"""Month-end invoice run in billing on PostgreSQL, at two sizes, against a raw COPY of its rows.

Each size runs in its own child process (`python -m bench.month_end --child URL SUBS`), so the
peak memory of one run is not the left-over of another. The child

1. creates a scratch database with billing's migrations,
2. starts the business day before the run day through billing's consumer (DayStarted), then
   seeds the customers: the first one through billing's consumer handlers (CustomerRegistered,
   AgreementSigned, SubscriptionStarted deliveries), the rest by COPY of the same domain events
   (built by the Account aggregate and encoded as billing encodes them) and the read-model rows
   billing's projections keep for them,
3. delivers DayStarted for the run day through billing's consumer, which is how the real run
   starts: billing records InvoiceRunStarted and then invoices every customer (numbers,
   events, projections, outbox) -- timed, with the RSS high-water mark of the child reset just
   before (Linux /proc/self/clear_refs) and read just after,
4. checks the handler-seeded customer got the same invoices as a COPY-seeded one, and
5. reads back every row the run wrote (events, invoices, outbox, run, number) and COPYs them
   with asyncpg into a fresh database of the same schema -- the raw write limit.
"""

from __future__ import annotations

import asyncio
import functools
import json
import os
import sys
import time
import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import asyncpg
import orjson

from bench.common import Ratio, postgres, scratch_database, served_heap, size, sqlalchemy_url

TITLE = "Month-end invoice run"

SUBSCRIPTIONS_PER_CUSTOMER = 5
RUN_DAY = date(2026, 3, 31)  # last business day of March 2026
DAY_BEFORE = date(2026, 3, 30)
START = date(2026, 4, 1)  # ordered in March, invoiced in advance for April
# (sku, quantity): three on 7-day terms, two on 14-day terms -> two invoices per customer.
ORDER = (
    ("m365-business-standard", 12),
    ("pc-security", 8),
    ("web-security", 1),
    ("hosting-standard", 2),
    ("it-agreement-silver", 1),
)
REPO = Path(__file__).resolve().parents[1]


# --- the parent: one child per size, then the ratios --------------------------------------


async def run(smoke: bool) -> list[Ratio]:
    big = size(100_000, 250, smoke)
    small = size(10_000, 25, smoke)
    with postgres() as server:
        # Smoke sizes run in this process (a child's imports alone would take seconds).
        measure = child if smoke else _child
        small_result = await measure(server, small)
        big_result = await measure(server, big)
    per_big = big_result["seconds"] / big_result["invoices"]
    per_small = small_result["seconds"] / small_result["invoices"]
    details = {
        f"{key}_{label}": float(value)
        for label, result in (("small", small_result), ("big", big_result))
        for key, value in result.items()
        if isinstance(value, int | float)
    }
    return [
        Ratio(
            f"per-invoice cost at {big:,} vs {small:,} subscriptions",
            per_big * 1000,
            per_small * 1000,
            "ms/invoice",
            goal=1.2,
            higher_is_better=False,
            notes=f"{big_result['invoices'] / big_result['seconds']:,.0f} vs "
            f"{small_result['invoices'] / small_result['seconds']:,.0f} invoices/s",
            details=details,
        ),
        Ratio(
            f"peak RSS growth of the run at {big:,} vs {small:,} subscriptions",
            big_result["rss_growth"] / 2**20,
            small_result["rss_growth"] / 2**20,
            "MiB",
            goal=1.5,
            higher_is_better=False,
            notes=f"child process RSS high-water mark {big_result['rss_peak'] / 2**20:,.0f} vs "
            f"{small_result['rss_peak'] / 2**20:,.0f} MiB",
            details=details,
        ),
        Ratio(
            f"invoices/s at {big:,} subscriptions vs raw COPY of the same rows",
            big_result["invoices"] / big_result["seconds"],
            big_result["invoices"] / big_result["copy_seconds"],
            "invoices/s",
            goal=0.25,
            notes=f"{big_result['rows']:,} rows written; COPY "
            f"{big_result['rows'] / big_result['copy_seconds']:,.0f} rows/s",
            details=details,
        ),
    ]


async def _child(server: str, subscriptions: int) -> dict[str, Any]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.month_end",
        "--child",
        server,
        str(subscriptions),
        cwd=REPO,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    out, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"month-end child for {subscriptions} subscriptions failed")
    result: dict[str, Any] = json.loads(out.decode().strip().splitlines()[-1])
    return result


# --- the child: seed, run, compare ------------------------------------------------------


def _rss() -> tuple[int, int]:
    """(current RSS, high-water mark) of this process in bytes."""
    values = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            key, amount, _ = line.split()
            values[key] = int(amount) * 1024
    return values["VmRSS:"], values["VmHWM:"]


def _profiler() -> Any:
    """MONTH_END_PROFILE=file.txt: profile the run with pyinstrument (`uv run --with pyinstrument`)."""
    if not os.environ.get("MONTH_END_PROFILE"):
        return None
    from pyinstrument import Profiler

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    return profiler


def _reset_peak() -> None:
    Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS


async def child(server: str, subscriptions: int) -> dict[str, Any]:
    from services.billing import consumer
    from services.billing.adapters.projections import BillingView
    from services.billing.bootstrap import DIRECTORY
    from shared.consumer import Subscriber
    from shared.profile import load_profile
    from shared.store.engine import make_engine
    from shared.store.eventstore import EventStore
    from shared.store.migrations import upgrade

    customers = max(2, subscriptions // SUBSCRIPTIONS_PER_CUSTOMER)
    profile = load_profile("safe-it")
    migrations = REPO / "services" / "billing" / "migrations"
    async with scratch_database(server) as url:
        engine = make_engine(sqlalchemy_url(url))
        store = EventStore(
            engine, source="billing", projections=[BillingView(profile.id), DIRECTORY]
        )
        await upgrade(engine, migrations)
        subscriber = Subscriber(store, "billing", consumer.handlers(profile))
        await subscriber(_delivery(_day_started(DAY_BEFORE)))
        # The first customer through billing's own consumer handlers, the rest by COPY.
        for message in _agreements_messages(0):
            await subscriber(_delivery(message))
        raw = await asyncpg.connect(url)
        try:
            await _copy_seed(raw, profile, range(1, customers))
            seeded_position = await raw.fetchval("SELECT max(position) FROM events")
            seeded_outbox = await raw.fetchval("SELECT coalesce(max(id), 0) FROM outbox")
            await raw.execute("ANALYZE")
            with served_heap():  # the billing service's process, started
                rss_before, _ = _rss()
                _reset_peak()
                profiler = _profiler()
                started, cpu = time.perf_counter(), time.process_time()
                await subscriber(_delivery(_day_started(RUN_DAY)))
                seconds = time.perf_counter() - started
                cpu_seconds = time.process_time() - cpu
                if profiler is not None:
                    profiler.stop()
                    report = Path(os.environ["MONTH_END_PROFILE"])
                    await asyncio.to_thread(report.write_text, profiler.output_text())
            _, rss_peak = _rss()
            invoices = await raw.fetchval("SELECT count(*) FROM invoices")
            same = await _same_invoices(raw, _customer_id(0), _customer_id(1))
            if not same:
                raise AssertionError("a handler-seeded and a COPY-seeded customer differ")
            copy_seconds, rows = await _copy_limit(server, raw, seeded_position, seeded_outbox)
        finally:
            await raw.close()
            await store.close()
    return {
        "subscriptions": customers * SUBSCRIPTIONS_PER_CUSTOMER,
        "customers": customers,
        "invoices": invoices,
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,
        "rss_before": rss_before,
        "rss_peak": rss_peak,
        "rss_growth": max(rss_peak - rss_before, 1),
        "copy_seconds": copy_seconds,
        "rows": rows,
    }


@functools.cache
def _profile() -> Any:
    from shared.profile import load_profile

    return load_profile("safe-it")


def _customer_id(i: int) -> str:
    return f"00000000-0000-4000-8000-{i:012d}"


def _subscription_id(i: int, k: int) -> str:
    return f"00000000-0000-4000-9{k:03d}-{i:012d}"


def _agreements_messages(i: int) -> list[Any]:
    """What agreements publishes for a customer with a Silver agreement and five subscriptions."""
    from shared.contracts import agreements as a

    profile = _profile()
    customer = _customer_id(i)
    messages: list[Any] = [
        a.CustomerRegistered(
            customer_id=customer,
            name=f"Kunde {i} ApS",
            cvr="13585628",
            address=f"Havnegade {i % 200 + 1}, 7100 Vejle",
            finance_email=f"bogholderi{i}@example.dk",
        ),
        a.AgreementSigned(
            customer_id=customer,
            profile="safe-it",
            model="tiers",
            tier="it-agreement-silver",
            signed_on=DAY_BEFORE,
        ),
    ]
    for k, (sku, quantity) in enumerate(ORDER):
        messages.append(started(profile, customer, _subscription_id(i, k), sku, quantity, START))
    return messages


def started(
    profile: Any,
    customer: str,
    subscription: str,
    sku: str,
    quantity: int,
    on: date,
    kind: str = "other",
) -> Any:
    """SubscriptionStarted: a monthly subscription to one of the profile's products, at its list
    price."""
    from shared.contracts import agreements as a

    product = profile.product(sku)
    assert product is not None
    return a.SubscriptionStarted(
        customer_id=customer,
        subscription_id=subscription,
        sku=sku,
        name=product.name,
        quantity=quantity,
        billing_period="monthly",
        unit_price=product.unit_price,
        payment_terms_days=product.payment_terms_days,
        suspendable=True,
        service_kind=kind,
        start=on,
    )


def _account_events(i: int) -> list[Any]:
    """The events billing's consumer records for _agreements_messages(i), via the Account."""
    from services.billing.consumer import subscription_noted
    from services.billing.domain import events as ev
    from services.billing.domain.account import Account
    from shared.contracts import agreements as a

    profile = _profile()
    registered, signed, *started = _agreements_messages(i)
    account = Account(registered.customer_id)
    account._record(
        ev.BillingAccountOpened(
            customer_id=registered.customer_id,
            name=registered.name,
            cvr=registered.cvr,
            kind=registered.kind,
            address=registered.address,
            finance_email=registered.finance_email,
        )
    )
    assert isinstance(signed, a.AgreementSigned)
    account.note_agreement(signed.tier, on_trial=False, has_agreement=True)
    for m in started:
        account.note_subscription(subscription_noted(m, profile))
    return list(account.pending)


async def _copy_seed(raw: asyncpg.Connection, profile: Any, ids: range) -> None:
    """COPY the events and read-model rows of customers, a few thousand at a time."""
    from services.billing.handlers import TYPES

    now = datetime.now(UTC)
    step = 2000
    for first in range(ids.start, ids.stop, step):
        events, accounts, known, subscriptions = [], [], [], []
        for i in range(first, min(first + step, ids.stop)):
            customer = _customer_id(i)
            meta = orjson.dumps(
                {
                    "actor": "service:billing",
                    "correlation_id": str(uuid.uuid4()),
                    "causation_id": str(uuid.uuid4()),
                    "customer_id": customer,
                    "business_date": DAY_BEFORE.isoformat(),
                }
            ).decode()
            for version, event in enumerate(_account_events(i), start=1):
                new = TYPES.encode(event)
                data = orjson.dumps(new.data).decode()
                events.append(
                    (f"account-{customer}", version, new.event_id, new.type, data, meta, now)
                )
                if new.type == "BillingAccountOpened":
                    accounts.append((customer, Decimal("0")))
                    known.append(
                        (customer, new.data["name"], new.data["cvr"], new.data["kind"], DAY_BEFORE)
                    )
                elif new.type == "SubscriptionNoted":
                    d = new.data
                    subscriptions.append(
                        (d["subscription_id"], customer, d["sku"], d["billing_period"])
                    )
        async with raw.transaction():
            await raw.copy_records_to_table(
                "events",
                records=events,
                columns=["stream_id", "version", "event_id", "type", "data", "meta", "recorded_at"],
            )
            await raw.copy_records_to_table(
                "accounts", records=accounts, columns=["customer_id", "credit_balance"]
            )
            await raw.copy_records_to_table(
                "known_customers",
                records=known,
                columns=["customer_id", "name", "cvr", "kind", "known_since"],
            )
            await raw.copy_records_to_table(
                "billing_subscriptions",
                records=subscriptions,
                columns=["subscription_id", "customer_id", "sku", "billing_period"],
            )


async def _same_invoices(raw: asyncpg.Connection, one: str, other: str) -> bool:
    rows = await raw.fetch(
        "SELECT customer_id, total, due_date FROM invoices WHERE customer_id = ANY($1)"
        " ORDER BY due_date, total",
        [one, other],
    )
    mine = [(r["total"], r["due_date"]) for r in rows if r["customer_id"] == one]
    theirs = [(r["total"], r["due_date"]) for r in rows if r["customer_id"] == other]
    return bool(mine) and mine == theirs


# The rows the run wrote, as (table, columns, query); jsonb/json read as text, COPYed back as text.
def _written(seeded_position: int, seeded_outbox: int) -> list[tuple[str, list[str], str]]:
    return [
        (
            "events",
            ["stream_id", "version", "event_id", "type", "data", "meta", "recorded_at"],
            "SELECT stream_id, version, event_id, type, data::text, meta::text, recorded_at"
            f" FROM events WHERE position > {seeded_position} ORDER BY position",
        ),
        (
            "invoices",
            [
                "invoice_number",
                "customer_id",
                "kind",
                "issue_date",
                "due_date",
                "total",
                "balance",
                "credited",
                "status",
                "due_passed",
                "dispute",
                "payment_id",
                "paid_on",
                "regarding_invoice",
                "document",
            ],
            "SELECT invoice_number, customer_id, kind, issue_date, due_date, total, balance,"
            " credited, status, due_passed, dispute, payment_id, paid_on, regarding_invoice,"
            " document::text FROM invoices ORDER BY invoice_number",
        ),
        (
            "outbox",
            ["topic", "key", "event_id", "payload"],
            f"SELECT topic, key, event_id, payload FROM outbox WHERE id > {seeded_outbox}"
            " ORDER BY id",
        ),
        (
            "invoice_runs",
            ["run_date", "status", "invoices"],
            "SELECT run_date, status, invoices FROM invoice_runs",
        ),
        (
            "invoice_numbers",
            ["provider", "last_number"],
            "SELECT provider, last_number FROM invoice_numbers",
        ),
    ]


async def _copy_limit(
    server: str, raw: asyncpg.Connection, seeded_position: int, seeded_outbox: int
) -> tuple[float, int]:
    """Seconds to COPY every row the run wrote into a fresh billing store, and how many rows."""
    from shared.store.engine import make_engine
    from shared.store.migrations import upgrade

    written = _written(seeded_position, seeded_outbox)
    data = [(table, columns, await raw.fetch(query)) for table, columns, query in written]
    rows = sum(len(records) for _, _, records in data)
    async with scratch_database(server) as url:
        engine = make_engine(sqlalchemy_url(url))
        await upgrade(engine, REPO / "services" / "billing" / "migrations")
        await engine.dispose()
        target = await asyncpg.connect(url)
        try:
            started = time.perf_counter()
            async with target.transaction():
                for table, columns, records in data:
                    await target.copy_records_to_table(
                        table, records=[tuple(r) for r in records], columns=columns
                    )
            return time.perf_counter() - started, rows
        finally:
            await target.close()


def _day_started(day: date) -> Any:
    from shared.contracts.clock import DayStarted

    return DayStarted(date=day, is_business_day=True)


def _delivery(message: Any) -> Any:
    from shared.bus.port import Delivery
    from shared.envelope import CloudEvent

    envelope = CloudEvent.of(
        message,
        source="/services/bench",
        customerid=getattr(message, "customer_id", None),
        actor="service:bench",
    )
    return Delivery(
        topic=f"{message.context}.events",
        partition=0,
        offset=0,
        key=envelope.customerid or envelope.id,
        value=envelope.to_json(),
    )


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        result = asyncio.run(child(sys.argv[2], int(sys.argv[3])))
        print(json.dumps(result))
    else:
        print("run through `python -m bench month_end`", file=sys.stderr)
        sys.exit(2)
