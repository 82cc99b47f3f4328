"""PostgreSQL restarted under load: the services recover without being restarted.

Four services on a private PostgreSQL cluster (never the machine's shared server), the
in-process bus between them. While customers are being registered through the API and
billing's month-end run is issuing invoices, PostgreSQL is stopped (every session ended) and
started again. During the outage every request is answered at once with a clean 503; after
it everything works again: commands, the relay, the consumers and the interrupted invoice
run. No command is half stored: a customer exists with all its effects everywhere, or not at
all. The ledger check closes the test.
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
from shared.envelope import utcnow
from tests.faults.conftest import PrivateCluster, service_databases, soak
from tests.faults.harness import (
    Services,
    customers_before_the_run,
    cvr,
    dumps,
    eventually,
    services,
)
from tests.faults.ledger import Ledger

pytestmark = pytest.mark.postgres

NAMES = ("ops", "agreements", "billing", "dunning")
HANG = 10.0  # seconds: an answer slower than this counts as a hang
RUN_DAY = "2026-01-30"  # the last business day of January 2026: the month-end invoice run
PROBES = (
    ("agreements", "GET", "/customers"),
    ("agreements", "POST", "/customers"),
    ("billing", "GET", "/invoices"),
    ("dunning", "GET", "/cases"),
    ("ops", "GET", "/events"),
    ("ops", "GET", "/dead-letters"),
    ("ops", "POST", "/clock/advance"),
)


class Load:
    """Registers customers one after another, recording every answer and how long it took."""

    def __init__(self, running: Services) -> None:
        self.running = running
        self.answers: list[tuple[str, int, float, Any]] = []
        self.stop = asyncio.Event()

    async def run(self) -> None:
        client = self.running.clients["agreements"]
        number = 0
        while not self.stop.is_set():
            number += 1
            name = f"Belastning {number} ApS"
            started = time.monotonic()
            response = await client.post("/customers", json={"name": name, "cvr": cvr(number)})
            try:
                body = response.json() if response.content else None
            except ValueError:  # not JSON: kept as text, and the status check below fails
                body = response.text[:500]
            self.answers.append((name, response.status_code, time.monotonic() - started, body))
            await asyncio.sleep(0.02)


async def issued(running: Services) -> int:
    return len(await running.call("billing", "GET", "/invoices"))


async def test_postgres_restarted_under_load_services_answer_503_then_recover(
    tmp_path: Path, postgres_cluster: PrivateCluster, monkeypatch: pytest.MonkeyPatch
) -> None:
    customers = 60 if soak() else 6
    outage = 6.0 if soak() else 2.0
    async with (
        service_databases(postgres_cluster.url, NAMES) as urls,
        services(NAMES, tmp_path, database_urls=urls) as running,
    ):
        # CVR numbers of their own: the load below registers from cvr(1) on.
        await customers_before_the_run(running, customers, start="2026-01-02", first_cvr=10_000)

        # The run invoices its customers in batches, a transaction each: hold the first open.
        halfway = Halfway(1)
        monkeypatch.setattr(billing_handlers, "invoice_customers", halfway.wrap(invoice_customers))
        load = Load(running)
        loading = asyncio.create_task(load.run())
        # The run starts in billing when 30 January starts.
        await running.call("ops", "POST", "/clock/advance", json={"to": RUN_DAY})
        await asyncio.wait_for(halfway.reached.wait(), timeout=60)
        stopped_on = utcnow()
        stopped_at = time.monotonic()
        await asyncio.to_thread(postgres_cluster.stop, "fast")
        halfway.stopped.set()  # the invoice in hand now meets a database that is gone
        probes = await probe(running)
        await asyncio.sleep(max(0.0, outage - (time.monotonic() - stopped_at)))
        pending_in_outage = len(load.answers)
        await asyncio.to_thread(postgres_cluster.start)
        restarted_at = time.monotonic()

        async def answering() -> bool:
            return any(a[1] == 201 for a in load.answers[pending_in_outage:])

        try:
            await eventually(answering, what="commands accepted again", timeout=60)
        except AssertionError as exc:
            raise AssertionError(f"{exc}; since the start: {dumps(load.answers[-5:])}") from None
        recovered_in = time.monotonic() - restarted_at
        await asyncio.sleep(0.5)
        load.stop.set()
        await loading
        await running.settle(timeout=180)

        # During the outage: a clean, fast 503 from every service, for reads and writes.
        assert [p["status"] for p in probes] == [503] * len(PROBES), dumps(probes)
        assert all("Traceback" not in p["body"] and "database" in p["body"] for p in probes)
        # Not a hang: far below any timeout (asyncpg's connect 60 s, the pool's 30 s); the
        # margin is for a machine shared with other work.
        assert max(p["seconds"] for p in probes) < HANG, dumps(probes)
        statuses = Counter(status for _, status, _, _ in load.answers)
        assert set(statuses) <= {201, 503}, dumps(load.answers)
        assert statuses[503] >= 1, "the load met the outage"
        slowest = max(seconds for _, _, seconds, _ in load.answers)
        assert slowest < HANG, "no request hung"

        # No half-stored command: accepted means stored everywhere, refused means nowhere.
        accepted = {body["customer_id"]: name for name, s, _, body in load.answers if s == 201}
        refused = {name for name, status, _, _ in load.answers if status == 503}
        refused.add("Under udfald ApS")  # the probe
        stored = {
            c["name"]: c["customer_id"]
            for c in await running.call("agreements", "GET", "/customers")
        }
        assert set(accepted.values()) <= set(stored)
        # A command stored just as the database went away is answered 503: its commit's
        # acknowledgement was lost with the connection (the outcome is unknown to the service
        # too), or reading back its result failed. The answer says which, never that nothing
        # was stored. Rare; such a command must still be whole: stored once and known to
        # every service (checked below).
        both = sorted(refused & set(stored))
        assert len(both) <= 1, f"refused yet stored: {both}; {dumps(load.answers)}"
        for name, status, _, body in load.answers:
            if name in both and status == 503:
                assert "was not carried out" not in body["detail"], body
        assert len(stored) == len(set(stored.values())), "no customer stored twice"
        for service in ("billing", "dunning", "ops"):
            known = {c["customer_id"] for c in await running.call(service, "GET", "/customers")}
            assert known == set(stored.values()), f"{service} missed customers"

        # The interrupted run finished, once, without a restart of billing.
        runs = await running.call("billing", "GET", "/invoice-runs")
        assert [(r["run_date"], r["status"]) for r in runs] == [(RUN_DAY, "completed")]
        assert await issued(running) == customers
        observed = await running.call(
            "ops", "GET", "/events", params={"name": "InvoiceIssued", "limit": 1000}
        )
        assert len(observed) == customers
        for name in NAMES:
            ready = await running.clients[name].get("/ready")
            assert ready.status_code == 200, ready.text

        print("\nprobes:", [(p["probe"], p["status"], p["seconds"]) for p in probes])
        ledger = await Ledger.read(running.stores())
        ledger.assert_exactly_once()
        summary = ledger.summary()
        at_stop = sum(
            1 for e in ledger.of("billing", "InvoiceIssued") if e.recorded_at < stopped_on
        )
        assert at_stop == 0, "PostgreSQL stopped while the run's transaction was open"
        assert summary.invoices == customers
        print(
            f"\nPostgreSQL restart: outage {outage:.1f}s during the run ({at_stop}/{customers} "
            f"invoices issued when stopped); {len(probes)} probes all 503, slowest "
            f"{max(p['seconds'] for p in probes):.2f}s; load {dict(statuses)}, slowest "
            f"{slowest:.2f}s; accepting again {recovered_in:.1f}s after the start; {summary}"
        )


class Halfway:
    """Holds billing's run inside the transaction of its n-th batch until PostgreSQL is down."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.calls = 0
        self.reached = asyncio.Event()
        self.stopped = asyncio.Event()

    def wrap(self, original: Callable[..., Awaitable[int]]) -> Callable[..., Awaitable[int]]:
        async def invoice(*args: Any, **kwargs: Any) -> int:
            issued = await original(*args, **kwargs)
            self.calls += 1
            if self.calls == self.n:
                self.reached.set()
                await self.stopped.wait()
            return issued

        return invoice


async def probe(running: Services) -> list[dict[str, Any]]:
    """One request of each kind while the database is down."""
    found = []
    for service, method, path in PROBES:
        started = time.monotonic()
        body: dict[str, Any] = {}
        if path == "/customers" and method == "POST":
            body = {"json": {"name": "Under udfald ApS", "cvr": cvr(99_999)}}
        elif path == "/clock/advance":
            body = {"json": {"days": 1}}
        response = await running.clients[service].request(method, path, **body)
        found.append(
            {
                "probe": f"{service} {method} {path}",
                "status": response.status_code,
                "seconds": round(time.monotonic() - started, 3),
                "body": response.text[:300],
            }
        )
    return found
