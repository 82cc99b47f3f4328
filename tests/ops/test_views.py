"""Ops' own read models, from the events it observed: DOMAIN.md's worked example on the board,
every page with what a person looks for on it, and a rebuild by replay that changes nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from services.ops.adapters.view_tables import VIEW_TABLES
from services.ops.adapters.webhook_tables import WEBHOOK_VIEWS
from services.ops.dashboard.read import board, finance
from shared.store.replay import rebuild_projections
from tests.e2e.platform import RunningPlatform, customer_with_agreement, embedded
from tests.ops.harness import (
    LOOPBACK_ONLY,
    NORDHAVN,
    FakeClock,
    anonymous,
    login,
    ops_runtime,
    worker,
)

# (business date, board column, fees and compensation so far, next step, its date)
LADDER = [
    ("2026-02-14", "overdue", Decimal("0"), "1. rykker", date(2026, 2, 16)),
    ("2026-02-16", "reminder_1", Decimal("410"), "2. rykker + suspend", date(2026, 2, 23)),
    (
        "2026-02-23",
        "reminder_2",
        Decimal("410"),
        "3. rykker – inkassovarsel + close permanently",
        date(2026, 3, 10),
    ),
    (
        "2026-03-10",
        "closed_permanently",
        Decimal("510"),
        "Sletning af hostede data",
        date(2026, 4, 9),
    ),
    ("2026-04-09", "deletion_due", Decimal("510"), None, None),
]


async def worked_example(running: RunningPlatform) -> str:
    """DOMAIN.md §4: one hosting subscription, the January invoice never paid."""
    await running.advance_to("2026-01-02")
    return await customer_with_agreement(
        running,
        NORDHAVN,
        {
            "sku": "hosting-standard",
            "quantity": 1,
            "vendor_reference": {"domain": "nordhavn-revision.dk"},
        },
    )


async def first_case(running: RunningPlatform, customer: str) -> dict[str, Any]:
    async with ops_runtime(running).store.engine.connect() as conn:
        cases = await board.cases(conn, customer)
    return next(c for c in cases if c["invoice_number"] == 1)


async def test_the_board_follows_the_worked_example_with_its_next_steps(tmp_path: Path) -> None:
    seen = []
    async with embedded(tmp_path) as running:
        customer = await worked_example(running)
        for day, *_ in LADDER:
            await running.advance_to(day)
            case = await first_case(running, customer)
            fees = case["fees"] + case["compensation"]
            seen.append((day, case["stage"], fees, case["next_title"], case["next_on"]))
    assert seen == LADDER
    assert case["owed"] == Decimal("876.49"), (
        "366,49 kr. invoice plus 510,00 kr. fees and compensation"
    )


async def test_receivables_are_aged_at_the_business_date(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        await worked_example(running)
        await running.advance_to("2026-03-10")
        today = await ops_runtime(running).store.business_date()
        async with ops_runtime(running).store.engine.connect() as conn:
            buckets = finance.aging(await finance.open_invoices(conn), today)
    assert today == date(2026, 3, 10)
    assert [(b.label, b.amount, b.invoices) for b in buckets] == [
        ("Not yet due", Decimal("286.25"), 2),  # February's invoice (13 March), today's fee invoice
        (
            "0–30 days",
            Decimal("776.49"),
            2,
        ),  # invoice 1 (25 days) and the first fee invoice (18 days)
        ("31–60 days", Decimal("0"), 0),
        ("61–90 days", Decimal("0"), 0),
        ("90+ days", Decimal("0"), 0),
    ]


async def test_every_page_shows_what_staff_look_for(tmp_path: Path) -> None:
    async with embedded(tmp_path) as running:
        customer = await worked_example(running)
        await running.advance_to("2026-03-10")
        reminder = (
            await running.call(
                "ops", "GET", "/events", params={"name": "ReminderIssued", "limit": 1000}
            )
        )[-1]
        async with anonymous(running) as client:
            await login(client, running.admin_key)
            pages = {
                path: await client.get(path)
                for path in (
                    "/dashboard",
                    "/dashboard/events?name=ReminderIssued",
                    f"/dashboard/events/{reminder['event_id']}",
                    "/dashboard/customers",
                    f"/dashboard/customers/{customer}",
                    "/dashboard/dunning",
                    "/dashboard/receivables",
                    "/dashboard/provisioning",
                    "/dashboard/webhooks",
                )
            }
    expected = {
        "/dashboard": [
            "Outstanding",
            "Accounts receivable aging",
            "<svg",
            "Next dunning steps",
            "9 Apr 2026",
        ],
        "/dashboard/events?name=ReminderIssued": [
            "1. rykker on invoice 1: fee 100,00 kr., compensation 310,00 kr."
        ],
        f"/dashboard/events/{reminder['event_id']}": [
            "CloudEvents JSON",
            "Causation chain",
            "specversion",
            "msp.dunning.ReminderIssued.v1",
        ],
        "/dashboard/customers": ["Nordhavn Revision ApS", "13585628"],
        f"/dashboard/customers/{customer}": [
            "Timeline",
            "366,49 kr.",
            "Webhosting Standard (Plesk)",
            "closed",
        ],
        "/dashboard/dunning": [
            "Closed permanently",
            "876,49 kr.",
            "Sletning af hostede data",
            "Thu 9 Apr 2026",
        ],
        "/dashboard/receivables": ["0–30 days", "776,49 kr.", "Invoiced vs paid"],
        "/dashboard/provisioning": ["hosting-standard", "In flight", "Manual tasks"],
        "/dashboard/webhooks": ["Endpoints", "Deliveries"],
    }
    for path, texts in expected.items():
        response: httpx.Response = pages[path]
        assert response.status_code == 200, path
        for text in texts:
            assert text in response.text, f"{path} lacks {text!r}"


async def test_the_read_models_rebuild_by_replay_to_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPS_WEBHOOK_ALLOWED_NETWORKS", LOOPBACK_ONLY)
    answers = iter([503, 204, 410])
    network = httpx.MockTransport(lambda request: httpx.Response(next(answers, 204)))
    clock = FakeClock()
    async with embedded(tmp_path) as running:
        sender = worker(running, clock, network)
        await running.call(
            "ops",
            "POST",
            "/webhooks",
            expect=201,
            json={"url": "http://127.0.0.1:9/a", "event_types": ["dunning.*"]},
        )
        await worked_example(running)
        await running.advance_to("2026-03-10")
        for _ in range(3):
            await sender.deliver_due()
            clock.advance(timedelta(minutes=10))
        store = ops_runtime(running).store
        before = await snapshot(running)
        replayed = await rebuild_projections(store)
        after = await snapshot(running)
    assert replayed > 100
    assert before == after
    for table in (
        "dunning_view",
        "invoice_view",
        "provisioning_view",
        "webhook_deliveries",
        "webhook_attempts",
    ):
        assert before[table], f"{table} has rows to rebuild"
    assert before["webhook_endpoints"][0]["enabled"] is False, "the 410 on the way is replayed too"


async def snapshot(running: RunningPlatform) -> dict[str, list[dict[str, Any]]]:
    """Every ops read-model table, rows in key order."""
    found = {}
    async with ops_runtime(running).store.engine.connect() as conn:
        for table in (*VIEW_TABLES, *WEBHOOK_VIEWS):
            key = list(table.primary_key.columns)
            rows = (await conn.execute(select(table).order_by(*key))).mappings()
            found[table.name] = [dict(r) for r in rows]
    return found
