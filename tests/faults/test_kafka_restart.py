"""The Kafka broker killed (SIGKILL) and started again during a month-end run.

Four services on PostgreSQL, each with its own Kafka client, as in the distributed mode. The
broker keeps its log in durable storage (Tansu on S3, tests/faults/conftest.py), as a real
Kafka keeps its log on disk: killed and started again it still has every acknowledged
message and every committed offset. While billing's month-end run is writing its invoices
the broker is killed; it stays away for a while and comes back on the same port. Meanwhile
the relays keep the invoices' InvoiceIssued in their outboxes, and the consumers wait. After
it: every invoice reaches dunning and ops exactly once (the relay republishes what was not
acknowledged, the inboxes absorb repeats), nothing is dead-lettered, and the month goes on:
due dates, reminders with fees, fee invoices and suspensions, each exactly once.

What a broker that restarts *empty* would mean (Tansu's default memory store): acknowledged
messages not yet consumed would be gone, and consumer groups would start over from the new
log's beginning. That is not a fault the platform can mend (a broker must keep what it
acknowledged: acks=all); this test uses durable storage so it tests the platform, not that.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from services.billing import handlers as billing_handlers
from services.billing.handlers import invoice_customers
from shared.settings import KafkaSettings
from tests.faults.conftest import DurableBroker, service_databases, soak
from tests.faults.harness import customers_before_the_run, dumps, services
from tests.faults.ledger import Ledger

pytestmark = [pytest.mark.kafka, pytest.mark.postgres]

NAMES = ("ops", "agreements", "billing", "dunning")
RUN_DAY = "2026-01-30"  # the last business day of January 2026: the month-end invoice run
LAST_DAY = "2026-02-23"  # second reminder and suspension of the January invoices


class Held:
    """Holds billing's run inside its first batch's transaction until the broker is dead."""

    def __init__(self) -> None:
        self.reached = asyncio.Event()
        self.killed = asyncio.Event()

    def wrap(self, original: Callable[..., Awaitable[int]]) -> Callable[..., Awaitable[int]]:
        async def invoice(*args: Any, **kwargs: Any) -> int:
            issued = await original(*args, **kwargs)
            if not self.reached.is_set():
                self.reached.set()
                await self.killed.wait()
            return issued

        return invoice


async def test_kafka_killed_and_restarted_during_the_month_end_run_loses_nothing_twice(
    tmp_path: Path,
    postgres_url: str,
    restartable_kafka: DurableBroker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    customers = 60 if soak() else 6
    outage = 10.0 if soak() else 3.0
    broker = restartable_kafka
    settings = KafkaSettings(
        bootstrap_servers=broker.bootstrap,
        enable_idempotence=broker.idempotence,
        partitions=4,
        request_timeout_ms=10_000,  # a send to the dead broker fails (and is retried) sooner
    )
    async with (
        service_databases(postgres_url, NAMES) as urls,
        services(NAMES, tmp_path, kafka=settings, database_urls=urls) as running,
    ):
        started = time.monotonic()
        # The subscriptions start late in January: fewer days to start, the same run.
        await customers_before_the_run(running, customers, start="2026-01-26")

        held = Held()
        monkeypatch.setattr(billing_handlers, "invoice_customers", held.wrap(invoice_customers))
        await running.call("ops", "POST", "/clock/advance", json={"to": RUN_DAY})
        await asyncio.wait_for(held.reached.wait(), timeout=60)
        await asyncio.to_thread(broker.kill)
        killed_at = time.monotonic()
        held.killed.set()  # the run commits its invoices while the broker is dead

        relay = running.runtimes["billing"].relay
        held_back = 0
        while time.monotonic() - killed_at < outage:
            held_back = max(held_back, await relay.pending())
            await asyncio.sleep(0.2)
        await asyncio.to_thread(broker.start)
        restarted_at = time.monotonic()
        await running.settle(timeout=180)
        recovered_in = time.monotonic() - restarted_at

        await running.call("ops", "POST", "/clock/advance", json={"to": LAST_DAY})
        await running.settle(timeout=180)
        elapsed = time.monotonic() - started

        # The outage held the invoices back in billing's outbox; none was lost on the way.
        assert held_back >= customers, f"only {held_back} messages waited in the outbox"
        invoices = await running.call("billing", "GET", "/invoices")
        run_invoices = [i for i in invoices if i["kind"] == "run"]
        assert len(run_invoices) == customers
        observed = await running.call(
            "ops", "GET", "/events", params={"name": "InvoiceIssued", "limit": 1000}
        )
        assert len(observed) == len(invoices), "ops observed every invoice, once"
        known = Counter(
            [
                e.data["invoice_number"]
                async for e in running.runtimes["dunning"].store.iterate_all()
                if e.type == "InvoiceKnown"
            ]
        )
        assert sorted(known) == sorted(i["invoice_number"] for i in invoices), dumps(known)
        assert set(known.values()) == {1}, "dunning took each invoice once"
        assert await running.call("ops", "GET", "/dead-letters") == [], "nothing dead-lettered"
        cases = await running.call("dunning", "GET", "/cases")
        assert len(cases) == customers

        ledger = await Ledger.read(running.stores())
        ledger.assert_exactly_once()
        summary = ledger.summary()
        assert summary.invoices == customers
        assert summary.reminders == 2 * customers
        assert summary.fee_invoices == summary.fees
        assert summary.suspensions == customers
        print(
            f"\nKafka restart: broker killed during the run, away {outage:.0f}s, {held_back} "
            f"messages held in billing's outbox; everything delivered {recovered_in:.1f}s after "
            f"the restart; whole test {elapsed:.0f}s; {summary}"
        )
